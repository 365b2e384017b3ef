/**
 * Pieces both processes are assembled from — `territoire start` (the whole hub) and
 * `territoire ingest` (an ingestion worker): the HTTP listener bound first, the ingestion's
 * options from the configuration, and the health checks.
 */
import http from 'node:http'
import type net from 'node:net'
import type { Kysely } from 'kysely'
import type pg from 'pg'
import { answerClientErrors } from '../api/problem.ts'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'
import type { IngestionPipeline, PipelineOptions } from '../ingestion/index.ts'
import { isUpToDate, type Migration, type Schema } from '../sql/index.ts'
import type { HubConfig } from './config.ts'

export interface HttpListener {
  readonly url: string
  /** Replaces the placeholder (503 "starting") with the real application. */
  serve(handler: http.RequestListener): void
  close(): Promise<void>
}

/** Binds the port at once, so that a port in use fails before anything starts; answers 503 until `serve`. */
export async function listenHttp(host: string, port: number): Promise<HttpListener> {
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '5' })
    res.end(JSON.stringify({ type: 'urn:territoire:problem:unavailable', title: 'Démarrage en cours', status: 503 }))
  }
  const server = http.createServer((req, res) => handler(req, res))
  answerClientErrors(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`PORT ${port} is already in use on ${host}: stop what uses it or set PORT to a free port`))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new StartupError(`HOST ${host} is not an address of this machine`))
      else if (error.code === 'EACCES') reject(new StartupError(`PORT ${port} needs privileges this process does not have: choose a port above 1023`))
      else reject(new StartupError(`cannot listen on ${host}:${port}: ${errorMessage(error)}`))
    })
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as net.AddressInfo
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`,
    serve: (next) => {
      handler = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** The ingestion as configured, on a database and a broker. */
export function ingestionOptions(config: HubConfig, db: Kysely<Schema>, mqttUrl: string, log: Logger, singleSession: boolean): PipelineOptions {
  const i = config.ingestion
  return {
    mqttUrl,
    clientId: i.clientId,
    topics: i.topics,
    shareGroup: i.shareGroup,
    batchSize: i.batchSize,
    batchWaitMs: i.batchWaitMs,
    // The embedded engine runs one transaction at a time: more writers would queue, and can block each other.
    concurrency: singleSession ? 1 : i.concurrency,
    maxPayloadBytes: i.maxPayloadBytes,
    maxFutureSkewSeconds: i.maxFutureSkewSeconds,
    connectTimeoutSeconds: config.connectTimeoutSeconds,
    timeZone: config.timeZone,
    db,
    log,
  }
}

export interface Check {
  readonly ok: boolean
  readonly detail?: string
}

/** Database reachable with every migration applied, broker connected. */
export async function coreChecks(pool: pg.Pool, migrations: readonly Migration[], pipeline: IngestionPipeline): Promise<Record<string, Check>> {
  const [databaseOk, migrationsOk] = await withTimeout(
    Promise.all([pool.query('SELECT 1').then(() => true), isUpToDate(pool, migrations)]),
    3_000,
  ).catch(() => [false, false] as const)
  return {
    database: { ok: databaseOk, ...(databaseOk ? {} : { detail: 'PostgreSQL is not answering' }) },
    migrations: { ok: migrationsOk, ...(migrationsOk ? {} : { detail: 'migrations not applied' }) },
    broker: { ok: pipeline.connected, ...(pipeline.connected ? {} : { detail: 'MQTT broker unreachable' }) },
  }
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
