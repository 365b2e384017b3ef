/**
 * The database of a one-shot command: DATABASE_URL, or the embedded one in HUB_DATA_DIR when it
 * is unset (then the hub must not be running: its data directory is locked — use the API).
 * Unless told otherwise, migrations must be applied: a command never migrates behind the
 * operator's back.
 */
import { StartupError, type Logger } from '../core/index.ts'
import type { Database } from '../sql/index.ts'
import type { HubConfig } from './config.ts'

export async function withDatabase<T>(
  config: HubConfig,
  log: Logger,
  work: (database: Database) => Promise<T>,
  options: { readonly requireMigrated?: boolean } = {},
): Promise<T> {
  const { connectDatabase, isUpToDate, loadMigrations } = await import('../sql/index.ts')
  const embedded = config.databaseUrl === null
    ? await (await import('../sql/embedded-postgres.ts')).startEmbeddedPostgres({ dataDir: config.dataDir, log: log.child('database') })
    : null
  try {
    const database = await connectDatabase(config.databaseUrl ?? embedded!.url, { log, timeoutSeconds: config.connectTimeoutSeconds })
    try {
      if ((options.requireMigrated ?? true) && !(await isUpToDate(database.pool, await loadMigrations()))) {
        throw new StartupError('the database is not migrated: run `territoire migrate` first')
      }
      return await work(database)
    } finally {
      await database.close()
    }
  } finally {
    await embedded?.stop()
  }
}
