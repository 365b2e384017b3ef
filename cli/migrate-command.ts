import { loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply the pending database migrations (sql/migrations) and exit',
  usage: 'territoire migrate [--list]',
  options: {
    list: { type: 'boolean', description: 'print the known migrations and whether each is applied, change nothing' },
  },
  details: () => 'Uses DATABASE_URL, or the embedded database in HUB_DATA_DIR when it is unset.',
  async run({ values, env }) {
    const { config, log } = loadConfig(env)
    const { loadMigrations, migrate } = await import('../sql/index.ts')
    const migrations = await loadMigrations()
    return withDatabase(config, log, async (database) => {
      if (values.list) {
        const { rows } = await database.pool
          .query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM schema_migration')
          .catch(() => ({ rows: [] as { version: number; applied_at: Date }[] }))
        const applied = new Map(rows.map((r) => [r.version, r.applied_at]))
        for (const m of migrations) process.stdout.write(`${m.name}\t${applied.get(m.version)?.toISOString() ?? 'pending'}\n`)
        return 0
      }
      const report = await migrate(database.pool, log, migrations)
      process.stdout.write(
        report.applied.length === 0
          ? `database up to date (${report.alreadyApplied} migrations)\n`
          : `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}\n`,
      )
      return 0
    }, { requireMigrated: false })
  },
}
