import { readFile } from 'node:fs/promises'
import { InvalidInputError } from '../core/index.ts'
import { loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

const USAGE = 'territoire holidays <file.csv> [--zone "Zone B"]'

export const holidaysCommand: Command = {
  name: 'holidays',
  summary: 'School holidays (schools are empty then): the Éducation nationale calendar for a zone, or a starts,ends,label CSV',
  usage: USAGE,
  options: { zone: { type: 'string', description: 'the zone of the national calendar: "Zone A", "Zone B" (the Somme), "Zone C", "Corse"' } },
  details: () =>
    [
      'The national calendar is the open dataset « Calendrier scolaire » (data.education.gouv.fr, fr-en-calendrier-scolaire, CSV);',
      'its "Date de fin" is the day classes resume, so the holiday ends the day before. Pupils\' dates are kept, not teachers\'.',
      'Importing again updates the holidays that start on the same day.',
    ].join('\n'),
  async run({ positionals, values, env }) {
    const [file, ...extra] = positionals
    if (!file || extra.length > 0) throw new InvalidInputError(`usage: ${USAGE}`)
    const { config, log } = loadConfig(env)
    const { importSchoolHolidays, parseSchoolHolidays } = await import('../ingestion/school-holidays.ts')
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`)
    }
    const holidays = parseSchoolHolidays(text, file, (values as { zone?: string }).zone ?? null)
    const n = await withDatabase(config, log, (database) => importSchoolHolidays(database.db, holidays))
    process.stdout.write(`${n} school holiday period(s) written, from ${holidays[0]!.starts} to ${holidays.at(-1)!.ends}\n`)
    return 0
  },
}
