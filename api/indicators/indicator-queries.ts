/**
 * The indicators as the API answers them, read from the rollups the refresher keeps (migration
 * 0012): `energy_daily` for a building (any period), `energy_monthly` for a commune or an EPCI (a
 * calendar year), `air_daily` for ICONE, `alert`, and the hourly rollups of the last 25 hours for
 * sensor coverage. Never a scan of raw readings. Units are in the field names, or
 * given beside the value (`unit`) where a carrier's unit varies (kWh, m³).
 */
import { sql, type Kysely } from 'kysely'
import { NotFoundError, scopeAdmits, scopeSeesCommune, scopeSeesEpci, type Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { buildingBaseLoad, type BuildingBaseLoad } from './building-base-load.ts'
import { buildingSignature, stationOf } from './building-signature.ts'
import { localDay } from './indicator-refresher.ts'
import { isSubjectToDecret, trajectoryStatus, type TrajectoryStatus } from './decret-tertiaire.ts'
import { icone, type Icone } from './icone.ts'
import { yearPeriod, type IndicatorPeriod } from './indicator-period.ts'

/** Carriers counted in energy totals (kWh); water (m³) is reported on its own. */
const ENERGY_UNIT = 'kWh'
const HEARD_WITHIN_HOURS = 24

export interface CarrierFigures {
  readonly carrier: string
  readonly label: string
  readonly unit: string
  readonly consumption: number
  readonly cost_eur: number | null
  readonly co2_kg: number | null
  readonly co2_source: string | null
}

export interface EnergyTotals {
  readonly energy_kwh: number
  /** null when no carrier of the period has a tariff. */
  readonly cost_eur: number | null
  readonly co2_kg: number | null
}

interface CarrierRow {
  carrier: string
  label: string
  unit: string
  price: number | null
  factor: number | null
  co2_source: string | null
  consumption: number
}

function figures(row: CarrierRow): CarrierFigures {
  return {
    carrier: row.carrier,
    label: row.label,
    unit: row.unit,
    consumption: row.consumption,
    cost_eur: row.price === null ? null : row.consumption * row.price,
    co2_kg: row.factor === null ? null : row.consumption * row.factor,
    co2_source: row.co2_source,
  }
}

/**
 * Energy (kWh carriers), cost (every carrier) and CO₂ (kWh carriers). A total is null when one of
 * its carriers used something without a tariff or a factor: a partial sum would read as the whole.
 */
function totals(carriers: readonly CarrierFigures[]): EnergyTotals {
  const energy = carriers.filter((c) => c.unit === ENERGY_UNIT)
  const sum = (list: readonly CarrierFigures[], value: (c: CarrierFigures) => number | null) =>
    list.some((c) => c.consumption > 0 && value(c) === null) ? null : list.reduce((a, c) => a + (value(c) ?? 0), 0)
  return {
    energy_kwh: energy.reduce((a, c) => a + c.consumption, 0),
    cost_eur: sum(carriers, (c) => c.cost_eur),
    co2_kg: sum(energy, (c) => c.co2_kg),
  }
}

const change = (current: number, previous: number | null) => (previous === null || previous === 0 ? null : (current - previous) / previous)

export interface BuildingIndicators {
  readonly building: {
    readonly id: string
    readonly nom: string
    readonly usage: string
    readonly floor_area_m2: number | null
    readonly commune: string
    readonly commune_nom: string
    /** The cadastral parcels (14-character ids) under the footprint, the largest share first. */
    readonly parcels: readonly string[]
    readonly epci: string | null
    readonly synthetic: boolean
  }
  readonly period: IndicatorPeriod
  readonly carriers: readonly (CarrierFigures & { readonly meters: number; readonly days_measured: number; readonly resets: number })[]
  readonly totals: EnergyTotals & {
    /** Energy (kWh carriers) per m² of floor area over the period. */
    readonly energy_kwh_per_m2: number | null
    /** The same for a calendar year: kWh/m²/year. */
    readonly energy_kwh_per_m2_year: number | null
  }
  /** The previous calendar year's totals, when the period is a calendar year. */
  readonly previous_year: (EnergyTotals & { readonly change: number | null }) | null
  readonly monthly: readonly { readonly month: string; readonly carrier: string; readonly consumption: number }[]
  readonly daily: readonly { readonly day: string; readonly carrier: string; readonly consumption: number }[]
  /** Meter readings too far apart: their consumption is known but not given to any day. */
  readonly gaps: readonly { readonly sensor: string; readonly carrier: string; readonly from: string; readonly to: string; readonly hours: number; readonly consumption: number | null }[]
  readonly decret_tertiaire: {
    readonly subject: boolean
    readonly reference_year: number | null
    /** Climate-corrected kWh of the reference year: declared, or computed from the hub's data of that year. */
    readonly reference_kwh: number | null
    readonly reference_source: 'declared' | 'computed' | null
    /** Climate-corrected kWh of the requested calendar year (energy signature and the station's reference DJU). */
    readonly corrected_kwh: number | null
    /** Against the straight line to −40 % (2030), −50 % (2040), −60 % (2050); null when a figure is missing. */
    readonly trajectory: TrajectoryStatus | null
  }
  readonly open_alerts: number
  /** The building's sensors with their latest value (the newest hourly rollup), for charts and the panel. */
  readonly sensors: readonly { readonly id: string; readonly quantity: string; readonly unit: string; readonly carrier: string | null; readonly value: number | null; readonly at: string | null }[]
  /**
   * Waste signals: mean power (kW) in occupied hours, and when empty (all, night 00–05, weekend),
   * over the 28 days ending with the period's last day (or yesterday).
   */
  readonly base_load: BuildingBaseLoad
  /** Indoor air over the period's occupied hours: ICONE of the CO₂ readings, comfort hours of the temperature sensors. */
  readonly air: {
    readonly icone: Icone | null
    readonly occupied_hours: number
    readonly hours_below_19: number
    readonly hours_above_26: number
  }
}

/**
 * Décret tertiaire: the climate-corrected consumption of the period's calendar year, and the
 * reference year's — declared, or computed from the hub's data of that year.
 */
async function decretFigures(db: Kysely<Schema>, building: { readonly id: string; readonly epci: string | null; readonly reference_year: number | null; readonly reference_kwh: number | null }, period: IndicatorPeriod) {
  let corrected: number | null = null
  let reference: number | null = building.reference_kwh
  let referenceSource: 'declared' | 'computed' | null = reference === null ? null : 'declared'
  if (period.year !== null) {
    const station = await stationOf(db, building.epci)
    const [current, computed] = await Promise.all([
      buildingSignature(db, building.id, station, period),
      reference === null && building.reference_year !== null ? buildingSignature(db, building.id, station, yearPeriod(building.reference_year)) : Promise.resolve(null),
    ])
    corrected = current.corrected_energy_kwh
    if (computed && computed.corrected_energy_kwh !== null) {
      reference = computed.corrected_energy_kwh
      referenceSource = 'computed'
    }
  }
  return { corrected, reference, referenceSource }
}

export async function buildingIndicators(db: Kysely<Schema>, scope: Scope, id: string, period: IndicatorPeriod, timeZone = 'Europe/Paris'): Promise<BuildingIndicators> {
  const building = await scopedBuilding(db, scope, id)

  const carrierRows = async (p: IndicatorPeriod) =>
    (await sql<CarrierRow & { meters: number; days_measured: number; resets: number }>`
      SELECT s.carrier, c.label, c.unit, c.price_eur_per_unit AS price, c.co2_kg_per_unit AS factor, c.co2_source,
             coalesce(sum(e.consumption), 0)::float8 AS consumption, count(DISTINCT s.sid)::int AS meters,
             count(DISTINCT e.day)::int AS days_measured, coalesce(sum(e.resets), 0)::int AS resets
      FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier c ON c.id = s.carrier
      LEFT JOIN energy_daily e ON e.sid = s.sid AND e.day BETWEEN ${p.from}::date AND ${p.to}::date
      WHERE d.building_id = ${id}
      GROUP BY s.carrier, c.label, c.unit, c.price_eur_per_unit, c.co2_kg_per_unit, c.co2_source
      ORDER BY s.carrier`.execute(db)).rows
  // Every read below is independent of the others: they run at once, on the pool's connections.
  const yesterday = localDay(new Date(Date.now() - 86_400_000), timeZone)
  const [rows, beforeRows, { rows: series }, { rows: gaps }, { rows: alerts }, { rows: air }, { rows: sensors }, base, decret, { rows: parcels }] = await Promise.all([
    carrierRows(period),
    period.year === null ? Promise.resolve([]) : carrierRows(yearPeriod(period.year - 1)),
    sql<{ day: string; carrier: string; consumption: number }>`
      SELECT e.day::text AS day, s.carrier, sum(e.consumption)::float8 AS consumption
      FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_daily e ON e.sid = s.sid
      WHERE d.building_id = ${id} AND s.carrier IS NOT NULL AND e.day BETWEEN ${period.from}::date AND ${period.to}::date
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(db),
    sql<{ sensor: string; carrier: string; from: Date; to: Date; consumption: number | null }>`
      SELECT s.id AS sensor, s.carrier, g.from_ts AS "from", g.to_ts AS "to", g.consumption
      FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_gap g ON g.sid = s.sid
      WHERE d.building_id = ${id} AND g.to_ts >= ${period.from}::date AND g.from_ts < ${period.to}::date + 1
      ORDER BY g.from_ts`.execute(db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM alert WHERE building_id = ${id} AND closed_at IS NULL`.execute(db),
    sql<{ n: number; f1: number; f2: number; hours: number; below: number; above: number }>`
      SELECT coalesce(sum(a.occupied_n), 0)::int AS n, coalesce(sum(a.co2_1000_1700), 0)::int AS f1, coalesce(sum(a.co2_above_1700), 0)::int AS f2,
             coalesce(sum(a.occupied_hours), 0)::int AS hours, coalesce(sum(a.hours_below_19), 0)::int AS below, coalesce(sum(a.hours_above_26), 0)::int AS above
      FROM device d JOIN sensor s ON s.device_id = d.id JOIN air_daily a ON a.sid = s.sid
      WHERE d.building_id = ${id} AND a.day BETWEEN ${period.from}::date AND ${period.to}::date`.execute(db),
    sql<{ id: string; quantity: string; unit: string; carrier: string | null; value: number | null; at: Date | null }>`
      SELECT s.id, s.quantity, s.unit, s.carrier, h.last_value AS value, h.last_ts AS at
      FROM device d JOIN sensor s ON s.device_id = d.id
      LEFT JOIN LATERAL (SELECT last_ts, last_value FROM reading_hourly WHERE sid = s.sid ORDER BY hour DESC LIMIT 1) h ON true
      WHERE d.building_id = ${id} ORDER BY s.id`.execute(db),
    buildingBaseLoad(db, id, period.to < yesterday ? period.to : yesterday, timeZone),
    decretFigures(db, building, period),
    // The cadastral parcels under the footprint, the largest share first (none without a cadastre imported).
    sql<{ id: string }>`
      SELECT p.id FROM building b JOIN parcel p ON ST_Intersects(p.geom, b.geom)
      WHERE b.id = ${id} ORDER BY ST_Area(ST_Intersection(p.geom, b.geom)) DESC, p.id LIMIT 10`.execute(db),
  ])
  const carriers = rows.map((r) => ({ ...figures(r), meters: r.meters, days_measured: r.days_measured, resets: r.resets }))
  const t = totals(carriers)
  const area = building.floor_area_m2
  const perM2 = area ? t.energy_kwh / area : null

  let previous: BuildingIndicators['previous_year'] = null
  if (period.year !== null) {
    const before = beforeRows.filter((r) => r.consumption > 0)
    if (before.length > 0) {
      const p = totals(before.map(figures))
      previous = { ...p, change: change(t.energy_kwh, p.energy_kwh) }
    }
  }

  const monthly = new Map<string, { month: string; carrier: string; consumption: number }>()
  for (const d of series) {
    const key = `${d.day.slice(0, 7)}/${d.carrier}`
    const m = monthly.get(key) ?? { month: d.day.slice(0, 7), carrier: d.carrier, consumption: 0 }
    m.consumption += d.consumption
    monthly.set(key, m)
  }

  const a = air[0]!

  const { corrected, reference, referenceSource } = decret
  const trajectory = building.reference_year !== null && reference !== null && corrected !== null && period.year !== null
    ? trajectoryStatus(building.reference_year, reference, period.year, corrected)
    : null

  return {
    building: {
      id: building.id, nom: building.nom, usage: building.usage, floor_area_m2: area, commune: building.commune,
      commune_nom: building.commune_nom, epci: building.epci, synthetic: building.synthetic, parcels: parcels.map((p) => p.id),
    },
    period,
    carriers,
    totals: { ...t, energy_kwh_per_m2: perM2, energy_kwh_per_m2_year: period.year !== null ? perM2 : null },
    previous_year: previous,
    monthly: [...monthly.values()],
    daily: series,
    gaps: gaps.map((g) => ({
      sensor: g.sensor, carrier: g.carrier, from: g.from.toISOString(), to: g.to.toISOString(),
      hours: (g.to.getTime() - g.from.getTime()) / 3_600_000, consumption: g.consumption,
    })),
    decret_tertiaire: {
      subject: isSubjectToDecret(area), reference_year: building.reference_year, reference_kwh: reference, reference_source: referenceSource,
      corrected_kwh: corrected, trajectory,
    },
    open_alerts: alerts[0]?.n ?? 0,
    sensors: sensors.map((x) => ({ ...x, at: x.at?.toISOString() ?? null })),
    base_load: base,
    air: { icone: icone({ n: a.n, n1000to1700: a.f1, nAbove1700: a.f2 }), occupied_hours: a.hours, hours_below_19: a.below, hours_above_26: a.above },
  }
}

export interface BuildingRank {
  readonly id: string
  readonly nom: string
  readonly usage: string
  readonly commune: string
  readonly floor_area_m2: number | null
  readonly energy_kwh: number
  readonly energy_kwh_per_m2_year: number | null
}

export interface TerritoryIndicators {
  readonly year: number
  readonly carriers: readonly (CarrierFigures & { readonly previous_year_consumption: number | null; readonly change: number | null })[]
  readonly totals: EnergyTotals & { readonly previous_year_energy_kwh: number | null; readonly change: number | null }
  readonly buildings: { readonly count: number; readonly monitored: number; readonly subject_to_decret_tertiaire: number }
  /** kWh/m²/year of the monitored buildings with a floor area: quartiles and deciles, and the ranking (most intensive first). */
  readonly intensity: { readonly p10: number | null; readonly p25: number | null; readonly median: number | null; readonly p75: number | null; readonly p90: number | null; readonly ranking: readonly BuildingRank[] }
  readonly sensors: { readonly devices: number; readonly heard_last_24h: number; readonly coverage: number | null }
  readonly open_alerts: { readonly total: number; readonly by_kind: Readonly<Record<string, number>> }
  readonly schools: readonly { readonly id: string; readonly nom: string; readonly icone: Icone | null }[]
  /** The communes with public buildings: their count, those monitored, their energy (kWh) and per inhabitant. */
  readonly communes: readonly { readonly insee: string; readonly nom: string; readonly population: number | null; readonly buildings: number; readonly monitored: number; readonly energy_kwh: number; readonly energy_kwh_per_inhabitant: number | null }[]
}

/** The buildings of the territory: `where` selects them among building b joined to commune c. */
async function territoryIndicators(db: Kysely<Schema>, where: ReturnType<typeof sql>, year: number): Promise<TerritoryIndicators> {
  // One pass over the territory's buildings and their months of the two years: carriers' totals and each building's energy.
  const energyQuery = sql<{ id: string; nom: string; usage: string; commune: string; insee: string; population: number | null; floor_area_m2: number | null; carrier: string | null; label: string; unit: string; price: number | null; factor: number | null; co2_source: string | null; year: number | null; consumption: number }>`
    SELECT b.id, b.nom, b.usage, c.nom AS commune, c.insee, c.population, b.floor_area_m2, m.carrier, k.label, k.unit, k.price_eur_per_unit AS price, k.co2_kg_per_unit AS factor, k.co2_source,
           extract(year FROM m.month)::int AS year, coalesce(sum(m.consumption), 0)::float8 AS consumption
    FROM building b JOIN commune c ON c.insee = b.commune_insee
    LEFT JOIN energy_monthly m ON m.building_id = b.id AND m.month >= make_date(${year - 1}, 1, 1) AND m.month < make_date(${year + 1}, 1, 1)
    LEFT JOIN energy_carrier k ON k.id = m.carrier
    WHERE ${where}
    GROUP BY b.id, b.nom, b.usage, c.nom, c.insee, c.population, b.floor_area_m2, m.carrier, k.label, k.unit, k.price_eur_per_unit, k.co2_kg_per_unit, k.co2_source, 14`
  const devicesQuery = sql<{ devices: number; heard: number }>`
    SELECT count(*)::int AS devices,
           -- Heard: a reading in the last 24 h, which lies in an hourly rollup of the last 25 h (a bounded probe of its key).
           count(*) FILTER (WHERE EXISTS (
             SELECT 1 FROM sensor s JOIN reading_hourly h ON h.sid = s.sid
             WHERE s.device_id = d.id AND h.hour > now() - make_interval(hours => ${HEARD_WITHIN_HOURS + 1})
               AND h.last_ts > now() - make_interval(hours => ${HEARD_WITHIN_HOURS})))::int AS heard
    FROM device d JOIN building b ON b.id = d.building_id JOIN commune c ON c.insee = b.commune_insee
    WHERE ${where}`
  const alertsQuery = sql<{ kind: string; n: number }>`
    SELECT a.kind, count(*)::int AS n FROM alert a JOIN building b ON b.id = a.building_id JOIN commune c ON c.insee = b.commune_insee
    WHERE ${where} AND a.closed_at IS NULL GROUP BY 1`
  const schoolsQuery = sql<{ id: string; nom: string; n: number | null; f1: number | null; f2: number | null }>`
    SELECT b.id, b.nom, sum(a.occupied_n)::int AS n, sum(a.co2_1000_1700)::int AS f1, sum(a.co2_above_1700)::int AS f2
    FROM building b JOIN commune c ON c.insee = b.commune_insee
    LEFT JOIN device d ON d.building_id = b.id LEFT JOIN sensor s ON s.device_id = d.id AND s.quantity = 'co2'
    LEFT JOIN air_daily a ON a.sid = s.sid AND a.day >= make_date(${year}, 1, 1) AND a.day < make_date(${year + 1}, 1, 1)
    WHERE ${where} AND b.usage = 'ecole'
    GROUP BY 1, 2 ORDER BY 2, 1`

  // The four reads at once: on a real server each on its own connection of the pool.
  const [{ rows }, { rows: devices }, { rows: alerts }, { rows: schools }] = await Promise.all([
    energyQuery.execute(db), devicesQuery.execute(db), alertsQuery.execute(db), schoolsQuery.execute(db),
  ])
  const carrierYear = new Map<string, CarrierRow>()
  const buildingMap = new Map<string, { id: string; nom: string; usage: string; commune: string; insee: string; population: number | null; floor_area_m2: number | null; energy_kwh: number | null; monitored: boolean }>()
  for (const r of rows) {
    const b = buildingMap.get(r.id) ?? { id: r.id, nom: r.nom, usage: r.usage, commune: r.commune, insee: r.insee, population: r.population, floor_area_m2: r.floor_area_m2, energy_kwh: null, monitored: false }
    buildingMap.set(r.id, b)
    if (r.carrier === null || r.year === null) continue
    const key = `${r.year}/${r.carrier}`
    const c = carrierYear.get(key) ?? { carrier: r.carrier, label: r.label, unit: r.unit, price: r.price, factor: r.factor, co2_source: r.co2_source, consumption: 0 }
    c.consumption += r.consumption
    carrierYear.set(key, c)
    if (r.year === year) {
      b.monitored = true
      if (r.unit === ENERGY_UNIT) b.energy_kwh = (b.energy_kwh ?? 0) + r.consumption
    }
  }
  const yearOf = (y: number) => [...carrierYear].filter(([key]) => key.startsWith(`${y}/`)).map(([, c]) => c).sort((a, b) => a.carrier.localeCompare(b.carrier))
  const current = yearOf(year)
  const before = yearOf(year - 1)
  const carriers = current.map((r) => {
    const p = before.find((b) => b.carrier === r.carrier)?.consumption ?? null
    return { ...figures(r), previous_year_consumption: p, change: change(r.consumption, p) }
  })
  const t = totals(carriers)
  const previousEnergy = before.length > 0 ? totals(before.map(figures)).energy_kwh : null
  const buildings = [...buildingMap.values()]
  const ranking: BuildingRank[] = buildings
    .filter((b) => b.energy_kwh !== null)
    .map((b) => ({
      id: b.id, nom: b.nom, usage: b.usage, commune: b.commune, floor_area_m2: b.floor_area_m2, energy_kwh: b.energy_kwh!,
      energy_kwh_per_m2_year: b.floor_area_m2 ? b.energy_kwh! / b.floor_area_m2 : null,
    }))
    .sort((a, b) => (b.energy_kwh_per_m2_year ?? -1) - (a.energy_kwh_per_m2_year ?? -1) || a.id.localeCompare(b.id))
  const intensities = ranking.map((r) => r.energy_kwh_per_m2_year).filter((v): v is number => v !== null).sort((a, b) => a - b)

  // Per commune: what a choropleth of the territory needs.
  const communes = new Map<string, { insee: string; nom: string; population: number | null; buildings: number; monitored: number; energy_kwh: number }>()
  for (const b of buildings) {
    const c = communes.get(b.insee) ?? { insee: b.insee, nom: b.commune, population: b.population, buildings: 0, monitored: 0, energy_kwh: 0 }
    c.buildings++
    if (b.monitored) c.monitored++
    c.energy_kwh += b.energy_kwh ?? 0
    communes.set(b.insee, c)
  }

  const d = devices[0] ?? { devices: 0, heard: 0 }
  return {
    year,
    carriers,
    totals: { ...t, previous_year_energy_kwh: previousEnergy, change: change(t.energy_kwh, previousEnergy) },
    buildings: {
      count: buildings.length,
      monitored: buildings.filter((b) => b.monitored).length,
      subject_to_decret_tertiaire: buildings.filter((b) => isSubjectToDecret(b.floor_area_m2)).length,
    },
    intensity: {
      p10: quantile(intensities, 0.1), p25: quantile(intensities, 0.25), median: quantile(intensities, 0.5),
      p75: quantile(intensities, 0.75), p90: quantile(intensities, 0.9), ranking,
    },
    sensors: { devices: d.devices, heard_last_24h: d.heard, coverage: d.devices > 0 ? d.heard / d.devices : null },
    open_alerts: { total: alerts.reduce((a, r) => a + r.n, 0), by_kind: Object.fromEntries(alerts.map((r) => [r.kind, r.n])) },
    schools: schools.map((s) => ({ id: s.id, nom: s.nom, icone: icone({ n: s.n ?? 0, n1000to1700: s.f1 ?? 0, nAbove1700: s.f2 ?? 0 }) })),
    communes: [...communes.values()].sort((a, b) => a.insee.localeCompare(b.insee)).map((c) => ({
      ...c, energy_kwh_per_inhabitant: c.population ? c.energy_kwh / c.population : null,
    })),
  }
}

/** Linear interpolation between closest ranks (the R-7 / spreadsheet definition); null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!)
}

export async function epciIndicators(db: Kysely<Schema>, scope: Scope, siren: string, year: number) {
  const epci = await db.selectFrom('epci').select(['siren', 'nom']).where('siren', '=', siren).executeTakeFirst()
  if (!epci || !scopeSeesEpci(scope, siren)) throw new NotFoundError(`no EPCI with SIREN ${siren}`)
  return { epci, ...(await territoryIndicators(db, sql`c.epci_siren = ${siren}`, year)) }
}

export async function communeIndicators(db: Kysely<Schema>, scope: Scope, insee: string, year: number) {
  const commune = await db.selectFrom('commune').select(['insee', 'nom', 'epci_siren as epci']).where('insee', '=', insee).executeTakeFirst()
  if (!commune || !scopeSeesCommune(scope, commune)) throw new NotFoundError(`no commune with INSEE code ${insee}`)
  return { commune, ...(await territoryIndicators(db, sql`c.insee = ${insee}`, year)) }
}

export async function buildingSignatureOf(db: Kysely<Schema>, scope: Scope, id: string, period: IndicatorPeriod) {
  const building = await scopedBuilding(db, scope, id)
  const station = await stationOf(db, building.epci)
  return { building: { id: building.id, nom: building.nom }, period, ...(await buildingSignature(db, id, station, period)) }
}

/** A building with its commune and EPCI, within the caller's scope: outside it, as if it did not exist. */
async function scopedBuilding(db: Kysely<Schema>, scope: Scope, id: string) {
  const building = await db
    .selectFrom('building as b')
    .innerJoin('commune as c', 'c.insee', 'b.commune_insee')
    .select(['b.id', 'b.nom', 'b.usage', 'b.floor_area_m2', 'b.synthetic', 'b.reference_year', 'b.reference_kwh', 'c.insee as commune', 'c.nom as commune_nom', 'c.epci_siren as epci'])
    .where('b.id', '=', id)
    .executeTakeFirst()
  if (!building || !scopeAdmits(scope, { epci: building.epci, commune: building.commune, building: building.id })) throw new NotFoundError(`no building ${id}`)
  return building
}
