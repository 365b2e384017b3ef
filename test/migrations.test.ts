/**
 * Migrations: forward-only, recorded, applied once even when several hubs start together, and
 * frozen (an edited or unknown migration stops the start with a clear message).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { silentLogger, StartupError } from '../core/index.ts'
import { connectDatabase, loadMigrations, migrate, type Database, type Migration } from '../sql/index.ts'
import { databaseUrl, engines, openDatabase, uniqueName } from './engines.ts'

let database: Database
let migrations: Migration[]

beforeAll(async () => {
  database = await openDatabase()
  migrations = await loadMigrations()
})
afterAll(() => database.close())

describe('migrations', () => {
  it('are numbered files in sequence', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
    expect(migrations[0]!.name).toBe('0001_territory.sql')
  })

  it('do nothing on an up-to-date database, even asked three times at once', async () => {
    const reports = await Promise.all([1, 2, 3].map(() => migrate(database.pool, silentLogger, migrations)))
    for (const report of reports) expect(report).toEqual({ applied: [], alreadyApplied: migrations.length })
    const { rows } = await database.pool.query('SELECT version FROM schema_migration ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version))
  })

  it('refuse a migration edited after it was applied', async () => {
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m))
    await expect(migrate(database.pool, silentLogger, edited)).rejects.toThrow(new StartupError(
      'migration 0001_territory.sql was edited after it was applied; migrations are forward-only: add a new file instead',
    ))
  })

  it('refuse to run a version older than the database', async () => {
    await expect(migrate(database.pool, silentLogger, migrations.slice(0, 2))).rejects.toThrow(/which this version of Territoire does not know/)
  })

  // A fresh database per test needs a server that can create one; the embedded engine is one
  // database in one session, whose socket server serialises everything (checked above).
  it.runIf(engines() === 'servers')('apply each file exactly once when three hubs migrate a fresh database together', async () => {
    const name = uniqueName('territoire_migrate').replace(/-/g, '_')
    const admin = new pg.Client({ connectionString: databaseUrl() })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    try {
      const url = new URL(databaseUrl())
      url.pathname = `/${name}`
      const hubs = await Promise.all([1, 2, 3].map(() => connectDatabase(url.toString(), { log: silentLogger, timeoutSeconds: 5 })))
      try {
        const reports = await Promise.all(hubs.map((hub) => migrate(hub.pool, silentLogger, migrations)))
        expect(reports.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.name))
        const { rows } = await hubs[0]!.pool.query('SELECT count(*)::int AS n FROM schema_migration')
        expect(rows[0].n).toBe(migrations.length)
      } finally {
        await Promise.all(hubs.map((hub) => hub.close()))
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  })
})
