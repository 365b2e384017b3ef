/**
 * The composition root: starts the hub's parts in order — database (embedded or external),
 * migrations, broker (embedded or external), demo territory, ingestion, simulator, HTTP — and
 * stops them in reverse. The HTTP port is bound first so that a port in use fails at once and
 * /health answers 503 while the rest starts.
 */
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MqttClient } from 'mqtt'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'
import { createApp, TileService, type HealthReport } from '../api/index.ts'
import {
  IngestionPipeline,
  DEFAULT_DECODER_OPTIONS,
  connectMqtt,
  listSimulatedDevices,
  loadDemoTerritory,
  startEmbeddedBroker,
} from '../ingestion/index.ts'
import { startSimulator, type Simulator } from '../sensors/index.ts'
import {
  connectDatabase,
  describeTarget,
  detectCapabilities,
  isUpToDate,
  loadMigrations,
  migrate,
  startEmbeddedPostgres,
} from '../sql/index.ts'
import type { HubConfig } from './config.ts'

export const WEB_DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist')

export interface RunningHub {
  readonly url: string
  readonly databaseUrl: string
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

  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '5' })
    res.end(JSON.stringify({ type: 'urn:territoire:problem:unavailable', title: 'Démarrage en cours', status: 503 }))
  }
  const server = http.createServer((req, res) => handler(req, res))
  await listen(server, config.http.host, config.http.port)
  stops.push({ name: 'HTTP server', stop: () => closeServer(server) })
  const address = server.address() as import('node:net').AddressInfo
  const url = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${address.port}`

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
    if (mqttUrl === null) {
      const broker = await startEmbeddedBroker({ ...config.embeddedBroker, log: log.child('broker') })
      stops.push({ name: 'embedded broker', stop: () => broker.stop() })
      mqttUrl = broker.url
    }

    if (config.demo) await loadDemoTerritory(database.db, log.child('demo'))

    const tiles = new TileService(database.pool, capabilities.mvt ? 'postgis' : 'node')
    const pipeline = await IngestionPipeline.start({
      ...DEFAULT_DECODER_OPTIONS,
      mqttUrl,
      clientId: config.ingestion.clientId,
      topics: config.ingestion.topics,
      batchSize: config.ingestion.batchSize,
      batchWaitMs: config.ingestion.batchWaitMs,
      connectTimeoutSeconds: config.connectTimeoutSeconds,
      timeZone: config.timeZone,
      db: database.db,
      log: log.child('ingestion'),
    })
    stops.push({ name: 'ingestion', stop: () => pipeline.stop() })

    let simulator: Simulator | null = null
    if (config.simulator.enabled) {
      const devices = await listSimulatedDevices(database.db)
      if (devices.length === 0) {
        log.warn('simulator on, but there is no synthetic device to simulate (HUB_DEMO=off on an empty database?)')
      } else {
        const client: MqttClient = await connectMqtt(mqttUrl, {
          clientId: `territoire-simulator-${process.pid}`,
          log: log.child('simulator'),
          timeoutSeconds: config.connectTimeoutSeconds,
        })
        simulator = startSimulator({ client, devices, intervalSeconds: config.simulator.intervalSeconds, log: log.child('simulator'), timeZone: config.timeZone })
        stops.push({ name: 'simulator', stop: () => simulator!.stop() })
      }
    }

    const health = async (): Promise<HealthReport> => {
      const [databaseOk, migrationsOk] = await withTimeout(
        Promise.all([database.pool.query('SELECT 1').then(() => true), isUpToDate(database.pool, migrations)]),
        3_000,
      ).catch(() => [false, false] as const)
      const checks = {
        database: { ok: databaseOk, ...(databaseOk ? {} : { detail: 'PostgreSQL is not answering' }) },
        migrations: { ok: migrationsOk, ...(migrationsOk ? {} : { detail: 'migrations not applied' }) },
        broker: { ok: pipeline.connected, ...(pipeline.connected ? {} : { detail: 'MQTT broker unreachable' }) },
      }
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
      }
    }
    const webDir = options.webDir === undefined ? WEB_DIST : options.webDir
    const app = createApp({ db: database.db, tiles, health, log: log.child('api'), webDir })
    handler = app
    log.info('Territoire is ready', { url, ms: Date.now() - started })
    return { url, databaseUrl, mqttUrl, stop: stopAll }
  } catch (error) {
    await stopAll()
    throw error
  }
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`PORT ${port} is already in use on ${host}: stop what uses it or set PORT to a free port`))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new StartupError(`HOST ${host} is not an address of this machine`))
      else if (error.code === 'EACCES') reject(new StartupError(`PORT ${port} needs privileges this process does not have: choose a port above 1023`))
      else reject(new StartupError(`cannot listen on ${host}:${port}: ${errorMessage(error)}`))
    })
    server.listen(port, host, () => resolve())
  })
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms)
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    )
  })
}
