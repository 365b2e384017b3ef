/**
 * Energy indicators on the run's engines: readings written by the ingestion's writer (so that the
 * rollups are the ingestion's own), the refresher run, then the API. The rollup-based daily
 * consumption equals a recomputation from the raw readings on random series (resets, gaps); the
 * building, commune and EPCI endpoints add up to the same figures, with CO₂ from the carriers'
 * factors and intensity from the floor area.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyCarrierSettings, localDay, refreshAir, refreshAlerts, refreshBaseLoadAlerts, refreshEnergy } from '../api/index.ts'
import { parseDeviceSpec, provisionDevices, ReadingWriter, type Reading } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, json, openDatabase, serve, TEST_ADMIN_TOKEN, testApp, uniqueName } from './engines.ts'

const TZ = 'Europe/Paris'
const HOUR = 3_600_000
const AMIENS = { insee: '80021', epci: '248000531' }
/** A year of this run's own, before any other test's readings (they write from 2019 on). */
const YEAR = 2001 + Math.floor(Math.random() * 8)
const run = uniqueName('ind').replace(/[^a-z0-9]/gi, '').slice(-10)
const BUILDING = `b-${run}`
const FLOOR_AREA = 400

let database: Database
let api: { url: string; close: () => Promise<void> }
let meters: { sid: number; id: string; carrier: string }[]
let readings: Reading[]

/** A seeded generator (mulberry32): the series differ from run to run but a failure can be replayed from the seed printed. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * A meter's hourly index over `days` days from 1 February: random consumption, at most one reset
 * a day (to a small index, as a replaced meter), hours missing now and then and outages of up to
 * two days (gaps).
 */
function meterSeries(sid: number, next: () => number, days: number): Reading[] {
  const out: Reading[] = []
  let value = 1_000 + next() * 5_000
  const start = Date.UTC(YEAR, 1, 1)
  let lastReset = -Infinity
  for (let h = 0; h < days * 24; h++) {
    const ts = start + h * HOUR
    if (next() < 0.004) {
      h += 6 + Math.floor(next() * 42) // an outage: the next reading comes 6 to 48 hours later
      continue
    }
    // A reset (a meter replaced or reset: to a small index) at most every 3 days: a daily rollup
    // cannot see two resets in a day (docs/indicators.md).
    if (ts - lastReset > 72 * HOUR && next() < 0.03) {
      lastReset = ts
      value = Math.floor(next() * 10)
    } else {
      value += next() * 20
    }
    if (next() < 0.05) continue // a missing hour
    out.push({ sid, ts, value: Math.round(value * 1000) / 1000 })
  }
  return out
}

/**
 * The same indicator from the raw readings, independently of the rollups: each step between two
 * consecutive readings goes to the later reading's local day when both are the same day, or when
 * they are at most 6 hours apart; a step down counts 0 (a reset).
 */
function fromRaw(series: readonly Reading[]): Map<string, number> {
  const days = new Map<string, number>()
  const sorted = [...series].sort((a, b) => a.ts - b.ts)
  for (const r of sorted) days.set(localDay(new Date(r.ts), TZ), days.get(localDay(new Date(r.ts), TZ)) ?? 0)
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!
    const b = sorted[i]!
    const day = localDay(new Date(b.ts), TZ)
    const sameDay = localDay(new Date(a.ts), TZ) === day
    if (!sameDay && b.ts - a.ts > 6 * HOUR) continue
    if (b.value >= a.value) days.set(day, days.get(day)! + (b.value - a.value))
  }
  return days
}

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
  await database.pool.query(
    `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom)
     VALUES ($1, $2, 'mairie', $3, $4, ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.30, 49.89), 4326), 0.0002)))`,
    [BUILDING, `Mairie annexe ${run}`, FLOOR_AREA, AMIENS.insee],
  )
  await provisionDevices(database.db, [
    parseDeviceSpec({ id: `e-${run}`, senmlBaseName: `urn:dev:e-${run}:`, profile: 'generic-electricity-meter', buildingId: BUILDING }),
    parseDeviceSpec({ id: `g-${run}`, senmlBaseName: `urn:dev:g-${run}:`, buildingId: BUILDING, fields: { gas_index: { quantity: 'gas_index', unit: 'kWh', kind: 'counter', carrier: 'gas' } } }),
  ], 'create')
  meters = (await database.pool.query(
    `SELECT s.sid, s.id, s.carrier FROM sensor s JOIN device d ON d.id = s.device_id WHERE d.building_id = $1 ORDER BY s.carrier`, [BUILDING])).rows
  const seed = Math.floor(Math.random() * 2 ** 31)
  console.log(`[indicators] year ${YEAR}, seed ${seed}`)
  const next = random(seed)
  readings = meters.flatMap((m) => meterSeries(m.sid, next, 40))
  await new ReadingWriter(database.db, TZ).write(readings, [])
  await refreshEnergy(database.db, `${YEAR}-01-01`, TZ)
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

describe('energy rollups', () => {
  it('gives each day the consumption recomputed from the raw readings (random series with resets and gaps)', async () => {
    expect(meters.map((m) => m.carrier)).toEqual(['electricity', 'gas'])
    for (const m of meters) {
      const expected = fromRaw(readings.filter((r) => r.sid === m.sid))
      const { rows } = await database.pool.query<{ day: string; consumption: number }>(
        'SELECT day::text AS day, consumption FROM energy_daily WHERE sid = $1 ORDER BY day', [m.sid])
      expect(rows.map((r) => r.day)).toEqual([...expected.keys()])
      for (const r of rows) expect(r.consumption, `${m.id} ${r.day}`).toBeCloseTo(expected.get(r.day)!, 6)
    }
  })

  it('records the outages as gaps with their index step, and a refresh from a later day rewrites the same figures', async () => {
    const before = (await database.pool.query('SELECT sid, day::text, consumption FROM energy_daily WHERE sid = ANY($1) ORDER BY 1, 2', [meters.map((m) => m.sid)])).rows
    const { rows: gaps } = await database.pool.query('SELECT sid, from_ts, to_ts, consumption FROM energy_gap WHERE sid = ANY($1)', [meters.map((m) => m.sid)])
    for (const g of gaps) expect(g.to_ts.getTime() - g.from_ts.getTime()).toBeGreaterThan(6 * HOUR)
    await refreshEnergy(database.db, `${YEAR}-02-20`, TZ)
    const after = (await database.pool.query('SELECT sid, day::text, consumption FROM energy_daily WHERE sid = ANY($1) ORDER BY 1, 2', [meters.map((m) => m.sid)])).rows
    expect(after).toEqual(before)
    expect((await database.pool.query('SELECT count(*)::int AS n FROM energy_gap WHERE sid = ANY($1)', [meters.map((m) => m.sid)])).rows[0].n).toBe(gaps.length)
  })
})

describe('GET indicators', () => {
  const sums = async () => {
    const { rows } = await database.pool.query<{ carrier: string; total: number }>(
      'SELECT s.carrier, sum(e.consumption)::float8 AS total FROM energy_daily e JOIN sensor s ON s.sid = e.sid WHERE s.sid = ANY($1) GROUP BY 1 ORDER BY 1', [meters.map((m) => m.sid)])
    return Object.fromEntries(rows.map((r) => [r.carrier, r.total]))
  }

  it('answers a building’s year: consumption per carrier, kWh/m²/year, CO₂ from the carriers’ factors, months and days', async () => {
    const total = await sums()
    const response = await adminFetch(`${api.url}/api/buildings/${BUILDING}/indicators?year=${YEAR}`)
    expect(response.status).toBe(200)
    const body = await json(response)
    expect(body.period).toEqual({ from: `${YEAR}-01-01`, to: `${YEAR}-12-31`, days: YEAR % 4 === 0 ? 366 : 365, year: YEAR })
    const electricity = body.carriers.find((c: { carrier: string }) => c.carrier === 'electricity')
    const gas = body.carriers.find((c: { carrier: string }) => c.carrier === 'gas')
    expect(electricity).toMatchObject({ unit: 'kWh', meters: 1, cost_eur: null })
    expect(electricity.consumption).toBeCloseTo(total.electricity!, 6)
    expect(electricity.co2_kg).toBeCloseTo(total.electricity! * 0.052, 6)
    expect(gas.co2_kg).toBeCloseTo(total.gas! * 0.227, 6)
    expect(body.totals.energy_kwh).toBeCloseTo(total.electricity! + total.gas!, 6)
    expect(body.totals.energy_kwh_per_m2_year).toBeCloseTo((total.electricity! + total.gas!) / FLOOR_AREA, 6)
    expect(body.totals.cost_eur).toBeNull() // no tariff configured: no invented price
    expect(body.previous_year).toBeNull()
    const monthly = body.monthly.filter((m: { carrier: string }) => m.carrier === 'gas').reduce((a: number, m: { consumption: number }) => a + m.consumption, 0)
    expect(monthly).toBeCloseTo(total.gas!, 6)
    expect(body.daily.length).toBeGreaterThan(30)
    expect(body.decret_tertiaire).toEqual({ subject: false, reference_year: null, reference_kwh: null, reference_source: null, corrected_kwh: null, trajectory: null })
  })

  it('names the cadastral parcels under the building, the one holding most of it first', async () => {
    // One parcel around the whole footprint, one over its eastern edge (other files' parcels may touch it too).
    const parcel = (suffix: string) => `80021000${run.slice(-2).toUpperCase().replace(/[^A-Z]/g, 'Z').padEnd(2, 'Z')}${suffix}`
    await database.pool.query(
      `INSERT INTO parcel (id, commune, prefixe, section, numero, contenance, geom)
       SELECT id, '80021', '000', substr(id, 9, 2), right(id, 4), 100, ST_Multi(ST_MakeEnvelope(w, 49.8897, e, 49.8903, 4326))
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS p (id, w, e) ON CONFLICT (id) DO NOTHING`,
      [[parcel('0001'), parcel('0002')], [2.2997, 2.30015], [2.30015, 2.3004]])
    const body = await json(await adminFetch(`${api.url}/api/buildings/${BUILDING}/indicators?year=${YEAR}`))
    expect(body.building.parcels[0]).toBe(parcel('0001'))
    expect(body.building.parcels).toContain(parcel('0002'))
  })

  it('prices each carrier with its configured tariff and uses a configured emission factor', async () => {
    const total = await sums()
    await applyCarrierSettings(database.db, { prices: { electricity: 0.2016 }, co2: { gas: 0.2 } })
    try {
      const body = await json(await adminFetch(`${api.url}/api/buildings/${BUILDING}/indicators?year=${YEAR}`))
      const electricity = body.carriers.find((c: { carrier: string }) => c.carrier === 'electricity')
      const gas = body.carriers.find((c: { carrier: string }) => c.carrier === 'gas')
      expect(electricity.cost_eur).toBeCloseTo(total.electricity! * 0.2016, 6)
      expect(gas.cost_eur).toBeNull()
      expect(body.totals.cost_eur).toBeNull() // gas has no tariff: no total that would read as the whole
      expect(gas.co2_kg).toBeCloseTo(total.gas! * 0.2, 6)
      expect(gas.co2_source).toBe('configuration (ENERGY_CO2_KG)')
      await applyCarrierSettings(database.db, { prices: { gas: 0.105 }, co2: {} })
      const both = await json(await adminFetch(`${api.url}/api/buildings/${BUILDING}/indicators?year=${YEAR}`))
      expect(both.totals.cost_eur).toBeCloseTo(total.electricity! * 0.2016 + total.gas! * 0.105, 6)
    } finally {
      await database.pool.query(`UPDATE energy_carrier SET price_eur_per_unit = NULL WHERE id IN ('electricity', 'gas')`)
      await database.pool.query(`UPDATE energy_carrier SET co2_kg_per_unit = 0.227, co2_source = $1 WHERE id = 'gas'`, ['ADEME, Base Empreinte : gaz naturel, combustion et amont, par kWh PCI (227 gCO2e/kWh)'])
    }
  })

  it('answers a period of days, without a per-year intensity', async () => {
    const body = await json(await adminFetch(`${api.url}/api/buildings/${BUILDING}/indicators?from=${YEAR}-02-05&to=${YEAR}-02-06`))
    expect(body.period).toEqual({ from: `${YEAR}-02-05`, to: `${YEAR}-02-06`, days: 2, year: null })
    const { rows } = await database.pool.query('SELECT sum(consumption)::float8 AS t FROM energy_daily WHERE sid = ANY($1) AND day BETWEEN $2 AND $3', [meters.map((m) => m.sid), `${YEAR}-02-05`, `${YEAR}-02-06`])
    expect(body.totals.energy_kwh).toBeCloseTo(rows[0].t, 6)
    expect(body.totals.energy_kwh_per_m2_year).toBeNull()
    expect(body.daily.every((d: { day: string }) => d.day === `${YEAR}-02-05` || d.day === `${YEAR}-02-06`)).toBe(true)
  })

  it('adds the buildings up per commune and EPCI from the monthly rollups, and ranks them by intensity', async () => {
    const total = await sums()
    // A reading of this building's gas meter an hour ago: its device is heard in the last 24 hours.
    await new ReadingWriter(database.db, TZ).write([{ sid: meters[1]!.sid, ts: Date.now() - HOUR, value: 1 }], [])
    for (const path of [`/api/communes/${AMIENS.insee}/indicators?year=${YEAR}`, `/api/epci/${AMIENS.epci}/indicators?year=${YEAR}`]) {
      const body = await json(await adminFetch(`${api.url}${path}`))
      expect(body.year).toBe(YEAR)
      // No other test writes readings in this year: the territory's figures are this building's.
      expect(body.totals.energy_kwh, path).toBeCloseTo(total.electricity! + total.gas!, 6)
      expect(body.carriers.map((c: { carrier: string }) => c.carrier)).toEqual(['electricity', 'gas'])
      const ranked = body.intensity.ranking.find((r: { id: string }) => r.id === BUILDING)
      expect(ranked.energy_kwh_per_m2_year).toBeCloseTo((total.electricity! + total.gas!) / FLOOR_AREA, 6)
      expect(body.intensity.median).toBeCloseTo(ranked.energy_kwh_per_m2_year, 6)
      expect(body.buildings.monitored).toBe(1)
      // Per commune, for the map's choropleth: Amiens holds this building's energy, per inhabitant too.
      const amiens = body.communes.find((c: { insee: string }) => c.insee === AMIENS.insee)
      expect(amiens).toMatchObject({ nom: 'Amiens', monitored: 1 })
      expect(amiens.energy_kwh).toBeCloseTo(total.electricity! + total.gas!, 6)
      expect(amiens.energy_kwh_per_inhabitant).toBeCloseTo((total.electricity! + total.gas!) / amiens.population, 9)
      expect(body.buildings.count).toBeGreaterThanOrEqual(1)
      expect(body.sensors.devices).toBeGreaterThanOrEqual(2)
      expect(body.sensors.heard_last_24h).toBeGreaterThanOrEqual(1)
      expect(body.sensors.coverage).toBeCloseTo(body.sensors.heard_last_24h / body.sensors.devices, 12)
    }
  })

  it('takes a building’s settings with the admin token: floor area, décret reference, its own schedule', async () => {
    const patch = (body: unknown, token: string | null = TEST_ADMIN_TOKEN) => fetch(`${api.url}/api/buildings/${BUILDING}/settings`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
    })
    expect((await patch({ floor_area_m2: 1100 }, null)).status).toBe(401)
    for (const bad of [{ reference_year: 2009 }, { floor_area_m2: -5 }, { colour: 'red' }, { schedule: [{ weekday: 8, opens: '08:00', closes: '12:00' }] }, { schedule: [{ weekday: 1, opens: '12:00', closes: '08:00' }] }]) {
      const refused = await patch(bad)
      expect(refused.status, JSON.stringify(bad)).toBe(400)
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
    const ok = await patch({ floor_area_m2: 1100, reference_year: 2016, schedule: [{ weekday: 1, opens: '07:30', closes: '12:00' }] })
    expect(ok.status).toBe(200)
    expect(await json(ok)).toEqual({ id: BUILDING, floor_area_m2: 1100, reference_year: 2016, reference_kwh: null, schedule: [{ weekday: 1, opens: '07:30', closes: '12:00' }] })
    const body = await json(await adminFetch(`${api.url}/api/buildings/${BUILDING}/indicators?year=${YEAR}`))
    expect(body.decret_tertiaire).toMatchObject({ subject: true, reference_year: 2016 })
    // Back as it was: the use's schedule again, the floor area of the other tests.
    const back = await json(await patch({ floor_area_m2: FLOOR_AREA, reference_year: null, schedule: null }))
    expect(back).toEqual({ id: BUILDING, floor_area_m2: FLOOR_AREA, reference_year: null, reference_kwh: null, schedule: null })
  })

  it('refuses bad parameters with 400 problem+json and unknown places with 404', async () => {
    for (const [path, status] of [
      [`/api/buildings/${BUILDING}/indicators?year=20x1`, 400],
      [`/api/buildings/${BUILDING}/indicators?year=${YEAR}&from=${YEAR}-01-01&to=${YEAR}-01-02`, 400],
      [`/api/buildings/${BUILDING}/indicators?from=${YEAR}-01-01`, 400],
      [`/api/buildings/${BUILDING}/indicators?from=${YEAR}-02-30&to=${YEAR}-03-01`, 400],
      [`/api/buildings/${BUILDING}/indicators?from=${YEAR}-03-01&to=${YEAR}-02-01`, 400],
      ['/api/buildings/nowhere/indicators', 404],
      ['/api/communes/8002/indicators', 400],
      ['/api/communes/99999/indicators', 404],
      ['/api/epci/123/indicators', 400],
      ['/api/epci/999999999/indicators', 404],
    ] as const) {
      const response = await adminFetch(`${api.url}${path}`)
      expect(response.status, path).toBe(status)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })
})

describe('energy signature and décret tertiaire', () => {
  /** A year of its own (2021–2024: no other test writes there), 40 days from 1 February. */
  const SIG_YEAR = 2021 + Math.floor(Math.random() * 4)
  const SIG = `s-${run}`
  const STATION = `st-${run}`
  const DAYS = 40
  // Day k: DJU 5 + (k mod 10); the building uses 200 kWh a day plus 30 kWh per degree-day.
  const dju = (k: number) => 5 + (k % 10)
  const energy = (k: number) => 200 + 30 * dju(k)
  let previousStation: string | null

  beforeAll(async () => {
    await database.pool.query(
      `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, reference_year, reference_kwh, geom)
       VALUES ($1, $2, 'gymnase', 1200, $3, 2015, 200000, ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.31, 49.89), 4326), 0.0002)))`,
      [SIG, `Gymnase ${run}`, AMIENS.insee])
    await provisionDevices(database.db, [
      parseDeviceSpec({ id: `sg-${run}`, senmlBaseName: `urn:dev:sg-${run}:`, buildingId: SIG, fields: { gas_index: { quantity: 'gas_index', unit: 'kWh', kind: 'counter', carrier: 'gas' } } }),
    ], 'create')
    const { rows } = await database.pool.query('SELECT s.sid FROM sensor s WHERE s.device_id = $1', [`sg-${run}`])
    // Readings at 00:00, 06:00, 12:00 and 18:00 local (UTC+1 in February), a quarter of the day's energy each:
    // the step into 00:00 belongs to its day, so day k counts exactly energy(k).
    const readings: Reading[] = []
    let index = 10_000
    readings.push({ sid: rows[0].sid, ts: Date.UTC(SIG_YEAR, 0, 31, 17), value: index }) // 31 January 18:00
    for (let k = 0; k < DAYS; k++) {
      for (const h of [0, 6, 12, 18]) {
        index += energy(k) / 4
        readings.push({ sid: rows[0].sid, ts: Date.UTC(SIG_YEAR, 1, 1 + k, h - 1), value: index })
      }
    }
    await new ReadingWriter(database.db, TZ).write(readings, [])
    await refreshEnergy(database.db, `${SIG_YEAR}-01-01`, TZ)
    await database.pool.query(`INSERT INTO weather_station (id, nom, reference_dju) VALUES ($1, 'Station de test', 2500)`, [STATION])
    await database.pool.query(
      `INSERT INTO weather_daily (station, day, tmin, tmax)
       SELECT $1, make_date($2, 2, 1) + k, 18 - d - 3, 18 - d + 3 FROM unnest($3::int[]) WITH ORDINALITY AS t (d, k1), LATERAL (SELECT (k1 - 1)::int AS k) AS x`,
      [STATION, SIG_YEAR, Array.from({ length: DAYS }, (_, k) => dju(k))])
    previousStation = (await database.pool.query('SELECT weather_station FROM epci WHERE siren = $1', [AMIENS.epci])).rows[0].weather_station
    await database.pool.query('UPDATE epci SET weather_station = $1 WHERE siren = $2', [STATION, AMIENS.epci])
  })
  afterAll(async () => {
    await database?.pool.query('UPDATE epci SET weather_station = $1 WHERE siren = $2', [previousStation, AMIENS.epci])
  })

  it('finds the base load and the heating slope from the station’s degree-days, and the heating share', async () => {
    const response = await adminFetch(`${api.url}/api/buildings/${SIG}/signature?from=${SIG_YEAR}-02-01&to=${SIG_YEAR}-03-12`)
    expect(response.status).toBe(200)
    const body = await json(response)
    expect(body.station).toEqual({ id: STATION, nom: 'Station de test', reference_dju: 2500 })
    const gas = body.carriers.find((c: { carrier: string }) => c.carrier === 'gas')
    expect(gas.points).toHaveLength(DAYS)
    expect(gas.signature.base_per_day).toBeCloseTo(200, 6)
    expect(gas.signature.slope_per_dju).toBeCloseTo(30, 6)
    expect(gas.signature.r2).toBeCloseTo(1, 9)
    // ΣDJU over 40 days = 4 × (5 + … + 14) = 4 × 95 = 380; ΣE = 40 × 200 + 30 × 380 = 19,400; heating 11,400 / 19,400.
    expect(gas.heating_share).toBeCloseTo(11_400 / 19_400, 9)
    expect(gas.corrected_consumption).toBeNull() // not a calendar year
  })

  it('exports the year for OPERAT: one row per subject building and carrier, with the correction and the trajectory', async () => {
    const response = await adminFetch(`${api.url}/api/exports/operat.csv?year=${SIG_YEAR}&sep=%3B`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="operat-${SIG_YEAR}.csv"`)
    const text = (await response.text()).replace(/^\uFEFF/, '')
    const [header, ...lines] = text.trimEnd().split('\r\n').map((l) => l.split(';'))
    const at = (line: string[], column: string) => line[header!.indexOf(column)]
    const row = lines.find((l) => at(l, 'identifiant_batiment') === SIG)!
    expect(at(row, 'energie')).toBe('gas')
    expect(at(row, 'assujetti_decret_tertiaire')).toBe('oui')
    const days = SIG_YEAR % 4 === 0 ? 366 : 365
    // 40 days of 200 + 30 × DJU: 40 × 200 + 30 × 380 = 19,400 kWh measured; corrected 200 × days + 30 × 2,500.
    expect(Number(at(row, 'consommation')!.replace(',', '.'))).toBeCloseTo(19_400, 6)
    expect(Number(at(row, 'jours_mesures'))).toBe(41) // the 40 days and 31 January, whose one reading starts the index
    expect(Number(at(row, 'consommation_corrigee_kwh')!.replace(',', '.'))).toBeCloseTo(200 * days + 75_000, 4)
    expect(at(row, 'sur_la_trajectoire')).toBe('oui')
    // Buildings under 1,000 m² are not in the default export.
    expect(lines.some((l) => at(l, 'identifiant_batiment') === BUILDING)).toBe(false)
    expect((await adminFetch(`${api.url}/api/exports/operat.csv?buildings=some`)).status).toBe(400)
  })

  it('corrects the calendar year to the reference climate and places it on the décret tertiaire trajectory', async () => {
    const days = SIG_YEAR % 4 === 0 ? 366 : 365
    // Corrected: 200 × days + 30 × 2,500 (the station's reference DJU) = 73,000 (or 73,200) + 75,000.
    const corrected = 200 * days + 75_000
    const body = await json(await adminFetch(`${api.url}/api/buildings/${SIG}/indicators?year=${SIG_YEAR}`))
    expect(body.decret_tertiaire).toMatchObject({ subject: true, reference_year: 2015, reference_kwh: 200_000, reference_source: 'declared' })
    expect(body.decret_tertiaire.corrected_kwh).toBeCloseTo(corrected, 4)
    // Target in SIG_YEAR on the line from 200,000 (2015) to 120,000 (2030): 200,000 − 80,000 × (SIG_YEAR − 2015) / 15 ≥ 152,000.
    const target = 200_000 - (80_000 * (SIG_YEAR - 2015)) / 15
    expect(body.decret_tertiaire.trajectory).toMatchObject({ year: SIG_YEAR, onTrack: true })
    expect(body.decret_tertiaire.trajectory.target).toBeCloseTo(target, 6)
    // A smaller reference: 170,000 → target ≤ 170,000 − 68,000 × 6 / 15 = 142,800 < corrected: off track.
    await database.pool.query('UPDATE building SET reference_kwh = 170000 WHERE id = $1', [SIG])
    const off = await json(await adminFetch(`${api.url}/api/buildings/${SIG}/indicators?year=${SIG_YEAR}`))
    expect(off.decret_tertiaire.trajectory).toMatchObject({ onTrack: false })
    expect(off.decret_tertiaire.trajectory.change).toBeCloseTo((corrected - 170_000) / 170_000, 9)
  })
})

describe('power meters', () => {
  it('integrate the hourly mean power over each day, and say a day with an hour missing is incomplete', async () => {
    const POWER = `power-${run}`
    await database.pool.query(
      `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom) VALUES ($1, $1, 'gymnase', 700, $2, ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.34, 49.89), 4326), 0.0002)))`,
      [POWER, AMIENS.insee])
    await provisionDevices(database.db, [parseDeviceSpec({ id: `pw-${run}`, senmlBaseName: `urn:dev:pw-${run}:`, buildingId: POWER, fields: { power: { quantity: 'power', unit: 'W', kind: 'gauge', carrier: 'heat_network' } } })], 'create')
    const { rows } = await database.pool.query('SELECT sid FROM sensor WHERE device_id = $1', [`pw-${run}`])
    // 10 and 11 September 2013 (UTC+2), a reading every 15 minutes: 2,000 W, then 3,000 W from noon (local) on
    // the 10th: 12 h × 2 kW + 12 h × 3 kW = 60 kWh. The 11th at 1,000 W, its 14:00 hour missing: 23 × 1 = 23 kWh.
    const readings: Reading[] = []
    for (let t = Date.parse('2013-09-10T00:00:00+02:00'); t < Date.parse('2013-09-12T00:00:00+02:00'); t += 15 * 60_000) {
      const local = new Date(t + 2 * HOUR)
      if (local.getUTCDate() === 11 && local.getUTCHours() === 14) continue
      readings.push({ sid: rows[0].sid, ts: t, value: local.getUTCDate() === 11 ? 1000 : local.getUTCHours() >= 12 ? 3000 : 2000 })
    }
    await new ReadingWriter(database.db, TZ).write(readings, [])
    await refreshEnergy(database.db, '2013-09-01', TZ)
    const { rows: days } = await database.pool.query('SELECT day::text, consumption, joined FROM energy_daily WHERE sid = $1 ORDER BY day', [rows[0].sid])
    expect(days).toEqual([{ day: '2013-09-10', consumption: 60, joined: true }, { day: '2013-09-11', consumption: 23, joined: false }])
    expect(() => parseDeviceSpec({ id: 'x', senmlBaseName: 'urn:x:', fields: { t: { quantity: 'temperature', unit: 'Cel', carrier: 'gas' } } })).toThrow(/carrier is for a meter/)
  })
})

describe('base load', () => {
  const NIGHT = `night-${run}`

  it('compares the power drawn when the building is empty with its power in use, and signals it past half', async () => {
    await database.pool.query(
      `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom) VALUES ($1, $1, 'mairie', 600, $2, ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.33, 49.89), 4326), 0.0002)))`,
      [NIGHT, AMIENS.insee])
    await provisionDevices(database.db, [parseDeviceSpec({ id: `nm-${run}`, senmlBaseName: `urn:dev:nm-${run}:`, profile: 'generic-electricity-meter', buildingId: NIGHT })], 'create')
    const { rows } = await database.pool.query('SELECT sid FROM sensor WHERE device_id = $1', [`nm-${run}`])
    // June 2012 (UTC+2), a reading at hh:30 every hour from 31 May: each hour adds 10 kWh when the town hall is
    // open (Monday–Friday 09–17, Saturday 09–12), 6 kWh otherwise.
    const readings: Reading[] = []
    let index = 1_000
    for (let t = Date.parse('2012-05-31T00:30:00+02:00'); t < Date.parse('2012-06-29T00:00:00+02:00'); t += HOUR) {
      const local = new Date(t + 2 * HOUR)
      const weekday = ((local.getUTCDay() + 6) % 7) + 1
      const hour = local.getUTCHours()
      const open = (weekday <= 5 && hour >= 9 && hour < 17) || (weekday === 6 && hour >= 9 && hour < 12)
      index += open ? 10 : 6
      readings.push({ sid: rows[0].sid, ts: t, value: index })
    }
    await new ReadingWriter(database.db, TZ).write(readings, [])
    const body = await json(await adminFetch(`${api.url}/api/buildings/${NIGHT}/indicators?from=2012-06-01&to=2012-06-28`))
    // 28 days × 24 hours, each with the hour before: occupied hours 10 kW, the others 6 kW: 6 / 10 = 0.6.
    expect(body.base_load).toEqual({ from: '2012-06-01', to: '2012-06-28', occupied_kw: 10, unoccupied_kw: 6, night_kw: 6, weekend_kw: 6, ratio: 0.6, hours: 672 })
    expect((await refreshBaseLoadAlerts(database.db, '2012-06-28', TZ)).raised).toBeGreaterThanOrEqual(1)
    const { alerts } = await json(await adminFetch(`${api.url}/api/alerts?building=${NIGHT}&kind=night_base_load`))
    expect(alerts).toHaveLength(1)
    // 28 June 2012 was a Thursday: the alert is dated the week's Monday.
    expect(alerts[0]).toMatchObject({ day: '2012-06-25', value: 0.6, expected: 0.5 })
    expect(alerts[0].reason).toBe('Consommation hors occupation : 6 kW en moyenne, 60 % de la puissance moyenne en occupation (10 kW), sur les 28 jours au 28/06/2012 ; la nuit (0 h–5 h) : 6 kW')
  })
})

describe('indoor air and alerts', () => {
  const SCHOOL = `school-${run}`
  const OFFICE = `office-${run}`
  const local = (day: string, time: string) => Date.parse(`${day}T${time}:00+01:00`) // March 2012, before the clock change: UTC+1

  beforeAll(async () => {
    for (const [id, usage] of [[SCHOOL, 'ecole'], [OFFICE, 'mairie']]) {
      await database.pool.query(
        `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom) VALUES ($1, $1, $2, 900, $3, ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.32, 49.89), 4326), 0.0002)))`,
        [id, usage, AMIENS.insee])
    }
    await provisionDevices(database.db, [
      parseDeviceSpec({ id: `air-${run}`, senmlBaseName: `urn:dev:air-${run}:`, profile: 'generic-ambiance', buildingId: SCHOOL }),
      parseDeviceSpec({ id: `om-${run}`, senmlBaseName: `urn:dev:om-${run}:`, profile: 'generic-electricity-meter', buildingId: OFFICE }),
    ], 'create')
  })

  it('counts CO₂ readings of the occupied hours only (schedule, Wednesday afternoon, school holidays) and ICONE from them', async () => {
    const { rows } = await database.pool.query(`SELECT sid, quantity FROM sensor WHERE device_id = $1`, [`air-${run}`])
    const co2 = rows.find((r) => r.quantity === 'co2').sid
    const temperature = rows.find((r) => r.quantity === 'temperature').sid
    expect(new Date('2012-03-05T12:00:00Z').getUTCDay()).toBe(1) // a Monday
    // Monday 5 March 2012, 09:00–13:30 every 30 min (occupied, 08:30–16:30): 6 × 800, 3 × 1,200, 1 × 1,800 ppm;
    // 20:00: 2,000 ppm (closed). Tuesday 6th, a school holiday: 2,500 ppm at 10:00. Wednesday 7th, 14:00
    // (closed on Wednesday afternoons): 1,900 ppm.
    const monday = [800, 800, 800, 800, 800, 800, 1200, 1200, 1200, 1800]
    const readings: Reading[] = monday.map((value, i) => ({ sid: co2, ts: local('2012-03-05', `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`), value }))
    readings.push({ sid: co2, ts: local('2012-03-05', '20:00'), value: 2000 }, { sid: co2, ts: local('2012-03-06', '10:00'), value: 2500 }, { sid: co2, ts: local('2012-03-07', '14:00'), value: 1900 })
    // Temperature, Monday 09:00–13:00 hourly (heating season): 18.0, 18.5, 19.5, 20, 21 → 5 occupied hours, 2 below 19 °C.
    ;[18, 18.5, 19.5, 20, 21].forEach((value, i) => readings.push({ sid: temperature, ts: local('2012-03-05', `${String(9 + i).padStart(2, '0')}:00`), value }))
    await new ReadingWriter(database.db, TZ).write(readings, [])
    await database.pool.query(`INSERT INTO school_holiday (starts, ends, label) VALUES ('2012-03-06', '2012-03-06', 'Congé de test') ON CONFLICT DO NOTHING`)
    await refreshAir(database.db, '2012-03-01', TZ, '2012-03-31')

    const air = (await database.pool.query('SELECT sid, day::text, occupied_n, co2_1000_1700, co2_above_1700, occupied_hours, hours_below_19 FROM air_daily WHERE sid = ANY($1) ORDER BY sid, day', [[co2, temperature]])).rows
    expect(air).toEqual([
      { sid: Math.min(co2, temperature), day: '2012-03-05', ...(co2 < temperature ? { occupied_n: 10, co2_1000_1700: 3, co2_above_1700: 1, occupied_hours: 0, hours_below_19: 0 } : { occupied_n: 0, co2_1000_1700: 0, co2_above_1700: 0, occupied_hours: 5, hours_below_19: 2 }) },
      { sid: Math.max(co2, temperature), day: '2012-03-05', ...(co2 > temperature ? { occupied_n: 10, co2_1000_1700: 3, co2_above_1700: 1, occupied_hours: 0, hours_below_19: 0 } : { occupied_n: 0, co2_1000_1700: 0, co2_above_1700: 0, occupied_hours: 5, hours_below_19: 2 }) },
    ])
    // f1 = 0.3, f2 = 0.1: ICONE 2 (worked out in icone.test.ts).
    const body = await json(await adminFetch(`${api.url}/api/buildings/${SCHOOL}/indicators?from=2012-03-01&to=2012-03-31`))
    expect(body.air).toEqual({ icone: { index: 2, f1: 0.3, f2: 0.1, readings: 10 }, occupied_hours: 5, hours_below_19: 2, hours_above_26: 0 })

    // Thursday 8th: four occupied readings, all above 1,700 ppm (ICONE 5): a confinement alert; Monday's 2 raises none.
    await new ReadingWriter(database.db, TZ).write(['09:00', '10:00', '11:00', '14:00'].map((time) => ({ sid: co2, ts: local('2012-03-08', time), value: 1850 })), [])
    await refreshAir(database.db, '2012-03-01', TZ, '2012-03-31')
    await refreshAlerts(database.db, '2012-03-10')
    const { alerts } = await json(await adminFetch(`${api.url}/api/alerts?building=${SCHOOL}&kind=confinement&status=all`))
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ day: '2012-03-08', value: 5, carrier: null })
    expect(alerts[0].reason).toBe('Confinement de l’air extrême le 08/03/2012 : ICONE 5 (0 % des mesures de CO₂ entre 1 000 et 1 700 ppm, 100 % au-delà, en période d’occupation)')
  })

  it('raises an alert for a day far from the building’s own expected value, once, with its reason, and lists it', async () => {
    const { rows } = await database.pool.query(`SELECT sid FROM sensor WHERE device_id = $1`, [`om-${run}`])
    // 30 days from 1 April 2012 (UTC+2): 99 or 101 kWh a day by parity, 160 on the 17th. Readings every 6 hours;
    // the first one, the day before, starts the index (that day, incomplete, is not scored).
    const readings: Reading[] = []
    let index = 5_000
    readings.push({ sid: rows[0].sid, ts: Date.parse('2012-03-31T18:00:00+02:00'), value: index })
    const use = (k: number) => (k === 16 ? 160 : k % 2 ? 101 : 99)
    for (let k = 0; k < 30; k++) {
      const day = `2012-04-${String(k + 1).padStart(2, '0')}`
      for (const time of ['00:00', '06:00', '12:00', '18:00']) {
        index += use(k) / 4
        readings.push({ sid: rows[0].sid, ts: Date.parse(`${day}T${time}:00+02:00`), value: index })
      }
    }
    await new ReadingWriter(database.db, TZ).write(readings, [])
    await refreshEnergy(database.db, '2012-03-31', TZ)
    // Weekday medians: each weekday's four values alternate 99/101 (7 is odd): residuals ±1, MAD 1; the 17th: 160 for a median of 101.
    const first = await refreshAlerts(database.db, '2012-05-01')
    expect(first.raised).toBeGreaterThanOrEqual(1)
    expect((await refreshAlerts(database.db, '2012-05-01')).raised).toBe(0) // raised once

    const response = await adminFetch(`${api.url}/api/alerts?building=${OFFICE}`)
    expect(response.status).toBe(200)
    const { alerts, next_before } = await json(response)
    expect(next_before).toBeNull()
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ building: { id: OFFICE, commune: AMIENS.insee }, carrier: 'electricity', kind: 'over_consumption', day: '2012-04-17', value: 160, expected: 101, closed_at: null })
    expect(alerts[0].score).toBeCloseTo((0.6745 * 59) / 1, 6)
    expect(alerts[0].reason).toBe('Électricité le 17/04/2012 : 160 kWh pour 101 kWh attendus (médiane du même jour de la semaine ; écart robuste 39,8)')
    const office = await json(await adminFetch(`${api.url}/api/buildings/${OFFICE}/indicators?year=2012`))
    expect(office.open_alerts).toBe(1)
    for (const [path, status] of [['/api/alerts?status=shut', 400], ['/api/alerts?colour=red', 400], ['/api/alerts?limit=0', 400], ['/api/alerts?epci=12', 400]] as const) {
      const refused = await adminFetch(`${api.url}${path}`)
      expect(refused.status, path).toBe(status)
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })
})
