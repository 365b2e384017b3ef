/**
 * Forward-only migrations: the numbered `.sql` files of sql/migrations, applied in order, each
 * recorded with its checksum, all under a transaction-scoped advisory lock so that two hubs
 * starting at once never apply the same file twice. A file edited after it was applied is
 * refused: migrations are frozen in time.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import { PROJECT_ROOT } from '../core/project-root.ts'
import { StartupError, type Logger } from '../core/index.ts'

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'sql', 'migrations')

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
  readonly checksum: string
}

export interface MigrationReport {
  readonly applied: readonly string[]
  readonly alreadyApplied: number
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
  const migrations: Migration[] = []
  for (const file of files) {
    const match = FILE_PATTERN.exec(file)
    if (!match) throw new StartupError(`migration file ${file} is not named NNNN_name.sql`)
    const sql = await readFile(path.join(dir, file), 'utf8')
    migrations.push({
      version: Number(match[1]),
      name: file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    })
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new StartupError(`migration ${m.name} is out of sequence (expected number ${i + 1})`)
  })
  return migrations
}

/** A number derived from a fixed name, shared by every hub that migrates the same database. */
const MIGRATION_LOCK = 'hashtext(\'territoire.migrate\')'

export async function migrate(pool: pg.Pool, log: Logger, migrations?: readonly Migration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations())
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`)
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migration ORDER BY version',
    )
    const done = new Map(rows.map((r) => [r.version, r]))
    for (const record of rows) {
      const known = all.find((m) => m.version === record.version)
      if (!known) {
        throw new StartupError(`the database has migration ${record.name}, which this version of Territoire does not know: run a newer version`)
      }
      if (known.checksum !== record.checksum) {
        throw new StartupError(`migration ${known.name} was edited after it was applied; migrations are forward-only: add a new file instead`)
      }
    }
    const applied: string[] = []
    for (const migration of all) {
      if (done.has(migration.version)) continue
      try {
        await client.query(migration.sql)
      } catch (error) {
        throw new StartupError(`migration ${migration.name} failed: ${describeMigrationError(error)}`)
      }
      await client.query('INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ])
      applied.push(migration.name)
      log.info('migration applied', { migration: migration.name })
    }
    await client.query('COMMIT')
    return { applied, alreadyApplied: done.size }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** True when every known migration has been applied (used by the health check). */
export async function isUpToDate(pool: pg.Pool, migrations: readonly Migration[]): Promise<boolean> {
  const { rows } = await pool.query<{ latest: number | null }>(
    "SELECT CASE WHEN to_regclass('schema_migration') IS NULL THEN NULL ELSE (SELECT max(version) FROM schema_migration) END AS latest",
  )
  return rows[0]?.latest === migrations.length
}

function describeMigrationError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (/extension "postgis"|postgis\.control/i.test(message)) {
    return 'PostGIS is not installed on this PostgreSQL server (Debian: apt-get install postgresql-15-postgis-3)'
  }
  return message.replace(/\s*\n\s*/g, ' ')
}
