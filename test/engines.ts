/**
 * What an integration test needs from the run's engines: a database (pg pool + Kysely), the
 * broker URL, and the app as the CLI assembles it.
 */
import { inject } from 'vitest'
import type { Express } from 'express'
import { answerClientErrors, createApp, type LiveFeed, type RateLimits, TileService, type TrustProxy } from '../api/index.ts'
import type { OpenDataOptions } from '../api/ogc/index.ts'
import type { JwtVerifier } from '../api/auth/index.ts'
import { silentLogger } from '../core/index.ts'
import { DEFAULT_DECODER_OPTIONS, replayDeadLetters, type PipelineOptions } from '../ingestion/index.ts'
import { connectDatabase, detectCapabilities, type Database } from '../sql/index.ts'

export { freePort } from './ports.ts'

export const databaseUrl = () => inject('databaseUrl')
export const mqttUrl = () => inject('mqttUrl')
export const engines = () => inject('engines')

/**
 * How long a test waits for the ingestion to store or refuse what it published. Generous on
 * purpose: on the embedded engine every test file running in parallel shares one database
 * session, and a long transaction elsewhere (an import test loading a cadastre) holds it.
 * A wait, not a speed assertion: the test goes on as soon as the condition holds.
 */
export const INGESTION_WAIT = { timeout: 30_000, interval: 50 } as const

export async function openDatabase(): Promise<Database> {
  return connectDatabase(databaseUrl(), { log: silentLogger, timeoutSeconds: 10, maxConnections: 4 })
}

export interface TestApp {
  readonly app: Express
  readonly tiles: TileService
}

/** The admin token of the apps tests build. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789'

/** fetch with `Authorization: Bearer <credential>` (the admin token unless told): the staff's view. */
export function fetchAs(credential: string = TEST_ADMIN_TOKEN): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers)
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${credential}`)
    return fetch(input, { ...init, headers })
  }
}

/** The OPSN's view, for tests about something else than access control (test/access.test.ts is about that). */
export const adminFetch = fetchAs()

/** The HTTP app over the run's database, its tile encoder chosen as in production; no rate limit unless given. */
export async function testApp(database: Database, options: { webDir?: string | null; onProvisioned?: () => void; tiles?: TileService; openData?: OpenDataOptions; live?: LiveFeed; basemapStyleUrl?: string | null; rateLimits?: RateLimits; trustProxy?: TrustProxy; oidc?: JwtVerifier } = {}): Promise<TestApp> {
  const capabilities = await detectCapabilities(database.pool)
  // Without a cache unless a test brings its own service (with a cache, following the changes).
  const tiles = options.tiles ?? new TileService(database.pool, capabilities.mvt ? 'postgis' : 'node')
  const app = createApp({
    db: database.db,
    tiles,
    log: silentLogger,
    webDir: options.webDir ?? null,
    health: async () => ({ status: 'ok', checks: {} }),
    adminToken: TEST_ADMIN_TOKEN,
    replay: (filter) => replayDeadLetters(database.db, { ...DEFAULT_DECODER_OPTIONS, timeZone: 'Europe/Paris' }, filter, silentLogger),
    onProvisioned: options.onProvisioned ?? (() => {}),
    metrics: null,
    ...(options.openData ? { openData: options.openData } : {}),
    ...(options.live ? { live: options.live } : {}),
    ...(options.basemapStyleUrl ? { basemapStyleUrl: options.basemapStyleUrl } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.oidc ? { oidc: options.oidc } : {}),
  })
  return { app, tiles }
}

/** A unique suffix for names a test creates (topics, client ids, devices). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
}

/** Serves an app on a free loopback port for the duration of a test file. */
export async function serve(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
    answerClientErrors(s)
  })
  const { port } = server.address() as import('node:net').AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A response's JSON body, loosely typed: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(response: Response): Promise<any> {
  return response.json()
}

/** A test pipeline's options: the run's broker, a client id of its own, small quick batches. */
export function pipelineOptions(database: Database, topics: readonly string[], overrides: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    ...DEFAULT_DECODER_OPTIONS,
    mqttUrl: mqttUrl(),
    clientId: uniqueName('ingest'),
    topics,
    batchSize: 100,
    batchWaitMs: 20,
    connectTimeoutSeconds: 10,
    timeZone: 'Europe/Paris',
    db: database.db,
    log: silentLogger,
    ...overrides,
  }
}
