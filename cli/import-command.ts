import { InvalidInputError, errorMessage } from '../core/index.ts'
import { ImportRefusedError } from '../ingestion/import/import-errors.ts'
import { cliActor, EXIT_FAILURE, EXIT_USAGE, loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

const KINDS_HELP = [
  'Kinds:',
  '  parcelles, batiments, sections, lieux_dits   Etalab cadastre GeoJSON (.json or .json.gz): one commune file, or a',
  '                                               folder (a département): every *-<kind>.json[.gz] in it',
  '  batiments-publics                            public buildings (GeoJSON footprints with id, nom, usage…)',
  '  communes                                     a folder of COG files: epci*.json, communes*.json, *deleguees*.json, communes*.geojson',
]

export const importCommand: Command = {
  name: 'import',
  summary: 'Import cadastre, boundaries or public buildings: `import <kind> <file|folder>`',
  usage: 'territoire import <kind> <file|folder>',
  options: {},
  details: () =>
    [
      ...KINDS_HELP,
      '',
      'Files stream (any size, bounded memory); each file is one transaction: a refused file (broken JSON or gzip,',
      'not a FeatureCollection, not WGS 84 lon/lat) keeps nothing and stops the run with exit status 1.',
      'Importing again updates (upsert by key); a cadastre file replaces its communes’ rows of that layer.',
      'A summary is printed on stdout; a progress bar on stderr when it is a terminal.',
      'Uses DATABASE_URL, or the embedded database in HUB_DATA_DIR (stop the hub first, or use POST /api/imports/{kind}).',
      'Property names and rules: docs/import.md.',
    ].join('\n'),
  async run({ positionals, env }) {
    const fail = (message: string, status: number) => {
      process.stderr.write(`territoire import: ${message}\n`)
      return status
    }
    const [kindName, target, ...extra] = positionals
    const { COMMUNES_KIND, FEATURE_KINDS, IMPORT_KINDS } = await import('../ingestion/import/index.ts')
    if (!kindName || !target || extra.length > 0) return fail(`usage: territoire import <kind> <file|folder> (kinds: ${IMPORT_KINDS.join(', ')})`, EXIT_USAGE)
    const kind = FEATURE_KINDS.get(kindName)
    if (!kind && kindName !== COMMUNES_KIND) return fail(`unknown kind "${kindName}" (kinds: ${IMPORT_KINDS.join(', ')})`, EXIT_USAGE)

    const { config, log } = loadConfig(env)
    const { findKindFiles, formatSummary, importCommunes, importFiles, logProgress, terminalProgress } = await import('../ingestion/import/index.ts')
    try {
      // Files are found and checked before the database is opened: a wrong path costs nothing.
      const files = kind ? await findKindFiles(kind.name, target) : null
      const { recordAudit } = await import('../sql/index.ts')
      const summary = await withDatabase(config, log, async (database) => {
        const progress = process.stderr.isTTY ? terminalProgress(process.stderr) : logProgress(log.child('import'))
        const done = !kind || !files ? await importCommunes(database.db, target, log.child('import')) : await importFiles(database.db, kind, files, { progress })
        await recordAudit(database.db, { actor: cliActor(env), action: 'import.run', target: kind?.name ?? 'communes', detail: { via: 'cli', source: target } })
        return done
      })
      process.stdout.write(formatSummary(summary) + '\n')
      return 0
    } catch (error) {
      // A refused file or a bad COG file: one line, exit 1 (the operator fixes the data, not the command).
      if (error instanceof InvalidInputError || error instanceof ImportRefusedError) {
        return fail(errorMessage(error), EXIT_FAILURE)
      }
      throw error
    }
  },
}
