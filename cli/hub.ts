/**
 * The composition root of `territoire start`: starts the hub's parts in order — database
 * (embedded or external), migrations, broker (embedded or external), demo territory, ingestion,
 * simulator, HTTP — and stops them in reverse. The HTTP port is bound first so that a port in
 * use fails at once and /health answers 503 while the rest starts.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { errorMessage, type Logger } from '../core/index.ts'
import { PROJECT_ROOT } from '../core/project-root.ts'
import { applyCarrierSettings, createApp, LiveFeed, startIndicatorRefresher, TILE_SESSION_SETTINGS, TileService, type HealthReport } from '../api/index.ts'
import { IngestionPipeline, connectMqtt, replayDeadLetters } from '../ingestion/index.ts'
import { startEmbeddedBroker } from '../ingestion/embedded-broker.ts'
import { setSession } from '../api/auth/index.ts'
import { createOidcVerifier } from '../api/auth/oidc.ts'
import { OIDC_CALLBACK_PATH, oidcLoginRoutes } from '../api/auth/oidc-login.ts'
import { baseUrl } from '../api/base-url.ts'
import { internalCredential, MqttAccess, urlWithCredentials } from '../ingestion/mqtt-access.ts'
import { writeDemoHistory } from '../ingestion/demo-history.ts'
import { listSimulatedDevices, loadDemoTerritory } from '../ingestion/demo-territory.ts'
import { startSimulator, type Simulator } from '../sensors/index.ts'
import { connectDatabase, describeTarget, detectCapabilities, loadMigrations, migrate } from '../sql/index.ts'
import { startEmbeddedPostgres } from '../sql/embedded-postgres.ts'
import type { HubConfig } from './config.ts'
import { coreChecks, ingestionOptions, listenHttp } from './hub-parts.ts'

export const WEB_DIST = path.join(PROJECT_ROOT, 'web', 'dist')

export interface RunningHub {
  readonly url: string
  readonly databaseUrl: string
  /** The broker's URL, without the hub's own credential. */
  readonly mqttUrl: string
  stop(): Promise<void>
}

export async function startHub(config: HubConfig, log: Logger, options: { webDir?: string | null } = {}): Promise<RunningHub> {
  const started = Date.now()
  const stops: Array<{ name: string; stop: () => Promise<void> }> = []
  const stopAll = async () => {
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((error) => log.warn(`error while stopping ${name}`, { error: errorMessage(error) }))
    }
    stops.length = 0
  }

  const http = await listenHttp(config.http.host, config.http.port)
  stops.push({ name: 'HTTP server', stop: () => http.close() })

  try {
    let databaseUrl = config.databaseUrl
    if (databaseUrl === null) {
      const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log: log.child('database') })
      stops.push({ name: 'embedded PostgreSQL', stop: () => embedded.stop() })
      databaseUrl = embedded.url
    }
    const database = await connectDatabase(databaseUrl, { log: log.child('database'), timeoutSeconds: config.connectTimeoutSeconds })
    stops.push({ name: 'database pool', stop: () => database.close() })
    const migrations = await loadMigrations()
    const report = await migrate(database.pool, log.child('migrate'), migrations)
    const capabilities = await detectCapabilities(database.pool)
    log.info('database ready', {
      target: config.databaseUrl ? describeTarget(config.databaseUrl) : 'embedded',
      postgres: capabilities.serverVersion,
      postgis: capabilities.postgisVersion,
      migrations: report.alreadyApplied + report.applied.length,
      tiles: capabilities.mvt ? 'ST_AsMVT' : 'Node encoder',
    })

    let mqttUrl = config.mqttUrl
    let brokerUrl = config.mqttUrl
    if (mqttUrl === null) {
      // The hub's own clients (ingestion, simulator) connect with a credential made for this run.
      const internal = config.embeddedBroker.allowAnonymous ? null : internalCredential()
      const access = internal === null ? null : new MqttAccess(database.db, internal)
      const broker = await startEmbeddedBroker({ ...config.embeddedBroker, access, log: log.child('broker') })
      stops.push({ name: 'embedded broker', stop: () => broker.stop() })
      brokerUrl = broker.url
      mqttUrl = internal === null ? broker.url : urlWithCredentials(broker.url, internal)
    }

    const demoLoaded = config.demo && (await loadDemoTerritory(database.db, log.child('demo'))).loaded

    // Tile SQL runs on sessions of its own on a real server (no parallel plan, no JIT: tile-sql.ts).
    let tilePool = database.pool
    if (!capabilities.singleSession) {
      const tileDatabase = await connectDatabase(databaseUrl, {
        log: log.child('database'),
        timeoutSeconds: config.connectTimeoutSeconds,
        applicationName: 'territoire-tiles',
        sessionSettings: TILE_SESSION_SETTINGS,
      })
      stops.push({ name: 'tile database pool', stop: () => tileDatabase.close() })
      tilePool = tileDatabase.pool
    }
    const tiles = new TileService(tilePool, capabilities.mvt ? 'postgis' : 'node', { cacheBytes: config.tiles.cacheBytes, log: log.child('tiles') })
    // A real server notifies layer changes to every process (LISTEN); the embedded engine's
    // notifications do not cross connections, and all its writers are in this process: they
    // tell the tiles directly, and imports are seen by polling the stored versions (docs/tiles.md).
    await tiles.followChanges(capabilities.singleSession ? { kind: 'in-process', pollMs: 2_000 } : { kind: 'listen' })
    stops.push({ name: 'tile cache', stop: () => tiles.close() })
    // New readings and sensors: heard by LISTEN on a real server (the writers notify in their
    // transactions); told here on the embedded engine. Telling both would drop tiles made between.
    const liveLayersChanged = capabilities.singleSession ? () => tiles.liveLayersChanged() : () => {}
    const ingestion = { ...ingestionOptions(config, database.db, mqttUrl, log.child('ingestion'), capabilities.singleSession), onWritten: liveLayersChanged }
    const pipeline = await IngestionPipeline.start(ingestion)
    stops.push({ name: 'ingestion', stop: () => pipeline.stop() })
    tiles.registerMetrics(pipeline.metrics.registry)

    let simulator: Simulator | null = null
    if (config.simulator.enabled) {
      const devices = await listSimulatedDevices(database.db)
      if (devices.length === 0) {
        log.warn('simulator on, but there is no synthetic device to simulate (HUB_DEMO=off on an empty database?)')
      } else {
        const client = await connectMqtt(mqttUrl, {
          clientId: `territoire-simulator-${process.pid}`,
          log: log.child('simulator'),
          timeoutSeconds: config.connectTimeoutSeconds,
        })
        simulator = startSimulator({ client, devices, intervalSeconds: config.simulator.intervalSeconds, log: log.child('simulator'), timeZone: config.timeZone })
        stops.push({ name: 'simulator', stop: () => simulator!.stop() })
      }
    }

    await applyCarrierSettings(database.db, config.energy)
    // The live stream hears new readings where the tile cache does, and alerts from the refresher.
    const live = new LiveFeed(database.db, log.child('live'))
    tiles.watchLayers((layers) => {
      if (layers.includes('sensors')) live.changed()
    })
    stops.push({ name: 'live stream', stop: async () => live.close() })
    const indicators = startIndicatorRefresher({
      db: database.db, timeZone: config.timeZone, intervalSeconds: config.indicatorRefreshSeconds, log: log.child('indicators'),
      onRefreshed: (report) => {
        if (report.alertsRaised > 0) live.changed()
      },
    })
    stops.push({ name: 'indicator refresher', stop: () => indicators.stop() })

    if (demoLoaded) {
      // A fresh demo's past weeks, written while the hub already serves (a minute on the embedded
      // engine); then the indicators of those weeks, and the live layers told.
      const history = new AbortController()
      const writing = writeDemoHistory(database.db, log.child('demo'), { timeZone: config.timeZone, signal: history.signal })
        .then(async (report) => {
          if (report.complete) await indicators.refresh(report.fromDay)
          liveLayersChanged()
          live.changed()
        })
        .catch((error: unknown) => log.warn('demo history not written: the demo starts without it', { error: errorMessage(error) }))
      stops.push({ name: 'demo history', stop: async () => { history.abort(); await writing } })
    }

    const adminToken = config.adminToken ?? (config.databaseUrl === null ? randomBytes(24).toString('base64url') : null)
    if (config.adminToken === null && adminToken !== null) {
      log.info('the admin credential of this run (generated; set HUB_ADMIN_TOKEN to choose one, `territoire tokens create` for staff)', { token: adminToken })
    } else if (adminToken === null) {
      log.info('HUB_ADMIN_TOKEN is not set: admins sign in with API tokens (`territoire tokens create --role admin`) or OpenID Connect')
    }

    const health = async (): Promise<HealthReport> => {
      const checks = await coreChecks(database.pool, migrations, pipeline)
      return {
        status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'unavailable',
        checks,
        engines: {
          database: config.databaseUrl ? 'external' : 'embedded',
          broker: config.mqttUrl ? 'external' : 'embedded',
          postgis: capabilities.postgisVersion,
          tileEncoder: tiles.encoder,
        },
        ingestion: pipeline.stats(),
        simulator: simulator ? { published: simulator.published() } : null,
        indicators: indicators.status(),
      }
    }
    const oidc = config.oidc ? createOidcVerifier({ ...config.oidc, log: log.child('oidc') }) : null
    const oidcLogin = config.oidc?.login && oidc
      ? oidcLoginRoutes({
          issuer: config.oidc.issuer,
          clientId: config.oidc.login.clientId,
          clientSecret: config.oidc.login.clientSecret,
          scopes: config.oidc.login.scopes,
          redirectUri: (req) => `${baseUrl(req, config.openData)}${OIDC_CALLBACK_PATH}`,
          verifier: oidc,
          setSession: (res, token, expiresAt) => setSession(res.req, res, token, expiresAt),
          log: log.child('oidc'),
        })
      : null
    const app = createApp({
      db: database.db,
      oidc,
      oidcLogin,
      tiles,
      health,
      log: log.child('api'),
      webDir: options.webDir === undefined ? WEB_DIST : options.webDir,
      adminToken,
      replay: async (filter) => {
        const result = await replayDeadLetters(database.db, ingestion, filter, log.child('replay'))
        pipeline.forgetDevices()
        liveLayersChanged()
        return result
      },
      onProvisioned: () => {
        pipeline.forgetDevices()
        liveLayersChanged() // a new sensor on the map, a building's sensor count
      },
      metrics: pipeline.metrics.registry,
      openData: config.openData,
      timeZone: config.timeZone,
      basemapStyleUrl: config.basemapStyleUrl,
      rateLimits: config.rateLimits,
      trustProxy: config.trustProxy,
      live,
    })
    http.serve(app)
    log.info('Territoire is ready', { url: http.url, ms: Date.now() - started })
    return { url: http.url, databaseUrl, mqttUrl: brokerUrl!, stop: stopAll }
  } catch (error) {
    await stopAll()
    throw error
  }
}
