/**
 * School holidays, when schools are empty (ICONE, comfort hours, base load count occupied hours
 * only): from the Éducation nationale's open calendar (data.education.gouv.fr,
 * « fr-en-calendrier-scolaire »: `Description;Population;Date de début;Date de fin;Zones;…`, the
 * end being the day classes resume), for the zone given (Amiens and the Somme: zone B), or from a
 * plain CSV `starts,ends,label` (both days included).
 */
import { sql, type Kysely } from 'kysely'
import { InvalidInputError } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'

export interface SchoolHoliday {
  readonly starts: string
  readonly ends: string
  readonly label: string
}

const DAY_MS = 86_400_000

/** The local (Paris) calendar day of an instant written with its offset, or a day as is. */
function parisDay(value: string, at: string): string {
  const v = value.trim().replace(/^"|"$/g, '')
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  const ms = Date.parse(v)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) throw new InvalidInputError(`${at}: "${v}" is not a date`)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms))
}

const dayBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10)

export function parseSchoolHolidays(text: string, name: string, zone: string | null): SchoolHoliday[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines.length === 0) throw new InvalidInputError(`${name} is empty`)
  const sep = lines[0]!.includes(';') ? ';' : ','
  const header = lines[0]!.split(sep).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase())
  const official = header.includes('date de début') || header.includes('start_date')
  const holidays = new Map<string, SchoolHoliday>()
  if (official) {
    const col = (names: string[]) => header.findIndex((h) => names.includes(h))
    const [desc, pop, start, end, zones] = [col(['description']), col(['population']), col(['date de début', 'start_date']), col(['date de fin', 'end_date']), col(['zones', 'zone'])]
    if ([desc, start, end, zones].some((i) => i < 0)) throw new InvalidInputError(`${name}: expected the columns Description, Date de début, Date de fin, Zones`)
    if (zone === null) throw new InvalidInputError(`${name} is the national calendar: choose the zone with --zone (e.g. "Zone B" for the Somme)`)
    const wanted = zone.toLowerCase().startsWith('zone') || zone.toLowerCase() === 'corse' ? zone.toLowerCase() : `zone ${zone.toLowerCase()}`
    lines.slice(1).forEach((line, i) => {
      const f = line.split(sep)
      const at = `${name} line ${i + 2}`
      if ((f[zones] ?? '').trim().toLowerCase() !== wanted) return
      if (pop >= 0 && /enseignant/i.test(f[pop] ?? '')) return // teachers' own dates: the pupils' are what empties a school
      const starts = parisDay(f[start] ?? '', at)
      const resume = parisDay(f[end] ?? '', at)
      const ends = dayBefore(resume) // "Date de fin" is the day classes resume
      if (ends < starts) return // a one-day entry (a "pont" listed as its resumption day): nothing empty
      holidays.set(starts, { starts, ends, label: (f[desc] ?? '').trim().replace(/^"|"$/g, '') })
    })
    if (holidays.size === 0) throw new InvalidInputError(`${name}: no holiday for ${zone} (zones are written like "Zone B")`)
  } else {
    const [s, e, l] = ['starts', 'ends', 'label'].map((n) => header.indexOf(n))
    if (s! < 0 || e! < 0) throw new InvalidInputError(`${name}: expected a header starts,ends,label (days included) or the Éducation nationale calendar`)
    lines.slice(1).forEach((line, i) => {
      const f = line.split(sep)
      const at = `${name} line ${i + 2}`
      const starts = (f[s!] ?? '').trim()
      const ends = (f[e!] ?? '').trim()
      for (const d of [starts, ends]) if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) throw new InvalidInputError(`${at}: "${d}" is not a day (YYYY-MM-DD)`)
      if (ends < starts) throw new InvalidInputError(`${at}: ends (${ends}) is before starts (${starts})`)
      holidays.set(starts, { starts, ends, label: l! >= 0 ? (f[l!] ?? '').trim() : 'Vacances scolaires' })
    })
  }
  return [...holidays.values()].sort((a, b) => a.starts.localeCompare(b.starts))
}

/** Upserts the holidays by their first day. */
export async function importSchoolHolidays(db: Kysely<Schema>, holidays: readonly SchoolHoliday[]): Promise<number> {
  if (holidays.length === 0) return 0
  await sql`
    INSERT INTO school_holiday (starts, ends, label)
    SELECT * FROM unnest(${holidays.map((h) => h.starts)}::date[], ${holidays.map((h) => h.ends)}::date[], ${holidays.map((h) => h.label)}::text[])
    ON CONFLICT (starts) DO UPDATE SET ends = excluded.ends, label = excluded.label`.execute(db)
  return holidays.length
}
