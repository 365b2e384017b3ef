/**
 * Outdoor temperatures for degree-days: a weather station and its daily minimum and maximum,
 * imported from a CSV file — Météo-France's daily climatological data (meteo.data.gouv.fr:
 * `NUM_POSTE;…;AAAAMMJJ;…;TN;…;TX;…`, one or several stations) or any file with a day column
 * (`date`, `day`, `jour` or `AAAAMMJJ`; YYYY-MM-DD or YYYYMMDD) and `tmin`/`TN`, `tmax`/`TX`
 * (°C; `,` or `;` separated, decimal commas accepted with `;`) — or one of the hub's outdoor
 * temperature sensors, whose daily rollups then give the station's days. The station is attached
 * to the EPCI given: their buildings' degree-days come from it.
 */
import { sql, type Kysely } from 'kysely'
import { InvalidInputError } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'

export interface WeatherDay {
  readonly day: string
  readonly tmin: number
  readonly tmax: number
}

export interface WeatherFile {
  readonly days: readonly WeatherDay[]
  /** Lines without both temperatures (a station's gaps): skipped, counted. */
  readonly skipped: number
}

const DAY_COLUMNS = ['date', 'day', 'jour', 'aaaammjj']

/** `poste`: the station to keep when the file holds several (Météo-France's NUM_POSTE). */
export function parseWeatherCsv(text: string, name: string, poste: string | null = null): WeatherFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines.length === 0) throw new InvalidInputError(`${name} is empty`)
  const sep = lines[0]!.includes(';') ? ';' : ','
  const header = lines[0]!.split(sep).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase())
  const column = (names: readonly string[], what: string) => {
    const i = header.findIndex((h) => names.includes(h))
    if (i < 0) throw new InvalidInputError(`${name}: no ${what} column (one of ${names.join(', ')}) in the header line`)
    return i
  }
  const dayAt = column(DAY_COLUMNS, 'day')
  const tminAt = column(['tmin', 'tn'], 'minimum temperature')
  const tmaxAt = column(['tmax', 'tx'], 'maximum temperature')
  const posteAt = header.indexOf('num_poste')
  const postes = posteAt < 0 ? [] : [...new Set(lines.slice(1).map((l) => l.split(sep)[posteAt]!.trim()))]
  if (poste === null && postes.length > 1) {
    throw new InvalidInputError(`${name} holds ${postes.length} stations (NUM_POSTE ${postes.slice(0, 5).join(', ')}${postes.length > 5 ? ', …' : ''}): choose one with --poste`)
  }
  if (poste !== null && posteAt >= 0 && !postes.includes(poste)) throw new InvalidInputError(`${name} has no station ${poste} (NUM_POSTE: ${postes.slice(0, 5).join(', ')})`)
  const number = (raw: string | undefined) => {
    const v = (raw ?? '').trim().replace(/^"|"$/g, '')
    if (v === '') return null
    const n = Number(sep === ';' ? v.replace(',', '.') : v)
    return Number.isFinite(n) ? n : Number.NaN
  }
  const days: WeatherDay[] = []
  let skipped = 0
  lines.slice(1).forEach((line, i) => {
    const f = line.split(sep)
    if (poste !== null && posteAt >= 0 && f[posteAt]!.trim() !== poste) return
    const at = `${name} line ${i + 2}`
    const rawDay = (f[dayAt] ?? '').trim().replace(/^"|"$/g, '')
    const day = /^\d{8}$/.test(rawDay) ? `${rawDay.slice(0, 4)}-${rawDay.slice(4, 6)}-${rawDay.slice(6, 8)}` : rawDay
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) throw new InvalidInputError(`${at}: "${rawDay}" is not a day (YYYY-MM-DD or YYYYMMDD)`)
    const tmin = number(f[tminAt])
    const tmax = number(f[tmaxAt])
    if (Number.isNaN(tmin) || Number.isNaN(tmax)) throw new InvalidInputError(`${at}: a temperature is not a number`)
    if (tmin === null || tmax === null) {
      skipped++
      return
    }
    if (tmin < -60 || tmax > 60 || tmax < tmin) throw new InvalidInputError(`${at}: minimum ${tmin} °C and maximum ${tmax} °C are not a day's temperatures`)
    days.push({ day, tmin, tmax })
  })
  return { days, skipped }
}

export interface StationSpec {
  readonly id: string
  readonly nom: string
  readonly referenceDju: number | null
  readonly epci: readonly string[]
  /** A temperature sensor of the hub (its public id) instead of a file. */
  readonly sensor: string | null
}

/** Creates or updates the station, upserts its days, attaches it to the EPCI; what was written. */
export async function importWeather(db: Kysely<Schema>, station: StationSpec, days: readonly WeatherDay[]): Promise<{ days: number; epci: number }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(station.id)) throw new InvalidInputError(`station id "${station.id}": letters, digits, dot, dash, underscore (at most 64)`)
  return db.transaction().execute(async (trx) => {
    let sid: number | null = null
    if (station.sensor !== null) {
      const found = await trx.selectFrom('sensor').select(['sid', 'quantity']).where('id', '=', station.sensor).executeTakeFirst()
      if (!found) throw new InvalidInputError(`no sensor ${station.sensor}`)
      if (found.quantity !== 'temperature') throw new InvalidInputError(`sensor ${station.sensor} measures ${found.quantity}, not temperature`)
      sid = found.sid
    }
    await sql`
      INSERT INTO weather_station (id, nom, sensor_sid, reference_dju) VALUES (${station.id}, ${station.nom}, ${sid}, ${station.referenceDju})
      ON CONFLICT (id) DO UPDATE SET nom = excluded.nom, sensor_sid = coalesce(excluded.sensor_sid, weather_station.sensor_sid),
        reference_dju = coalesce(excluded.reference_dju, weather_station.reference_dju)`.execute(trx)
    if (days.length > 0) {
      await sql`
        INSERT INTO weather_daily (station, day, tmin, tmax)
        SELECT ${station.id}, * FROM unnest(${days.map((d) => d.day)}::date[], ${days.map((d) => d.tmin)}::float8[], ${days.map((d) => d.tmax)}::float8[])
        ON CONFLICT (station, day) DO UPDATE SET tmin = excluded.tmin, tmax = excluded.tmax`.execute(trx)
    }
    let epci = 0
    if (station.epci.length > 0) {
      const result = await sql`UPDATE epci SET weather_station = ${station.id} WHERE siren = ANY(${[...station.epci]}::text[])`.execute(trx)
      epci = Number(result.numAffectedRows ?? 0)
      if (epci !== station.epci.length) throw new InvalidInputError(`an EPCI of --epci is not loaded (${station.epci.join(', ')})`)
    }
    return { days: days.length, epci }
  })
}
