/**
 * The one way the product talks to PostgreSQL: a `pg` pool and a Kysely instance over it, the
 * same for the embedded engine (through its socket server) and for a real server.
 */
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'
import type { Schema } from './schema.ts'

export interface Database {
  readonly pool: pg.Pool
  readonly db: Kysely<Schema>
  close(): Promise<void>
}

export interface ConnectOptions {
  readonly log: Logger
  /** Retry a refused or timed-out connection for this long before giving up. */
  readonly timeoutSeconds: number
  readonly applicationName?: string
  readonly maxConnections?: number
  /** Settings of every session of the pool (`-c name=value` at connection; real servers only). */
  readonly sessionSettings?: Readonly<Record<string, string>>
}

/** PostgreSQL error classes that retrying will not fix: bad password, no such database, … */
const PERMANENT_SQLSTATES = new Set(['28000', '28P01', '3D000', '42501'])

export async function connectDatabase(url: string, options: ConnectOptions): Promise<Database> {
  const target = describeTarget(url)
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName ?? 'territoire',
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(options.sessionSettings
      ? { options: Object.entries(options.sessionSettings).map(([name, value]) => `-c ${name}=${value}`).join(' ') }
      : {}),
  })
  // A connection losing its server (a restart) must not crash the process: pg emits 'error' on
  // the client, idle (the pool's listener) or checked out between two queries (ours, on every
  // client). The query under way, if any, is rejected on its own and the caller retries.
  pool.on('error', (error) => options.log.warn('database connection lost', { error: errorMessage(error) }))
  pool.on('connect', (client) => {
    client.on('error', (error) => options.log.debug('database connection lost while in use', { error: errorMessage(error) }))
  })

  const deadline = Date.now() + options.timeoutSeconds * 1000
  let delay = 250
  for (;;) {
    try {
      const { rows } = await pool.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version")
      const version = rows[0]?.version ?? 0
      if (version < 150000) {
        await pool.end()
        throw new StartupError(`PostgreSQL at ${target} is version ${Math.floor(version / 10000)}; Territoire needs PostgreSQL 15 or later`)
      }
      break
    } catch (error) {
      if (error instanceof StartupError) throw error
      const code = (error as { code?: string }).code
      if ((code && PERMANENT_SQLSTATES.has(code)) || Date.now() + delay > deadline) {
        await pool.end().catch(() => undefined)
        const waited = code && PERMANENT_SQLSTATES.has(code) ? '' : ` after ${options.timeoutSeconds} s`
        throw new StartupError(`cannot connect to PostgreSQL at ${target}${waited}: ${errorMessage(error)}`)
      }
      options.log.debug('database not reachable yet, retrying', { target, error: errorMessage(error) })
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, 2_000)
    }
  }

  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) })
  return {
    pool,
    db,
    // Kysely ends the pool only if it ever used it: end it ourselves otherwise.
    close: async () => {
      await db.destroy()
      if (!pool.ended) await pool.end()
    },
  }
}

/** host:port/database of a connection string, without credentials (for logs and errors). */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url)
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost'
    return `${host}:${parsed.port || 5432}${parsed.pathname || '/'}`
  } catch {
    return '(unparsable URL)'
  }
}

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
export function inTransaction<T>(db: Kysely<Schema>, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}
