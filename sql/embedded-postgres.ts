/**
 * The embedded engine: PGlite (PostgreSQL compiled to WebAssembly) with PostGIS, served on
 * loopback by pglite-socket so that the rest of the product talks to it exactly as to a real
 * server, through `pg`. This file and ingestion/embedded-broker.ts are the only places that
 * know the embedded engines exist.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { postgis } from '@electric-sql/pglite-postgis'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'

export interface EmbeddedPostgres {
  /** A postgres:// URL for `pg`, on an ephemeral loopback port. */
  readonly url: string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** Where the database lives; `null` keeps it in memory (tests). */
  readonly dataDir: string | null
  readonly log: Logger
  /** Loopback port; 0 (default) takes a free one. */
  readonly port?: number
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, log } = options
  let releaseLock = async () => {}
  let pgDataDir: string | undefined
  if (dataDir !== null) {
    await mkdir(dataDir, { recursive: true }).catch((error) => {
      throw new StartupError(`cannot create HUB_DATA_DIR ${dataDir}: ${errorMessage(error)}`)
    })
    releaseLock = await lockDataDir(dataDir)
    pgDataDir = path.join(dataDir, 'pgdata')
  }

  const started = Date.now()
  let db: PGlite
  try {
    db = await PGlite.create({ ...(pgDataDir ? { dataDir: pgDataDir } : {}), extensions: { postgis } })
  } catch (error) {
    await releaseLock()
    throw new StartupError(`cannot open the embedded database in ${pgDataDir ?? 'memory'}: ${errorMessage(error)}`)
  }
  // PGlite runs one query at a time; the socket server queues the connections' queries. A
  // connection costs little (they share one session), and one past the limit is answered
  // "Too many connections" and closed — a pool then hands out a broken client: the test suite's
  // parallel files reached 32 and saw the ingestion retry on "connection error" for seconds.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 256 })
  await server.start()
  const address = server.getServerConn()
  log.info('embedded PostgreSQL ready', { data: pgDataDir ?? 'memory', address, ms: Date.now() - started })

  return {
    url: `postgres://postgres@${address}/postgres`,
    async stop() {
      await server.stop()
      await db.close()
      await releaseLock()
    },
  }
}

/**
 * PGlite does not guard its directory: two processes opening it would corrupt it. A pid file
 * makes the second one stop with a clear message; a stale file (its process gone) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDir, 'hub.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' })
      return () => rm(lockFile, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StartupError(`cannot write to HUB_DATA_DIR ${dataDir}: ${errorMessage(error)}`)
      }
      const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim())
      if (pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StartupError(`HUB_DATA_DIR ${dataDir} is in use by another Territoire (pid ${pid}); stop it or choose another HUB_DATA_DIR`)
      }
      await rm(lockFile, { force: true })
    }
  }
  throw new StartupError(`cannot lock HUB_DATA_DIR ${dataDir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
