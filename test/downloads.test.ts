/**
 * Downloads on the run's engines: CSV that an RFC 4180 parser reads back, with as many rows as
 * SQL counts; GeoJSON likewise; a collection larger than one database page delivered whole, with
 * chunked transfer; daily aggregates per sensor and per building equal to a recomputation from
 * the raw readings; the write loop waits for the socket to drain before fetching more.
 */
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvLine, DOWNLOAD_PAGE_ROWS, FRENCH_SPREADSHEET_CSV, SENSOR_DAY_COLUMNS, BUILDING_DAY_COLUMNS, STANDARD_CSV, streamChunks } from '../api/downloads/index.ts'
import { COLLECTIONS } from '../api/ogc/index.ts'
import { ReadingWriter, type Reading } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, json, openDatabase, serve, testApp } from './engines.ts'

let database: Database
let api: { url: string; close: () => Promise<void> }

/** Three days of this run's own in 2019–2020 (other tests write elsewhere), as local (Paris) days. */
const FIRST_DAY = Date.UTC(2019, 0, 1) + Math.floor(Math.random() * 700) * 86_400_000
const day = (i: number) => new Date(FIRST_DAY + i * 86_400_000).toISOString().slice(0, 10)
let building: string
let sensors: { sid: number; id: string; kind: string; quantity: string }[]

/** RFC 4180: fields separated by `sep`, quoted fields with doubled quotes, CRLF records. */
function parseCsv(text: string, sep = ','): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === sep) row.push(field), (field = '')
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++
    } else field += c
  }
  if (field !== '' || row.length > 0) throw new Error('the last record does not end with CRLF')
  return rows
}

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
  // A demo building with a counter (energy index) among its sensors.
  const { rows } = await database.pool.query<{ building_id: string }>(`
    SELECT d.building_id FROM sensor s JOIN device d ON d.id = s.device_id WHERE d.building_id IS NOT NULL
    GROUP BY d.building_id HAVING bool_or(s.kind = 'counter') ORDER BY count(*) DESC, d.building_id LIMIT 1`)
  building = rows[0]!.building_id
  sensors = (await database.pool.query(`SELECT s.sid, s.id, s.kind, s.quantity FROM sensor s JOIN device d ON d.id = s.device_id WHERE d.building_id = $1 ORDER BY s.id`, [building])).rows
  // Readings every 20 minutes from 05:00 to 19:40 UTC (the same local day in Paris); values are a
  // function of time, so that a re-run on a kept database writes the very same readings.
  const readings: Reading[] = []
  for (const sensor of sensors) {
    for (let d = 0; d < 3; d++) {
      for (let k = 0; k < 45; k++) {
        const ts = FIRST_DAY + d * 86_400_000 + 5 * 3_600_000 + k * 1_200_000
        const value = sensor.kind === 'counter' ? 1000 + (ts - Date.UTC(2019, 0, 1)) / 3_600_000 : 18 + ((ts / 60_000 + sensor.sid) % 7) / 2
        readings.push({ sid: sensor.sid, ts, value })
      }
    }
  }
  await new ReadingWriter(database.db, 'Europe/Paris').write(readings, [])
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

async function download(path: string, as: typeof fetch = fetch) {
  const response = await as(`${api.url}${path}`)
  return { response, text: await response.text() }
}

describe('collection downloads', () => {
  it('streams a collection larger than one database page completely, as RFC 4180 CSV with chunked transfer', async () => {
    const { rows } = await database.pool.query("SELECT insee FROM commune WHERE departement = '80' ORDER BY insee")
    expect(rows.length).toBeGreaterThan(DOWNLOAD_PAGE_ROWS)
    const { response, text } = await download('/download/communes.csv?departement=80')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present')
    expect(response.headers.get('transfer-encoding')).toBe('chunked')
    expect(response.headers.get('content-length')).toBeNull()
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="communes.csv"')
    const [header, ...records] = parseCsv(text)
    const names = COLLECTIONS.find((c) => c.id === 'communes')!.properties.map((p) => p.name)
    expect(header).toEqual([...names, 'longitude', 'latitude'])
    expect(records.map((r) => r[0]).sort()).toEqual(rows.map((r) => r.insee))
    const amiens = records.find((r) => r[0] === '80021')!
    expect(amiens[1]).toBe('Amiens')
    // A point inside Amiens, longitude first.
    const [lon, lat] = amiens.slice(-2).map(Number)
    expect(lon).toBeGreaterThan(2.2)
    expect(lat).toBeGreaterThan(49.8)
  })

  it('writes the French spreadsheet dialect on ?sep=; (semicolons, decimal commas, BOM)', async () => {
    const bytes = Buffer.from(await (await fetch(`${api.url}/download/communes.csv?sep=%3B&code=80021`)).arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // the UTF-8 byte-order mark (fetch's text() would hide it)
    const text = bytes.subarray(3).toString('utf8')
    expect(text.startsWith('code;nom;')).toBe(true)
    const [, amiens] = parseCsv(text, ';')
    expect(amiens![0]).toBe('80021')
    expect(amiens!.at(-1)).toMatch(/^49,\d+$/)
  })

  it('quotes fields as RFC 4180 requires', () => {
    expect(csvLine(['a,b', 'dit "oui"', 'deux\nlignes', 1.5, null, true], STANDARD_CSV)).toBe('"a,b","dit ""oui""","deux\nlignes",1.5,,true\r\n')
    expect(csvLine(['a;b', 1.5], FRENCH_SPREADSHEET_CSV)).toBe('"a;b";1,5\r\n')
    expect(parseCsv(csvLine(['a,b', 'dit "oui"', 'x'], STANDARD_CSV))).toEqual([['a,b', 'dit "oui"', 'x']])
  })

  it('streams GeoJSON with as many features as SQL counts, each once', async () => {
    const { rows } = await database.pool.query('SELECT count(*)::int n FROM sensor')
    expect((await download('/download/sensors.geojson')).response.status).toBe(401) // a staff collection
    const { response, text } = await download('/download/sensors.geojson', adminFetch)
    expect(response.headers.get('content-type')).toMatch(/^application\/geo\+json/)
    const collection = JSON.parse(text)
    expect(collection.type).toBe('FeatureCollection')
    // Sensors may be added by tests running beside this one, never removed.
    expect(collection.features.length).toBeGreaterThanOrEqual(rows[0].n)
    expect(new Set(collection.features.map((f: { id: string }) => f.id)).size).toBe(collection.features.length)
    expect(collection.features[0].geometry.type).toBe('Point')
  })

  it('refuses unknown parameters and bad values with 400 problem+json, unknown collections with 404', async () => {
    for (const [path, status] of [
      ['/download/communes.csv?colour=red', 400],
      ['/download/communes.csv?sep=tab', 400],
      ['/download/communes.geojson?sep=%3B', 400],
      ['/download/readings/daily.csv?from=2024-13-01', 400],
      ['/download/readings/daily.csv?from=2024-02-02&to=2024-02-01', 400],
      ['/download/readings/daily.csv?sensor=a&building=b', 400],
      ['/download/readings/daily.csv?sensor=nobody.temperature', 404],
      ['/download/readings/daily.csv?building=nowhere', 404],
      ['/download/nope.csv', 404],
    ] as const) {
      const response = await fetch(`${api.url}${path}`)
      expect(response.status, path).toBe(status)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect((await json(response)).status).toBe(status)
    }
  })
})

describe('daily aggregates of readings', () => {
  const range = () => `from=${day(0)}&to=${day(3)}`

  it('per sensor: equal to a recomputation from the raw readings', async () => {
    for (const sensor of sensors) {
      const { text } = await download(`/download/readings/daily.csv?sensor=${sensor.id}&${range()}`)
      const [header, ...records] = parseCsv(text)
      expect(header).toEqual([...SENSOR_DAY_COLUMNS])
      const { rows: truth } = await database.pool.query(
        `SELECT to_char((ts AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS day, count(*)::int n, avg(value) mean, min(value) min, max(value) max, sum(value) sum,
           (array_agg(value ORDER BY ts))[1] first_value, (array_agg(value ORDER BY ts DESC))[1] last_value
         FROM reading WHERE sid = $1 AND ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1`,
        [sensor.sid, new Date(`${day(0)}T00:00:00+01:00`), new Date(`${day(3)}T00:00:00+01:00`)],
      )
      expect(truth).toHaveLength(3)
      expect(records).toHaveLength(truth.length)
      records.forEach((r, i) => {
        const row = Object.fromEntries(header!.map((name, j) => [name, r[j]!]))
        const t = truth[i]
        expect(row.jour).toBe(t.day)
        expect(row.capteur).toBe(sensor.id)
        expect(Number(row.n)).toBe(t.n)
        for (const [column, expected] of [['moyenne', t.mean], ['min', t.min], ['max', t.max], ['somme', t.sum], ['premiere_valeur', t.first_value], ['derniere_valeur', t.last_value]] as const) {
          expect(Number(row[column]), column).toBeCloseTo(expected, 6)
        }
        if (sensor.kind === 'counter') expect(Number(row.augmentation)).toBeCloseTo(t.last_value - t.first_value, 6)
        else expect(row.augmentation).toBe('')
      })
    }
  })

  it('per building: by quantity over its sensors (weighted mean, min, max, counters’ increase), equal to the raw readings', async () => {
    const { text } = await download(`/download/readings/daily.csv?building=${building}&${range()}`)
    const [header, ...records] = parseCsv(text)
    expect(header).toEqual([...BUILDING_DAY_COLUMNS])
    const { rows: truth } = await database.pool.query(
      `WITH days AS (
         SELECT (r.ts AT TIME ZONE 'Europe/Paris')::date AS day, s.sid, s.quantity, s.unit, s.kind, count(*) n, sum(value) sum, min(value) min, max(value) max,
           (array_agg(value ORDER BY ts DESC))[1] - (array_agg(value ORDER BY ts))[1] AS increase
         FROM reading r JOIN sensor s USING (sid) JOIN device d ON d.id = s.device_id
         WHERE d.building_id = $1 AND r.ts >= $2 AND r.ts < $3 GROUP BY 1, 2, 3, 4, 5)
       SELECT to_char(day, 'YYYY-MM-DD') AS day, quantity, unit, count(*)::int sensors, sum(n)::int n, sum(sum) / sum(n) mean, min(min) min, max(max) max,
         sum(increase) FILTER (WHERE kind = 'counter') increase
       FROM days GROUP BY day, quantity, unit ORDER BY day, quantity, unit`,
      [building, new Date(`${day(0)}T00:00:00+01:00`), new Date(`${day(3)}T00:00:00+01:00`)],
    )
    expect(truth.length).toBeGreaterThanOrEqual(3)
    expect(records).toHaveLength(truth.length)
    records.forEach((r, i) => {
      const row = Object.fromEntries(header!.map((name, j) => [name, r[j]!]))
      const t = truth[i]
      expect([row.jour, row.batiment, row.grandeur, row.unite, Number(row.capteurs), Number(row.n)]).toEqual([t.day, building, t.quantity, t.unit, t.sensors, t.n])
      expect(Number(row.moyenne)).toBeCloseTo(t.mean, 6)
      expect(Number(row.min)).toBeCloseTo(t.min, 6)
      expect(Number(row.max)).toBeCloseTo(t.max, 6)
      if (t.increase === null) expect(row.augmentation).toBe('')
      else expect(Number(row.augmentation)).toBeCloseTo(t.increase, 6)
    })
  })

  it('as GeoJSON too, each day a feature at the sensor’s device', async () => {
    const sensor = sensors[0]!
    const { response, text } = await download(`/download/readings/daily.geojson?sensor=${sensor.id}&${range()}`)
    expect(response.status).toBe(200)
    const collection = JSON.parse(text)
    expect(collection.features).toHaveLength(3)
    expect(collection.features[0].properties).toMatchObject({ jour: day(0), capteur: sensor.id })
  })
})

describe('streaming', () => {
  it('asks the producer for more only once the destination has drained', async () => {
    const pulled: number[] = []
    async function* producer() {
      for (let i = 0; i < 4; i++) {
        pulled.push(i)
        yield 'x'.repeat(100)
      }
    }
    const pending: Array<() => void> = []
    const out = new Writable({ highWaterMark: 10, write: (_chunk, _encoding, callback) => void pending.push(callback) })
    const done = streamChunks(out, producer())
    const settle = () => new Promise((resolve) => setImmediate(resolve))
    await settle()
    expect(pulled).toEqual([0]) // the first write filled the buffer: no second chunk asked for
    for (let step = 1; step < 4; step++) {
      pending.shift()!()
      await settle()
      expect(pulled).toHaveLength(step + 1)
    }
    pending.shift()!()
    await done
    expect(pulled).toEqual([0, 1, 2, 3])
  })
})
