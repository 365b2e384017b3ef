/**
 * fast-check generators of hostile MQTT messages, shared by the parsers' property tests
 * (sensors/parsers.property.test.ts) and the decoder's (ingestion/message-decoder.property.test.ts).
 * Three families: anything at all (bytes, text, JSON values), valid envelopes of each format with
 * a few fields replaced, added or removed (wrong types, "NaN"-like strings, huge numbers, deep
 * nesting, unicode, very long strings), and raw JSON text tricks (NaN tokens, 1e999, deep nesting).
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import type { ChirpstackLog } from './chirpstack-v4.ts'
import { EARLIEST_READING_TIME } from './reading-time.ts'
import { MessageRejection, REJECTION_REASONS } from './rejection.ts'
import type { SenmlRecord } from './senml.ts'
import type { Uplink } from './uplink.ts'

export const NOW = 1_763_800_000 // 2025-11-22T08:26:40Z
export const SKEW = 300

/** Every run of every property: 10,000 inputs (the seed is printed on failure). */
export const RUNS = { numRuns: 10_000 } as const

/** The Date range (±8.64e15 ms): a time outside it cannot be stored or printed. */
function expectValidTime(seconds: number): void {
  expect(Number.isFinite(seconds)).toBe(true)
  expect(Number.isNaN(new Date(seconds * 1000).getTime())).toBe(false)
}

/** A reading's time: a valid time, and not before 2000-01-01 (reading-time.ts). */
function expectReadingTime(seconds: number): void {
  expectValidTime(seconds)
  expect(seconds).toBeGreaterThanOrEqual(EARLIEST_READING_TIME)
}

/**
 * Runs `parse`: either it returns a result `check` accepts, or it throws a MessageRejection with a
 * stable reason. Any other exception (TypeError, RangeError…) fails the property.
 */
export function expectResultOrRejection<T>(parse: () => T, check: (result: T) => void): void {
  let result: T
  try {
    result = parse()
  } catch (error) {
    if (!(error instanceof MessageRejection)) throw error
    expect(REJECTION_REASONS).toContain(error.reason)
    return
  }
  check(result)
}

/** Nested arrays or objects, built without recursion (deep enough to overflow a recursive walk). */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value }
  return value
}

// Bounded so that fast-check can still print a counterexample; deeper nesting comes as text (hostileText).
const deepValue = fc.tuple(fc.integer({ min: 1, max: 1_000 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => nested(d, k))
const longString = fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('a', '0', 'é', '😀', '\u0000', 'F')).map(([n, c]) => c.repeat(n))

/** Values that are not what a field expects, or barely are. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, 'NaN', 'Infinity', '-Infinity', '1e999', '', ' ', '0x10', '21,5', '12', true, false, 0, -0, -1, 0.5, 255, 256,
    2 ** 32, 2 ** 53, 1e20, -1e20, 1e308, -1e308, 5e-324, Number.MAX_VALUE, [], {}, [1], { a: 1 }, '__proto__',
    'ffffffffffffffff', 'FFFFFFFFFFFFFFFF', '0101010101010g01', '2020-02-30T00:00:00Z', '2020-02-12T15:15:46Z',
    '9999-12-31T23:59:59.999999999-23:59', '0000-01-01T00:00:00+23:59', '2020-02-12T15:15:46.' + '9'.repeat(400) + 'Z',
    '+275760-09-13T00:00:00Z', 'qg==', 'q===', '=', 'urn:dev:x:', 'UPLINK_CODEC', 'as:up:1',
    // Around the earliest reading time (2000-01-01T00:00:00Z), and long before it (PostgreSQL stops at 4714 BC).
    '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00Z', '2000-01-01T00:59:59+01:00', '1900-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
    '1970-01-01T00:00:00Z', EARLIEST_READING_TIME, EARLIEST_READING_TIME - 0.001, EARLIEST_READING_TIME + 0.001, 5e8, -2_208_988_800,
    -62_135_596_800, -210_866_803_200, -210_866_803_201, -8.64e12, -8.64e12 - 1,
  ),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
  longString,
  deepValue,
)

/** JSON-compatible arbitrary values, from fc.anything mapped through JSON. */
const anythingAsJson: fc.Arbitrary<unknown> = fc.anything({ maxDepth: 4 }).map((value) => {
  try {
    const text = JSON.stringify(value)
    return text === undefined ? null : (JSON.parse(text) as unknown)
  } catch {
    return null // BigInt, cycles: not JSON
  }
})

/** Anything a caller might pass: JSON values, raw JS values, deep nesting. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 6 }), anythingAsJson, fc.anything({ maxDepth: 3 }), nastyValue)

// ---------------------------------------------------------------------------------------------
// Result contracts.

export function expectSenmlRecords(records: readonly SenmlRecord[], now = NOW): void {
  expect(records.length).toBeGreaterThan(0)
  for (const r of records) {
    expect(r.baseName + r.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/)
    expectReadingTime(r.time)
    expect(r.time).toBeLessThanOrEqual(now + SKEW)
    if (r.value !== null) expect(Number.isFinite(r.value)).toBe(true)
    if (r.sum !== null) expect(Number.isFinite(r.sum)).toBe(true)
    const kinds = [r.value, r.stringValue, r.booleanValue, r.dataValue].filter((v) => v !== null)
    expect(kinds.length).toBeLessThanOrEqual(1)
    expect(kinds.length + (r.sum === null ? 0 : 1)).toBeGreaterThan(0)
    expect(r.unit === null || typeof r.unit === 'string').toBe(true)
  }
}

export function expectUplink(u: Uplink, network: Uplink['network']): void {
  expect(u.network).toBe(network)
  expect(u.devEui).toMatch(/^[0-9a-f]{16}$/)
  expect(u.deviceName === null || typeof u.deviceName === 'string').toBe(true)
  expectReadingTime(u.time)
  if (u.fPort !== null) expect(Number.isInteger(u.fPort) && u.fPort >= 0 && u.fPort <= 255).toBe(true)
  expect(Number.isInteger(u.fCnt) && u.fCnt! >= 0 && u.fCnt! <= 0xffff_ffff).toBe(true)
  if (u.payload !== null) expect(u.payload).toBeInstanceOf(Uint8Array)
  if (u.decoded !== null) expect(typeof u.decoded === 'object' && !Array.isArray(u.decoded)).toBe(true)
  expect(u.uplinkId === null || typeof u.uplinkId === 'string').toBe(true)
}

export function expectChirpstackLog(log: ChirpstackLog): void {
  if (log.devEui !== null) expect(log.devEui).toMatch(/^[0-9a-f]{16}$/)
  expect(log.level).toMatch(/^[A-Z][A-Z0-9_]*$/)
  expect(log.code).toMatch(/^[A-Z][A-Z0-9_]*$/)
  expect(typeof log.description).toBe('string')
  if (log.time !== null) expectValidTime(log.time)
}

// ---------------------------------------------------------------------------------------------
// Valid envelopes.

export const senmlPack = [
  { bn: 'urn:dev:deveui:0004a30b001c0530:', bt: NOW - 60, bu: 'Cel', bver: 10, n: 'temperature', u: 'Cel', v: 21.5, t: 0 },
  { n: 'humidity', u: '%RH', v: 40, t: -5 },
  { n: 'count', s: 3, bs: 1 },
  { n: 'door', vb: true, bv: 2 },
  { n: 'label', vs: 'ok' },
]

export const ttnUplink = {
  end_device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' }, dev_eui: '0004A30B001C0530' },
  correlation_ids: ['as:up:01E0WZGT6Y7657CPFPE5WEYDSQ', 'gs:conn:01E0WDEC6T5T4XXBAX7S1VMFKE'],
  received_at: '2025-11-22T08:25:46.014773143Z',
  uplink_message: {
    f_port: 1,
    f_cnt: 1,
    frm_payload: 'gkHe',
    decoded_payload: { temperature: 1.0, luminosity: 0.64, battery: { level: 90 } },
    received_at: '2025-11-22T08:25:45.787Z',
  },
}

export const chirpstackUp = {
  deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
  time: '2025-11-22T08:25:15.775023242+00:00',
  deviceInfo: { deviceName: 'Test device', devEui: '0101010101010101', tags: { key: 'value' } },
  fPort: 1,
  fCnt: 10,
  data: 'qg==',
  object: { temperature: 21.5 },
}

export const chirpstackLog = {
  time: '2025-11-22T08:25:15.775Z',
  deviceInfo: { deviceName: 'Test device', devEui: '0101010101010101' },
  level: 'ERROR',
  code: 'UPLINK_CODEC',
  description: 'ReferenceError: x is not defined',
  context: { deduplication_id: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d' },
}

/** Every object or array inside `value` (the root included), in a stable order. */
function containers(value: unknown): unknown[] {
  const found: unknown[] = []
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return
    found.push(v)
    for (const child of Object.values(v)) visit(child)
  }
  visit(value)
  return found
}

function keysOf(value: unknown): string[] {
  const keys = new Set<string>()
  for (const c of containers(value)) for (const k of Object.keys(c as object)) keys.add(k)
  return [...keys]
}

const DELETE = Symbol('delete')

/**
 * A valid envelope with one to four fields replaced, added or removed. Field names come from the
 * envelope itself (so known fields are hit often), plus SenML's and arbitrary ones.
 */
export function nearValid(envelope: unknown): fc.Arbitrary<unknown> {
  const count = containers(envelope).length
  const keys = [...keysOf(envelope), 'bn', 'bt', 'v', 'vs', 'vb', 'vd', 's', 'x_', 'app_s_key', 'joinServerContext', 'join_accept', '0', '__proto__']
  const mutation = fc.record({
    target: fc.nat({ max: count - 1 }),
    key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
    value: fc.oneof({ weight: 1, arbitrary: fc.constant<unknown>(DELETE) }, { weight: 5, arbitrary: nastyValue }),
  })
  return fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
    const copy = structuredClone(envelope)
    const targets = containers(copy) as Record<string, unknown>[]
    for (const { target, key, value } of mutations) {
      const container = targets[target]
      if (container === undefined) continue
      if (value === DELETE) {
        // Splice arrays: JSON.parse never makes holes.
        if (Array.isArray(container)) container.splice(Number(key), /^\d+$/.test(key) ? 1 : 0)
        else delete container[key]
      }
      else if (!(Array.isArray(container) && key === 'length')) {
        // defineProperty, not assignment: "__proto__" becomes an own key, as JSON.parse makes it.
        Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true })
      }
    }
    return copy
  })
}

/** JSON text: valid or near-valid, sometimes with a number token made NaN, Infinity, 1e999… */
export function nearValidText(envelope: unknown): fc.Arbitrary<string> {
  const token = fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '1e308', '01', '1.', '.5', '"\\ud800"', 'undefined', '[' .repeat(5000) + ']'.repeat(5000))
  return fc.tuple(nearValid(envelope), fc.option(token, { freq: 2 })).map(([value, replacement]) => {
    const text = JSON.stringify(value) ?? 'null'
    return replacement === null ? text : text.replace(/-?\d+(\.\d+)?([eE][+-]?\d+)?/, replacement)
  })
}

/** Text that is no JSON, or barely JSON, or JSON nested very deep. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.json({ maxDepth: 5 }),
  anythingAsJson.map((v) => JSON.stringify(v) ?? 'null'),
  fc.tuple(fc.integer({ min: 1, max: 15_000 }), fc.constantFrom('[', '{"a":', '[{"bn":')).map(([d, open]) => open.repeat(d) + '1' + (open === '[' ? ']' : '}').repeat(d)),
  fc.tuple(fc.integer({ min: 1, max: 15_000 }), fc.constantFrom('[{"n":"a","v":1,"bn":', '{"deviceInfo":')).map(([d, open]) => open + '['.repeat(d) + ']'.repeat(d) + (open.startsWith('[') ? '}]' : '}')),
)
