/**
 * Property tests of the HTTP parameter parsers: 10,000 generated inputs each (arbitrary strings,
 * numbers written every odd way, repeated parameters as Express gives them, nested objects,
 * undefined, very long strings). Each parser either returns a value in its range — never NaN or
 * Infinity, never an invalid Date — or throws an InvalidInputError (400) naming the parameter;
 * tile addresses may also throw NotFoundError (404). Any other exception would become a 500.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidInputError, NotFoundError } from '../core/index.ts'
import { COLLECTIONS } from './ogc/collections.ts'
import { bbox, datetime, itemsQuery } from './ogc/items-params.ts'
import { indicatorPeriod, parseYear } from './indicators/indicator-period.ts'
import { identifier, insee, instant, integer, siren } from './params.ts'
import { parseTileAddress } from './tiles/tile-coordinates.ts'
import { TILE_SOURCES } from './tiles/tile-source.ts'

const RUNS = { numRuns: 10_000 } as const

/** Strings that look like numbers, dates, ranges, and the usual ways of getting them wrong. */
const NASTY = [
  '', ' ', '0', '-0', '+0', '00', '1e999', '-1e999', '1e-999', 'NaN', 'Infinity', '-Infinity', ' 12', '12 ', '0x1F', '0b101', '0o17',
  '1_000', '1.5', '.5', '5.', '9007199254740993', '99999999999999999999', '-1', '2026', '1999', '2101',
  '2026-02-29', '2024-02-29', '2026-02-31', '2026-04-31', '2026-13-01', '2026-00-10', '0000-01-01', '9999-12-31',
  '2026-01-01T24:00Z', '2026-01-01T23:60Z', '2026-01-01T23:59:60Z', '2026-01-01T08:00+99:99', '2026-01-01 08:00+0100',
  '2026-02-31T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-22T08:00:00.123456789+01:00', '../..', '..', '/', '2026-01-01/..',
  '../2026-01-01', '2026-01-02/2026-01-01', '1,2,3,4', '-180,-90,180,90', '180,-90,-180,90', '1e999,0,0,0', 'NaN,0,0,0',
  '0,0,0,0,0,0', ' 1, 2, 3, 4', '248000531', '80021', '2A004', '__proto__', 'constructor', '%00', '\u0000', '١٢', '１２',
]

const numeric = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.nat({ max: 30 }).map(String),
  fc.nat({ max: 2200 }).map(String),
)
const dateLike = fc
  .tuple(fc.nat({ max: 9999 }), fc.nat({ max: 14 }), fc.nat({ max: 33 }), fc.nat({ max: 25 }), fc.nat({ max: 61 }), fc.constantFrom('Z', '+01:00', '-0530', '+99:99', ''))
  .map(([y, m, d, h, min, zone]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}${zone}`)
const dayLike = dateLike.map((s) => s.slice(0, 10))
const text = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string(),
  fc.string({ unit: 'binary' }),
  numeric,
  dateLike,
  dayLike,
  fc.array(numeric, { minLength: 3, maxLength: 7 }).map((parts) => parts.join(',')),
  fc.tuple(fc.constantFrom(...NASTY), fc.constantFrom(...NASTY)).map(([a, b]) => `${a}/${b}`),
  // Very long: a short string repeated (generating 10,000 random characters each time is slow).
  fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1_000, max: 5_000 })).map(([s, n]) => s.repeat(n)),
)
/** What a query value may be: Express gives a string, a string[] for a repeated parameter; plus the unexpected. */
const queryValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constant(null)) },
)

/** Runs a parser: a value that `valid` accepts, or an error among `allowed`; anything else fails the property. */
function parsesOrRefuses<T>(parse: () => T, valid: (value: T) => boolean, allowed: readonly (new (...args: never[]) => Error)[] = [InvalidInputError]): void {
  let value: T
  try {
    value = parse()
  } catch (error) {
    if (!allowed.some((type) => error instanceof type)) throw error
    if (error instanceof InvalidInputError) expect(error.parameter).toBeTruthy()
    return
  }
  expect(valid(value)).toBe(true)
}

const realDate = (d: unknown) => d instanceof Date && Number.isFinite(d.getTime())
const intIn = (min: number, max: number) => (n: number) => Number.isSafeInteger(n) && n >= min && n <= max

describe('parameter parsers under 10,000 generated inputs each', () => {
  it('siren: nine digits or a 400', () => {
    fc.assert(fc.property(queryValue, (v) => parsesOrRefuses(() => siren(v), (s) => /^\d{9}$/.test(s))), RUNS)
  })

  it('insee: a commune code or a 400', () => {
    fc.assert(fc.property(queryValue, (v) => parsesOrRefuses(() => insee(v), (s) => /^[0-9][0-9AB][0-9]{3}$/.test(s))), RUNS)
  })

  it('identifier: safe characters, at most 128, or a 400', () => {
    fc.assert(fc.property(queryValue, (v) => parsesOrRefuses(() => identifier(v, 'id'), (s) => /^[A-Za-z0-9._-]{1,128}$/.test(s))), RUNS)
  })

  it('instant: a real date whose calendar day exists, or a 400', () => {
    fc.assert(
      fc.property(queryValue, (v) =>
        parsesOrRefuses(
          () => instant(v, 'from'),
          (d) => (v === undefined ? d === undefined : realDate(d) && typeof v === 'string' && sameCalendarDay(v)),
        ),
      ),
      RUNS,
    )
  })

  it('integer: a safe integer within bounds, or a 400', () => {
    fc.assert(
      fc.property(queryValue, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 40 }), (v, min, span) =>
        parsesOrRefuses(() => integer(v, 'limit', min, min + span, min), intIn(min, min + span)),
      ),
      RUNS,
    )
  })

  it('tile z/x/y: a tile inside the world and the zoom range, or a 400/404', () => {
    const source = TILE_SOURCES.find((s) => s.id === 'communes')!
    const zxy = fc.oneof(text, fc.nat({ max: 40 }).map(String))
    fc.assert(
      fc.property(zxy, zxy, zxy, (z, x, y) =>
        parsesOrRefuses(
          () => parseTileAddress(source, z, x, y),
          (t) => intIn(source.minzoom, source.maxzoom)(t.z) && intIn(0, 2 ** t.z - 1)(t.x) && intIn(0, 2 ** t.z - 1)(t.y),
          [InvalidInputError, NotFoundError],
        ),
      ),
      RUNS,
    )
  })

  it('bbox: four finite numbers in CRS84, south ≤ north, or a 400', () => {
    fc.assert(
      fc.property(queryValue, (v) =>
        parsesOrRefuses(
          () => bbox(v),
          ([w, s, e, n]) => [w, e].every((x) => Number.isFinite(x) && x >= -180 && x <= 180) && [s, n].every((y) => Number.isFinite(y) && y >= -90 && y <= 90) && s <= n,
        ),
      ),
      RUNS,
    )
  })

  it('datetime: an instant or an ordered interval of real dates, or a 400', () => {
    fc.assert(
      fc.property(queryValue, (v) =>
        parsesOrRefuses(
          () => datetime(v),
          ({ start, end }) => (start === null || realDate(start)) && (end === null || realDate(end)) && (start !== null || end !== null) && (!start || !end || start <= end),
        ),
      ),
      RUNS,
    )
  })

  it('OGC items query: limit 1..10,000, offset a safe integer, or a 400', () => {
    const collection = COLLECTIONS[0]!
    const query = fc.record({ limit: queryValue, offset: queryValue, bbox: queryValue, datetime: queryValue }, { requiredKeys: [] })
    fc.assert(
      fc.property(query, (q) => parsesOrRefuses(() => itemsQuery(collection, q), (r) => intIn(1, 10_000)(r.limit) && intIn(0, Number.MAX_SAFE_INTEGER)(r.offset))),
      RUNS,
    )
  })

  it('year: 2000..2100, or a 400', () => {
    fc.assert(fc.property(queryValue, (v) => parsesOrRefuses(() => parseYear(v, 2026), intIn(2000, 2100))), RUNS)
  })

  it('indicator period: real days, 1 to 1,098 days, or a 400', () => {
    const query = fc.record({ year: queryValue, from: fc.oneof(queryValue, dayLike), to: fc.oneof(queryValue, dayLike) }, { requiredKeys: [] })
    fc.assert(
      fc.property(query, (q) =>
        parsesOrRefuses(
          () => indicatorPeriod(q, new Date('2026-11-22T12:00:00Z')),
          (p) => intIn(1, 3 * 366)(p.days) && sameCalendarDay(p.from) && sameCalendarDay(p.to) && p.from <= p.to && (p.year === null || intIn(2000, 2100)(p.year)),
        ),
      ),
      RUNS,
    )
  })
})

/** The YYYY-MM-DD a string starts with is a real calendar day (not 02-31 rolled over to March). */
function sameCalendarDay(value: string): boolean {
  const day = value.slice(0, 10)
  const date = new Date(`${day}T00:00:00Z`)
  return Number.isFinite(date.getTime()) && date.toISOString().slice(0, 10) === day
}
