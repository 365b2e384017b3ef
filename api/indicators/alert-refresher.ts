/**
 * Raises alerts from the indicator rollups, each with a reason in French and its day:
 * - **over_consumption / under_consumption**: a building's day of a carrier that departs from its
 *   own expected value by a robust score (robust-anomalies.ts) over the last WINDOW_DAYS complete
 *   days. Expected: the building's energy signature on the day's DJU when its EPCI has a weather
 *   station and the signature depends on the weather; otherwise the median of the same weekday in
 *   the window (a building's week has its rhythm). Only complete days are scored: each meter's
 *   step from its previous reading counted (not a meter's first day, nor a day after a gap).
 * - **confinement**: a school day whose ICONE (icone.ts, over the day's occupied CO₂ readings) is 4
 *   or 5 ("très élevé", "extrême").
 * - **night_base_load** (refreshBaseLoadAlerts, once a day): a building whose mean power when empty
 *   is above BASE_LOAD_SIGNAL of its mean power in use over the last 28 days; one a week at most
 *   (dated the week's Monday).
 * An alert is raised once (a building, kind, carrier and day); it stays open until closed.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { BASE_LOAD_SIGNAL } from './base-load.ts'
import { BASE_LOAD_DAYS, buildingBaseLoad } from './building-base-load.ts'
import { stationDegreeDays } from './building-signature.ts'
import { energySignature } from './energy-signature.ts'
import { icone } from './icone.ts'
import { median, robustAnomalies, type Residual } from './robust-anomalies.ts'

export const WINDOW_DAYS = 56
const CONFINEMENT_FROM = 4
const DAY_MS = 86_400_000

const number = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 })
const score = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 })
const frenchDate = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`

interface AlertRow {
  building_id: string
  carrier: string | null
  kind: 'over_consumption' | 'under_consumption' | 'confinement' | 'night_base_load'
  day: string
  reason: string
  value: number
  expected: number | null
  score: number | null
}

/** `today`: the local day of the refresh; days before it are complete. */
export async function refreshAlerts(db: Kysely<Schema>, today: string): Promise<{ raised: number }> {
  const from = new Date(Date.parse(`${today}T00:00:00Z`) - WINDOW_DAYS * DAY_MS).toISOString().slice(0, 10)
  const { rows: series } = await sql<{ building_id: string; epci: string | null; station: string | null; carrier: string; label: string; unit: string; day: string; consumption: number }>`
    SELECT d.building_id, c.epci_siren AS epci, e2.weather_station AS station, s.carrier, k.label, k.unit, e.day::text AS day, sum(e.consumption)::float8 AS consumption
    FROM energy_daily e JOIN sensor s ON s.sid = e.sid JOIN device d ON d.id = s.device_id JOIN energy_carrier k ON k.id = s.carrier
    JOIN building b ON b.id = d.building_id JOIN commune c ON c.insee = b.commune_insee LEFT JOIN epci e2 ON e2.siren = c.epci_siren
    WHERE e.day >= ${from}::date AND e.day < ${today}::date
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING bool_and(e.joined) -- a day after a gap, or a meter's first day, is incomplete: not scored
    ORDER BY 1, 4, 7`.execute(db)

  const alerts: AlertRow[] = []
  const djuByStation = new Map<string, Map<string, number>>()
  for (let i = 0; i < series.length; ) {
    const { building_id: building, carrier, label, unit, station } = series[i]!
    const days: { day: string; consumption: number }[] = []
    for (; i < series.length && series[i]!.building_id === building && series[i]!.carrier === carrier; i++) days.push(series[i]!)
    let dju: Map<string, number> | undefined
    if (station) {
      dju = djuByStation.get(station)
      if (!dju) djuByStation.set(station, (dju = await stationDegreeDays(db, station, from, today)))
    }
    const points = dju ? days.filter((d) => dju!.has(d.day)).map((d) => ({ dju: dju!.get(d.day)!, consumption: d.consumption })) : []
    const signature = energySignature(points)
    let residuals: Residual[]
    if (signature?.weatherDependent && dju) {
      residuals = days.filter((d) => dju!.has(d.day)).map((d) => ({ day: d.day, actual: d.consumption, expected: signature.base + signature.slope * dju!.get(d.day)! }))
    } else {
      const byWeekday = new Map<number, number[]>()
      for (const d of days) {
        const w = new Date(`${d.day}T12:00:00Z`).getUTCDay()
        byWeekday.set(w, [...(byWeekday.get(w) ?? []), d.consumption])
      }
      residuals = days.map((d) => ({ day: d.day, actual: d.consumption, expected: median(byWeekday.get(new Date(`${d.day}T12:00:00Z`).getUTCDay())!) }))
    }
    for (const a of robustAnomalies(residuals)) {
      const over = a.actual > a.expected
      alerts.push({
        building_id: building,
        carrier,
        kind: over ? 'over_consumption' : 'under_consumption',
        day: a.day,
        reason: `${label} le ${frenchDate(a.day)} : ${number.format(a.actual)} ${unit} pour ${number.format(a.expected)} ${unit} attendus ` +
          `(${signature?.weatherDependent && dju ? 'signature énergétique et DJU du jour' : 'médiane du même jour de la semaine'} ; écart robuste ${score.format(a.score)})`,
        value: a.actual,
        expected: a.expected,
        score: a.score,
      })
    }
  }

  const { rows: schools } = await sql<{ building_id: string; day: string; n: number; f1: number; f2: number }>`
    SELECT d.building_id, a.day::text AS day, sum(a.occupied_n)::int AS n, sum(a.co2_1000_1700)::int AS f1, sum(a.co2_above_1700)::int AS f2
    FROM air_daily a JOIN sensor s ON s.sid = a.sid JOIN device d ON d.id = s.device_id JOIN building b ON b.id = d.building_id
    WHERE b.usage = 'ecole' AND a.day >= ${from}::date AND a.day < ${today}::date AND a.occupied_n > 0
    GROUP BY 1, 2`.execute(db)
  for (const s of schools) {
    const i = icone({ n: s.n, n1000to1700: s.f1, nAbove1700: s.f2 })
    if (i && i.index >= CONFINEMENT_FROM) {
      alerts.push({
        building_id: s.building_id, carrier: null, kind: 'confinement', day: s.day,
        reason: `Confinement de l’air ${i.index === 5 ? 'extrême' : 'très élevé'} le ${frenchDate(s.day)} : ICONE ${i.index} ` +
          `(${number.format(i.f1 * 100)} % des mesures de CO₂ entre 1 000 et 1 700 ppm, ${number.format(i.f2 * 100)} % au-delà, en période d’occupation)`,
        value: i.index, expected: null, score: null,
      })
    }
  }
  return insertAlerts(db, alerts)
}

const kw = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 })

/** `yesterday`: the last complete local day. */
export async function refreshBaseLoadAlerts(db: Kysely<Schema>, yesterday: string, timeZone: string): Promise<{ raised: number }> {
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT d.building_id AS id FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier k ON k.id = s.carrier
    WHERE d.building_id IS NOT NULL AND s.kind = 'counter' AND k.unit = 'kWh' ORDER BY 1`.execute(db)
  const date = new Date(`${yesterday}T12:00:00Z`)
  const monday = new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * DAY_MS).toISOString().slice(0, 10)
  const alerts: AlertRow[] = []
  for (const { id } of rows) {
    const b = await buildingBaseLoad(db, id, yesterday, timeZone)
    if (b.ratio === null || b.ratio <= BASE_LOAD_SIGNAL) continue
    alerts.push({
      building_id: id, carrier: null, kind: 'night_base_load', day: monday,
      reason: `Consommation hors occupation : ${kw.format(b.unoccupied_kw!)} kW en moyenne, ${number.format(b.ratio * 100)} % de la puissance moyenne en occupation ` +
        `(${kw.format(b.occupied_kw!)} kW), sur les ${BASE_LOAD_DAYS} jours au ${frenchDate(yesterday)}` + (b.night_kw === null ? '' : ` ; la nuit (0 h–5 h) : ${kw.format(b.night_kw)} kW`),
      value: b.ratio, expected: BASE_LOAD_SIGNAL, score: null,
    })
  }
  return insertAlerts(db, alerts)
}

async function insertAlerts(db: Kysely<Schema>, alerts: readonly AlertRow[]): Promise<{ raised: number }> {
  if (alerts.length === 0) return { raised: 0 }
  const result = await sql`
    INSERT INTO alert (building_id, carrier, kind, day, reason, value, expected, score)
    SELECT * FROM unnest(${alerts.map((a) => a.building_id)}::text[], ${alerts.map((a) => a.carrier)}::text[], ${alerts.map((a) => a.kind)}::text[],
                         ${alerts.map((a) => a.day)}::date[], ${alerts.map((a) => a.reason)}::text[], ${alerts.map((a) => a.value)}::float8[],
                         ${alerts.map((a) => a.expected)}::float8[], ${alerts.map((a) => a.score)}::float8[])
    ON CONFLICT (building_id, kind, carrier, day) DO NOTHING`.execute(db)
  return { raised: Number(result.numAffectedRows ?? 0) }
}
