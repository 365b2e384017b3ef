/**
 * The parameter parsers behind real routes, fuzzed over HTTP on the run's engines: whatever the
 * path segments and the query string, the answer is never a 5xx; every 4xx is problem+json with
 * a type from PROBLEM_TYPES; no body leaks a stack, SQL or a source path.
 *
 * Fewer runs than the parsers' 10,000 (api/params.property.test.ts carries those): each run here
 * is a request through Express and, when it parses, a query on the database, so 1,000 runs per
 * endpoint keep the file within about a minute on the embedded engine.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROBLEM_TYPES } from '../api/problem.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, openDatabase, serve, testApp } from './engines.ts'

const RUNS = { numRuns: 1_000 } as const
const ALLOWED_TYPES = new Set<string>(Object.values(PROBLEM_TYPES))
const AMIENS_METROPOLE = '248000531'

let database: Database
let api: { url: string; close: () => Promise<void> }
let sensorId = 'no-such-sensor'
let buildingId = 'no-such-building'

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
  // A sensor and a building that exist, when the run has any, so that well-formed requests reach SQL.
  const sensor = await database.pool.query<{ id: string }>('SELECT id FROM sensor ORDER BY id LIMIT 1')
  const building = await database.pool.query<{ id: string }>('SELECT id FROM building ORDER BY id LIMIT 1')
  sensorId = sensor.rows[0]?.id ?? sensorId
  buildingId = building.rows[0]?.id ?? buildingId
}, 120_000)
afterAll(async () => {
  await api?.close()
  await database?.close()
})

const NASTY = ['', '-0', '1e999', 'NaN', ' 12', '0x1F', '-1', '99999999999999999999', '2026-02-31', '2026-01-01T24:00Z', '..', '../..', '%', '%E0%A4%A', '\u0000', '__proto__']
const value = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(fc.double({ noNaN: true }).map(String), { minLength: 3, maxLength: 6 }).map((p) => p.join(',')),
  fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 100, max: 2_000 })).map(([s, n]) => s.repeat(n)),
)
/** A path segment: usually well-formed, sometimes raw (malformed percent-escapes included). */
const segment = (good: string) => fc.oneof(fc.constant(good), value.map(encodeURIComponent), fc.constantFrom('%', '%zz', '%E0%A4%A', '..'))
/** A query string over `names` (each absent, once or repeated), with now and then an unknown name. */
function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 })), value), { maxLength: 5 })
  return fc.oneof(
    pairs.map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
    fc.string().map((raw) => raw.replace(/[#\s]/g, '')), // raw, not encoded
  )
}

async function check(path: string): Promise<void> {
  const response = await adminFetch(`${api.url}${path}`)
  const body = await response.text()
  const where = `${response.status} for GET ${path.slice(0, 300)}: ${body.slice(0, 300)}`
  // Node's HTTP parser answers headers over its 16 KiB limit itself, before Express: only a path
  // near that size (less the few hundred bytes of fetch's own headers) may get there.
  if (response.status === 431) {
    expect(new URL(path, api.url).href.length, where).toBeGreaterThan(15_000) // as sent: percent-encoded
    return
  }
  expect(response.status, where).toBeLessThan(500)
  if (response.status >= 400) {
    expect(response.headers.get('content-type'), where).toMatch(/^application\/problem\+json/)
    expect(ALLOWED_TYPES.has(JSON.parse(body).type), where).toBe(true)
  }
  if (!response.headers.get('content-type')?.startsWith('application/vnd.mapbox-vector-tile')) {
    for (const leak of ['    at ', 'SELECT', '/work/', '.ts:']) expect(body.includes(leak), `${leak} in ${where}`).toBe(false)
  }
}

describe('fuzzed parameters over HTTP: no 5xx, problem+json 4xx, no leaks', () => {
  it('tiles /tiles/communes/{z}/{x}/{y}.mvt', async () => {
    const coordinate = fc.oneof(fc.nat({ max: 20 }).map(String), value.map(encodeURIComponent))
    await fc.assert(fc.asyncProperty(coordinate, coordinate, coordinate, (z, x, y) => check(`/tiles/communes/${z}/${x}/${y}.mvt`)), RUNS)
  }, 120_000)

  it('OGC /ogc/collections/{id}/items with bbox, limit, offset, datetime', async () => {
    const collection = fc.oneof(fc.constantFrom('epci', 'communes', 'buildings', 'sensors'), segment('parcels'))
    await fc.assert(
      fc.asyncProperty(collection, queryString(['bbox', 'limit', 'offset', 'datetime']), (id, q) => check(`/ogc/collections/${id}/items?${q}`)),
      RUNS,
    )
  }, 120_000)

  it('/api/buildings/{id}/indicators with year, from, to', async () => {
    await fc.assert(fc.asyncProperty(segment(buildingId), queryString(['year', 'from', 'to']), (id, q) => check(`/api/buildings/${id}/indicators?${q}`)), RUNS)
  }, 120_000)

  it('/api/sensors/{id}/readings with from, to, limit', async () => {
    await fc.assert(fc.asyncProperty(segment(sensorId), queryString(['from', 'to', 'limit']), (id, q) => check(`/api/sensors/${id}/readings?${q}`)), RUNS)
  }, 120_000)

  it('/api/epci/{siren}/indicators with year', async () => {
    await fc.assert(fc.asyncProperty(segment(AMIENS_METROPOLE), queryString(['year']), (siren, q) => check(`/api/epci/${siren}/indicators?${q}`)), RUNS)
  }, 120_000)
})
