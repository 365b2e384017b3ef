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
  keepExtendedQueriesWhole(server, db)
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

/** What pglite-socket's query queue holds (0.2.x internals, checked at start). */
interface QueuedMessage {
  readonly handlerId: number
  readonly message: Uint8Array
  resolve(bytes: number): void
  reject(error: unknown): void
  onData(data: Uint8Array): void
}
interface QueryQueue {
  queue: QueuedMessage[]
  processing: boolean
  lastHandlerId: number | null
  processQueue(): Promise<void>
  clearQueueForHandler(handlerId: number): void
}

/** Extended-protocol messages after which the same connection's next message must follow: Parse, Bind, Describe, Execute, Close, Flush. */
const SEQUENCE_OPEN = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)))

/**
 * pglite-socket (0.2.11 to 0.2.17) hands PGlite each protocol message on its own, which breaks the
 * extended query protocol (Parse, Bind, Describe, Execute, then Sync) in two ways, both seen here:
 *
 * - it keeps a connection's turn only inside a transaction: outside one, two connections'
 *   parameterised queries interleave, and one binds the other's unnamed statement ("bind message
 *   supplies 2 parameters, but prepared statement "" requires 8");
 * - PGlite answers a failing Parse, Bind or Execute with its error *and* a ReadyForQuery (it then
 *   ignores the sequence up to Sync, which answers a second one): the client hears of the query's
 *   end twice, takes the next answer for another query's ("Received unexpected commandComplete
 *   message") and its connection is lost — any statement error inside a transaction, such as a
 *   re-delivered reading's unique violation.
 *
 * This keeps a connection's turn from its first message to its Sync (or a simple Query), and drops
 * the ReadyForQuery PGlite gives before Sync: PostgreSQL gives it only for Sync. Unlike the
 * original, a failed message no longer stops the queue for good.
 */
function keepExtendedQueriesWhole(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function' || typeof queue.clearQueueForHandler !== 'function') {
    throw new StartupError('@electric-sql/pglite-socket changed its query queue: check sql/embedded-postgres.ts against its new version')
  }
  /** The connection in the middle of an extended-protocol query, if any. */
  let turn: number | null = null
  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing) return
    this.processing = true
    try {
      while (this.queue.length > 0) {
        const owner = turn ?? (db.isInTransaction() ? this.lastHandlerId : null)
        const at = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner)
        if (at < 0) break // the owner's next message is on its way: it calls processQueue again
        const item = this.queue.splice(at, 1)[0]!
        const inSequence = SEQUENCE_OPEN.has(item.message[0]!)
        this.lastHandlerId = item.handlerId
        // PGlite's chunks are views into its WebAssembly memory, which the next write reuses: copied.
        const chunks: Buffer[] = []
        try {
          await db.runExclusive(() => db.execProtocolRawStream(item.message, { onRawData: (data) => void chunks.push(Buffer.from(data)) }))
        } catch (error) {
          turn = null
          item.reject(error)
          continue
        }
        const answer = inSequence ? withoutReadyForQuery(Buffer.concat(chunks)) : Buffer.concat(chunks)
        turn = inSequence ? item.handlerId : null
        if (answer.length > 0) item.onData(answer)
        item.resolve(answer.length)
      }
    } finally {
      this.processing = false
    }
  }
  const clear = queue.clearQueueForHandler.bind(queue)
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId)
    if (turn === handlerId) {
      turn = null // a connection gone mid-query: the others go on
      void queue.processQueue()
    }
  }
}

const READY_FOR_QUERY = 0x5a

/** A backend answer without its ReadyForQuery messages. */
function withoutReadyForQuery(answer: Buffer): Buffer {
  const kept: Buffer[] = []
  let at = 0
  while (at + 5 <= answer.length) {
    const end = at + 1 + answer.readInt32BE(at + 1)
    if (answer[at] !== READY_FOR_QUERY) kept.push(answer.subarray(at, end))
    at = end
  }
  if (at < answer.length) kept.push(answer.subarray(at)) // not a whole message: passed on as it came
  return Buffer.concat(kept)
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
