import { readFile } from 'node:fs/promises'
import { InvalidInputError } from '../core/index.ts'
import { loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

const USAGE = 'territoire weather <file.csv> --station <id> [--name <nom>] [--reference-dju <n>] [--epci <siren,…>] [--poste <NUM_POSTE>]\n' +
  '       territoire weather --sensor <sensor id> --station <id> [--name <nom>] [--reference-dju <n>] [--epci <siren,…>]'

export const weatherCommand: Command = {
  name: 'weather',
  summary: 'Outdoor temperatures for degree-days: a station from a daily CSV (Météo-France) or a temperature sensor, attached to EPCI',
  usage: USAGE,
  options: {
    station: { type: 'string', description: 'id of the station (created or updated)' },
    name: { type: 'string', description: 'its name, as shown (default: the id)' },
    'reference-dju': { type: 'string', description: 'degree-days of a normal year at the station (climate correction)' },
    epci: { type: 'string', description: 'SIREN of the EPCI whose buildings use this station, comma-separated' },
    poste: { type: 'string', description: 'Météo-France NUM_POSTE to keep from a file of several stations' },
    sensor: { type: 'string', description: 'a temperature sensor of the hub (its id) instead of a file' },
  },
  details: () =>
    [
      'CSV: Météo-France daily data (meteo.data.gouv.fr: AAAAMMJJ, TN, TX; --poste picks a station when the file holds several),',
      'or any file with a day column (date, day, jour, AAAAMMJJ) and tmin/TN, tmax/TX in °C. Days without both are skipped.',
      '--reference-dju: the station\'s normal year (e.g. a 30-year mean), what consumption is corrected to (décret tertiaire).',
      'Importing again updates the days. See docs/indicators.md.',
    ].join('\n'),
  async run({ positionals, values, env }) {
    const [file, ...extra] = positionals
    const v = values as Record<string, string | undefined>
    if (extra.length > 0 || !v.station || (file === undefined) === (v.sensor === undefined)) throw new InvalidInputError(`usage: ${USAGE}`)
    const referenceDju = v['reference-dju'] === undefined ? null : Number(v['reference-dju'])
    if (referenceDju !== null && !(referenceDju > 0 && referenceDju < 10_000)) throw new InvalidInputError(`--reference-dju must be a positive number of degree-days (got "${v['reference-dju']}")`)
    const epci = (v.epci ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    for (const siren of epci) if (!/^\d{9}$/.test(siren)) throw new InvalidInputError(`--epci: "${siren}" is not a 9-digit SIREN`)
    const { config, log } = loadConfig(env)
    const { importWeather, parseWeatherCsv } = await import('../ingestion/weather-import.ts')
    let parsed = { days: [] as { day: string; tmin: number; tmax: number }[], skipped: 0 }
    if (file !== undefined) {
      let text: string
      try {
        text = await readFile(file, 'utf8')
      } catch (error) {
        throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`)
      }
      parsed = { ...parseWeatherCsv(text, file, v.poste ?? null) } as typeof parsed
    }
    const spec = { id: v.station, nom: v.name ?? v.station, referenceDju, epci, sensor: v.sensor ?? null }
    const report = await withDatabase(config, log, (database) => importWeather(database.db, spec, parsed.days))
    process.stdout.write(`station ${spec.id}: ${report.days} day(s) written${parsed.skipped ? `, ${parsed.skipped} without both temperatures skipped` : ''}, ${report.epci} EPCI attached\n`)
    return 0
  },
}
