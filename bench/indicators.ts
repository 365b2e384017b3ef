/**
 * `npm run bench:indicators` — the indicator endpoints over a year of meter readings, on the real
 * PostgreSQL + PostGIS (a fresh database):
 *  - the demo territory (the Somme's EPCI and communes), then SENSORS meters (default 1,000) in
 *    SENSORS / 2 synthetic public buildings spread over the communes of CA Amiens Métropole, an
 *    electricity meter and a gas meter each;
 *  - a calendar year (2025) of 15-minute index readings per meter (35 M rows for 1,000 meters:
 *    electricity following a daily load curve, gas a base load plus heating driven by the
 *    degree-days of a synthetic outdoor temperature), loaded with COPY into the monthly
 *    partitions of `reading`; their hourly and daily rollups computed by the ingestion's own
 *    RollupCalculator and COPYed beside them;
 *  - `territoire start` on that database: its start-up refresh turns the daily rollups into the
 *    indicator rollups (timed, from /health); then REQUESTS requests one at a time to the EPCI,
 *    commune and building endpoints (buildings drawn at random), p50 and p95 through HTTP.
 * Targets (issue 5): p95 < 100 ms for the EPCI endpoint, < 50 ms for a building.
 *   npm run bench:indicators [-- <sensors, 1000> <requests, 200>]   (admin connection: BENCH_ADMIN_URL)
 * Run `npm run build:server` first, so that the hub runs from its bundle.
 */
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Writable } from 'node:stream'
import { silentLogger } from '../core/index.ts'
import { DEMO_EPCI, loadDemoTerritory } from '../ingestion/demo-territory.ts'
import { parseDeviceSpec, provisionDevices, RollupCalculator, type Reading } from '../ingestion/index.ts'
import { connectDatabase, migrate } from '../sql/index.ts'
import { BENCH_ADMIN_TOKEN, freshDatabase, freePort, median, percentile, startHubProcess } from './hub-process.ts'

const STAFF = { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } }

const SENSORS = Number(process.argv[2] ?? 1_000)
const REQUESTS = Number(process.argv[3] ?? 200)
const DATABASE = 'territoire_bench_indicators'
const YEAR = 2025
const EPCI = DEMO_EPCI[0] // CA Amiens Métropole
const TZ = 'Europe/Paris'
const STEP_MS = 15 * 60_000
const DAY_MS = 86_400_000
const log = (line: string) => process.stderr.write(`${line}\n`)

/** The synthetic outdoor temperature of a day of the year: a seasonal sine and a deterministic wobble. */
function dayTemperatures(dayOfYear: number): { tmin: number; tmax: number; dju: number } {
  const mean = 11 + 8 * Math.sin((2 * Math.PI * (dayOfYear - 110)) / 365) + 2.5 * Math.sin(dayOfYear * 1.7)
  return { tmin: mean - 4, tmax: mean + 4, dju: Math.max(0, 18 - mean) }
}

/** Writes to a COPY stream, waiting for it to drain when its buffer is full. */
async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve))
}

async function copyInto(url: string, statement: string) {
  const client = new pg.Client(url)
  await client.connect()
  const stream = client.query(copyFrom(statement))
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', () => resolve())
    stream.on('error', reject)
  })
  return {
    stream,
    async end() {
      stream.end()
      await done
      await client.end()
    },
  }
}

const url = await freshDatabase(DATABASE)
const database = await connectDatabase(url, { log: silentLogger, timeoutSeconds: 10 })
await migrate(database.pool, silentLogger)
await loadDemoTerritory(database.db, silentLogger)

// Buildings over the EPCI's communes, round-robin; two meters each.
const buildingCount = Math.ceil(SENSORS / 2)
await database.pool.query(`
  WITH c AS (SELECT insee, geom, row_number() OVER (ORDER BY insee) - 1 AS k, count(*) OVER () AS n FROM commune WHERE epci_siren = $2)
  INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, synthetic, geom)
  SELECT 'bench-' || lpad(i::text, 5, '0'), 'Bâtiment de test ' || i, (ARRAY['ecole', 'mairie', 'gymnase', 'mediatheque'])[1 + i % 4],
         300 + (i * 7919) % 2700, c.insee, true,
         ST_Multi(ST_Buffer(ST_Translate(ST_PointOnSurface(c.geom), (i % 7) * 0.0006, (i % 5) * 0.0006), 0.0002))
  FROM generate_series(0, $1 - 1) AS i JOIN c ON c.k = i % c.n`, [buildingCount, EPCI])
const { rows: buildings } = await database.pool.query<{ id: string; floor_area_m2: number }>(`SELECT id, floor_area_m2 FROM building WHERE id LIKE 'bench-%' ORDER BY id`)
await provisionDevices(database.db, buildings.flatMap((b) => [
  parseDeviceSpec({ id: `${b.id}-e`, senmlBaseName: `urn:dev:${b.id}-e:`, profile: 'generic-electricity-meter', buildingId: b.id }),
  parseDeviceSpec({ id: `${b.id}-g`, senmlBaseName: `urn:dev:${b.id}-g:`, buildingId: b.id, fields: { gas_index: { quantity: 'gas_index', unit: 'kWh', kind: 'counter', carrier: 'gas', min: 0, max: 99_999_999 } } }),
]).slice(0, SENSORS), 'create')
const { rows: meters } = await database.pool.query<{ sid: number; carrier: string; floor_area_m2: number }>(`
  SELECT s.sid, s.carrier, b.floor_area_m2 FROM sensor s JOIN device d ON d.id = s.device_id JOIN building b ON b.id = d.building_id
  WHERE b.id LIKE 'bench-%' ORDER BY s.sid`)

// A weather station for the EPCI, its daily series imported.
await database.pool.query(`INSERT INTO weather_station (id, nom, reference_dju) VALUES ('bench-amiens', 'Station de test (synthétique)', 2600)`)
await database.pool.query(`UPDATE epci SET weather_station = 'bench-amiens' WHERE siren = $1`, [EPCI])
const yearDays = Math.round((Date.UTC(YEAR + 1, 0, 1) - Date.UTC(YEAR, 0, 1)) / DAY_MS)
const temperatures = Array.from({ length: yearDays }, (_, d) => dayTemperatures(d))
await database.pool.query(`
  INSERT INTO weather_daily (station, day, tmin, tmax)
  SELECT 'bench-amiens', make_date($1, 1, 1) + d, tmin, tmax FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS t (tmin, tmax, d1), LATERAL (SELECT (d1 - 1)::int AS d) AS x`,
  [YEAR, temperatures.map((t) => t.tmin), temperatures.map((t) => t.tmax)])

for (let m = 1; m <= 12; m++) await database.pool.query('SELECT ensure_reading_partition($1::date)', [`${YEAR}-${String(m).padStart(2, '0')}-01`])

// A year of readings per meter, with their rollups, through three COPY streams.
const loadStarted = performance.now()
const readingsCopy = await copyInto(url, 'COPY reading (sid, ts, value) FROM STDIN')
const hourlyCopy = await copyInto(url, 'COPY reading_hourly (sid, hour, n, sum, min, max, first_ts, first_value, last_ts, last_value) FROM STDIN')
const dailyCopy = await copyInto(url, 'COPY reading_daily (sid, day, n, sum, min, max, first_ts, first_value, last_ts, last_value) FROM STDIN')
const calculator = new RollupCalculator(TZ)
const start = Date.UTC(YEAR, 0, 1)
const steps = yearDays * 96
let rows = 0
const iso = (ms: number) => new Date(ms).toISOString()
for (const meter of meters) {
  const area = meter.floor_area_m2
  const readings: Reading[] = new Array(steps)
  let index = 1_000 + (meter.sid * 37) % 5_000
  for (let i = 0; i < steps; i++) {
    const ts = start + i * STEP_MS
    const dayOfYear = Math.floor(i / 96)
    const hour = (i % 96) / 4
    if (meter.carrier === 'electricity') {
      const kw = (area * 9) / 1000 * (1 + 0.5 * Math.sin((2 * Math.PI * (hour - 9)) / 24))
      index += kw * 0.25
    } else {
      // Base load 0.02 kWh/m²/day, heating 0.12 kWh/m² per degree-day.
      index += ((0.02 * area + 0.12 * area * temperatures[dayOfYear]!.dju) / 96)
    }
    readings[i] = { sid: meter.sid, ts, value: Math.round(index * 1000) / 1000 }
  }
  let text = ''
  for (const r of readings) text += `${r.sid}\t${iso(r.ts)}\t${r.value}\n`
  await write(readingsCopy.stream, text)
  const { hourly, daily } = calculator.compute(readings)
  text = ''
  for (const h of hourly) text += `${h.sid}\t${iso(h.period as number)}\t${h.n}\t${h.sum}\t${h.min}\t${h.max}\t${iso(h.firstTs)}\t${h.firstValue}\t${iso(h.lastTs)}\t${h.lastValue}\n`
  await write(hourlyCopy.stream, text)
  text = ''
  for (const d of daily) text += `${d.sid}\t${d.period}\t${d.n}\t${d.sum}\t${d.min}\t${d.max}\t${iso(d.firstTs)}\t${d.firstValue}\t${iso(d.lastTs)}\t${d.lastValue}\n`
  await write(dailyCopy.stream, text)
  rows += readings.length
}
await Promise.all([readingsCopy.end(), hourlyCopy.end(), dailyCopy.end()])
await database.pool.query('ANALYZE')
const loadSeconds = (performance.now() - loadStarted) / 1000
log(`loaded ${rows.toLocaleString('en')} readings of ${meters.length} meters in ${buildings.length} buildings with their rollups in ${loadSeconds.toFixed(0)} s`)
const sizes = (await database.pool.query<{ hourly: number; daily: number }>('SELECT (SELECT count(*) FROM reading_hourly)::int AS hourly, (SELECT count(*) FROM reading_daily)::int AS daily')).rows[0]!

const port = await freePort()
const hub = await startHubProcess({
  DATABASE_URL: url, HUB_DEMO: 'off', SIMULATOR: 'off', MQTT_PORT: String(await freePort()), PORT: String(port), INDICATOR_REFRESH_S: '0',
})
try {
  // The start-up refresh (the current and previous years): wait for it, as /health tells.
  type Refresh = { ms: number; meters: number; days: number; months: number }
  let refresh: Refresh | undefined
  while (refresh === undefined) {
    const health = await (await fetch(`${hub.url}/health`)).json() as { indicators?: { running: boolean; last: Refresh | null; lastError: string | null } }
    if (health.indicators?.lastError) throw new Error(`indicator refresh failed: ${health.indicators.lastError}`)
    if (health.indicators?.last && !health.indicators.running) refresh = health.indicators.last
    else await new Promise((resolve) => setTimeout(resolve, 500))
  }

  const time = async (path: () => string, n: number) => {
    const latencies: number[] = []
    for (let i = 0; i < n + 5; i++) {
      const t0 = performance.now()
      const response = await fetch(`${hub.url}${path()}`, STAFF)
      const body = await response.text()
      if (response.status !== 200) throw new Error(`${path()}: HTTP ${response.status} ${body.slice(0, 200)}`)
      if (i >= 5) latencies.push(performance.now() - t0) // the first five warm the hub up
    }
    return { p50: median(latencies), p95: percentile(latencies, 95) }
  }
  let seed = 42
  const randomBuilding = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return buildings[seed % buildings.length]!.id
  }
  const epci = await time(() => `/api/epci/${EPCI}/indicators?year=${YEAR}`, REQUESTS)
  const commune = await time(() => `/api/communes/80021/indicators?year=${YEAR}`, REQUESTS)
  const building = await time(() => `/api/buildings/${randomBuilding()}/indicators?year=${YEAR}`, REQUESTS)
  const sample = await (await fetch(`${hub.url}/api/epci/${EPCI}/indicators?year=${YEAR}`, STAFF)).json() as { totals: { energy_kwh: number }; buildings: { monitored: number } }

  const row = (label: string, value: string) => console.log(`  ${label.padEnd(64)} ${value}`)
  console.log(`Indicator benchmark — ${meters.length} meters in ${buildings.length} buildings of CA Amiens Métropole, ${YEAR} at 15 minutes; requests one at a time, ${REQUESTS} each`)
  row('dataset: raw readings / hourly rollups / daily rollups', `${rows.toLocaleString('en')} / ${sizes.hourly.toLocaleString('en')} / ${sizes.daily.toLocaleString('en')}`)
  row('load: generation + COPY of readings and rollups, ANALYZE (s)', loadSeconds.toFixed(0))
  row('start-up indicator refresh (two years, every meter) (s)', `${(refresh.ms / 1000).toFixed(1)}   (${refresh.meters} meters, ${refresh.days.toLocaleString('en')} meter-days, ${refresh.months} building-months)`)
  row('EPCI: GET /api/epci/{siren}/indicators?year, p50 / p95 (target p95 < 100 ms)', `${epci.p50.toFixed(1)} / ${epci.p95.toFixed(1)} ms   (${sample.buildings.monitored} buildings monitored, ${Math.round(sample.totals.energy_kwh).toLocaleString('en')} kWh)`)
  row('commune (Amiens): GET /api/communes/{insee}/indicators?year, p50 / p95', `${commune.p50.toFixed(1)} / ${commune.p95.toFixed(1)} ms`)
  row('building: GET /api/buildings/{id}/indicators?year, p50 / p95 (target p95 < 50 ms)', `${building.p50.toFixed(1)} / ${building.p95.toFixed(1)} ms`)
} finally {
  await hub.stop()
  await database.close()
}
