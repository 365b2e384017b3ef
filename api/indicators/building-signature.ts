/**
 * A building's energy signature per carrier over a period, from its daily consumption
 * (`energy_daily`) and the degree-days of its EPCI's weather station: the station's imported
 * daily series, or the daily minimum and maximum of its outdoor sensor (a day counts when its
 * readings span at least 20 hours). With the station's reference DJU (a normal year's), the
 * climate-corrected consumption of a calendar year: `base × days + slope × reference DJU`. A
 * shorter period has none: a normal year's DJU do not split evenly over its days.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { degreeDays } from './degree-days.ts'
import { climateCorrected, energySignature, heatingShare, MIN_SIGNATURE_POINTS, type EnergySignature } from './energy-signature.ts'
import type { IndicatorPeriod } from './indicator-period.ts'

/** A sensor's day counts as a station day when its readings span this much of it. */
const MIN_SPAN_HOURS = 20

export interface Station {
  readonly id: string
  readonly nom: string
  readonly reference_dju: number | null
}

export interface CarrierSignature {
  readonly carrier: string
  readonly unit: string
  /** Days with both a consumption and a DJU. */
  readonly points: readonly { readonly day: string; readonly dju: number; readonly consumption: number }[]
  readonly signature: {
    readonly base_per_day: number
    readonly slope_per_dju: number
    readonly r2: number
    readonly weather_dependent: boolean
  } | null
  /** Why there is no signature, in French, for the panel. */
  readonly reason: string | null
  readonly actual_consumption: number
  readonly heating_share: number | null
  /** For a calendar year; null without a signature or a reference DJU. */
  readonly corrected_consumption: number | null
}

export interface BuildingSignature {
  readonly station: Station | null
  readonly dju: { readonly total: number; readonly days: number } | null
  readonly carriers: readonly CarrierSignature[]
  /** Σ over kWh carriers: corrected where a signature allows it, else actual; null when no carrier has a correction. */
  readonly corrected_energy_kwh: number | null
  readonly actual_energy_kwh: number
}

export async function stationOf(db: Kysely<Schema>, epci: string | null): Promise<Station | null> {
  if (epci === null) return null
  const { rows } = await sql<Station>`
    SELECT w.id, w.nom, w.reference_dju FROM epci e JOIN weather_station w ON w.id = e.weather_station WHERE e.siren = ${epci}`.execute(db)
  return rows[0] ?? null
}

/** The station's DJU per day of the period. */
export async function stationDegreeDays(db: Kysely<Schema>, station: string, from: string, to: string): Promise<Map<string, number>> {
  const { rows } = await sql<{ day: string; tmin: number; tmax: number }>`
    SELECT day::text AS day, tmin, tmax FROM weather_daily WHERE station = ${station} AND day BETWEEN ${from}::date AND ${to}::date
    UNION ALL
    SELECT d.day::text, d.min, d.max FROM weather_station w JOIN reading_daily d ON d.sid = w.sensor_sid
    WHERE w.id = ${station} AND d.day BETWEEN ${from}::date AND ${to}::date
      AND d.last_ts - d.first_ts >= make_interval(hours => ${MIN_SPAN_HOURS})
      AND NOT EXISTS (SELECT 1 FROM weather_daily x WHERE x.station = w.id AND x.day = d.day)`.execute(db)
  const dju = new Map<string, number>()
  for (const r of rows) dju.set(r.day, degreeDays(r.tmin, r.tmax)!)
  return dju
}

export async function buildingSignature(db: Kysely<Schema>, buildingId: string, station: Station | null, period: IndicatorPeriod): Promise<BuildingSignature> {
  const { rows } = await sql<{ carrier: string; unit: string; day: string; consumption: number }>`
    SELECT s.carrier, c.unit, e.day::text AS day, sum(e.consumption)::float8 AS consumption
    FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier c ON c.id = s.carrier JOIN energy_daily e ON e.sid = s.sid
    WHERE d.building_id = ${buildingId} AND e.day BETWEEN ${period.from}::date AND ${period.to}::date
    GROUP BY 1, 2, 3 ORDER BY 1, 3`.execute(db)
  const dju = station ? await stationDegreeDays(db, station.id, period.from, period.to) : new Map<string, number>()
  const byCarrier = new Map<string, { unit: string; days: { day: string; consumption: number }[] }>()
  for (const r of rows) {
    const c = byCarrier.get(r.carrier) ?? { unit: r.unit, days: [] }
    c.days.push({ day: r.day, consumption: r.consumption })
    byCarrier.set(r.carrier, c)
  }
  const carriers: CarrierSignature[] = []
  for (const [carrier, { unit, days }] of byCarrier) {
    const actual = days.reduce((a, d) => a + d.consumption, 0)
    const points = days.filter((d) => dju.has(d.day)).map((d) => ({ day: d.day, dju: dju.get(d.day)!, consumption: d.consumption }))
    const s: EnergySignature | null = energySignature(points)
    const reason = !station
      ? 'aucune station météo pour l’EPCI du bâtiment'
      : s === null
        ? `moins de ${MIN_SIGNATURE_POINTS} jours avec consommation et DJU (${points.length})`
        : null
    const sumDju = points.reduce((a, p) => a + p.dju, 0)
    const sumPoints = points.reduce((a, p) => a + p.consumption, 0)
    carriers.push({
      carrier,
      unit,
      points,
      signature: s && { base_per_day: s.base, slope_per_dju: s.slope, r2: s.r2, weather_dependent: s.weatherDependent },
      reason,
      actual_consumption: actual,
      heating_share: s ? heatingShare(s, sumDju, sumPoints) : null,
      corrected_consumption: s && station?.reference_dju && period.year !== null ? climateCorrected(s, period.days, station.reference_dju) : null,
    })
  }
  const energy = carriers.filter((c) => c.unit === 'kWh')
  const anyCorrected = energy.some((c) => c.corrected_consumption !== null)
  return {
    station,
    dju: station ? { total: [...dju.values()].reduce((a, v) => a + v, 0), days: dju.size } : null,
    carriers,
    corrected_energy_kwh: anyCorrected ? energy.reduce((a, c) => a + (c.corrected_consumption ?? c.actual_consumption), 0) : null,
    actual_energy_kwh: energy.reduce((a, c) => a + c.actual_consumption, 0),
  }
}
