/**
 * The composition root of `territoire ingest`: an ingestion worker alone, against PostgreSQL
 * and a broker it does not own. Several workers share one stream with MQTT_SHARE_GROUP. It
 * serves /health and /metrics on PORT, nothing else.
 */
import express from 'express'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'
import { IngestionPipeline } from '../ingestion/index.ts'
import { connectDatabase, detectCapabilities, isUpToDate, loadMigrations } from '../sql/index.ts'
import type { HubConfig } from './config.ts'
import { coreChecks, ingestionOptions, listenHttp } from './hub-parts.ts'

export interface RunningWorker {
  readonly url: string
  readonly pipeline: IngestionPipeline
  stop(): Promise<void>
}

export async function startIngestionWorker(config: HubConfig, log: Logger): Promise<RunningWorker> {
  if (config.databaseUrl === null || config.mqttUrl === null) {
    throw new StartupError('territoire ingest needs DATABASE_URL and MQTT_URL: the embedded engines live inside `territoire start`')
  }
  const http = await listenHttp(config.http.host, config.http.port)
  const stops: Array<() => Promise<void>> = [() => http.close()]
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => log.warn('error while stopping', { error: errorMessage(error) }))
  }
  try {
    const database = await connectDatabase(config.databaseUrl, { log: log.child('database'), timeoutSeconds: config.connectTimeoutSeconds, applicationName: 'territoire-ingest' })
    stops.push(() => database.close())
    const migrations = await loadMigrations()
    if (!(await isUpToDate(database.pool, migrations))) throw new StartupError('the database is not migrated: run `territoire migrate` (or start the hub) first')
    const { singleSession } = await detectCapabilities(database.pool)
    const pipeline = await IngestionPipeline.start(ingestionOptions(config, database.db, config.mqttUrl, log.child('ingestion'), singleSession))
    stops.push(() => pipeline.stop())

    const app = express()
    app.disable('x-powered-by')
    app.get('/health', async (_req, res) => {
      const checks = await coreChecks(database.pool, migrations, pipeline)
      const ok = Object.values(checks).every((c) => c.ok)
      res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks, ingestion: pipeline.stats() })
    })
    app.get('/metrics', async (_req, res) => {
      res.type(pipeline.metrics.registry.contentType).send(await pipeline.metrics.registry.metrics())
    })
    http.serve(app)
    log.info('ingestion worker ready', { url: http.url, clientId: config.ingestion.clientId, shareGroup: config.ingestion.shareGroup ?? 'none' })
    return { url: http.url, pipeline, stop: stopAll }
  } catch (error) {
    await stopAll()
    throw error
  }
}
