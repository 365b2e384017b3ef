import { describe, expect, it } from 'vitest'
import { MessageRejection } from './rejection.ts'
import { decodeBase64, flattenDecoded, normalizeDevEui, parseRfc3339 } from './uplink.ts'

function rejection(decoded: unknown): { reason: string; detail: string } {
  try {
    flattenDecoded(decoded as Record<string, unknown>)
  } catch (error) {
    if (error instanceof MessageRejection) return { reason: error.reason, detail: error.detail }
    throw error
  }
  throw new Error('accepted')
}

describe('flattenDecoded', () => {
  it('keeps flat scalars as they are', () => {
    // decoded_payload of The Things Stack's documented uplink example (Integrations → Data Formats).
    expect(flattenDecoded({ temperature: 1.0, luminosity: 0.64 })).toEqual({ temperature: 1.0, luminosity: 0.64 })
    expect(flattenDecoded({ status: 'OK', door: false, count: 0 })).toEqual({ status: 'OK', door: false, count: 0 })
  })

  it('flattens nested objects into dot paths', () => {
    expect(flattenDecoded({ battery: { level: 90, voltage: { value: 3.04 } }, t: 21 })).toEqual({
      'battery.level': 90,
      'battery.voltage.value': 3.04,
      t: 21,
    })
  })

  it('flattens arrays by index, whatever they hold', () => {
    expect(flattenDecoded({ values: [20.5, 21] })).toEqual({ 'values.0': 20.5, 'values.1': 21 })
    expect(flattenDecoded({ probes: [{ t: 4 }, { t: -18, door: true }] })).toEqual({ 'probes.0.t': 4, 'probes.1.t': -18, 'probes.1.door': true })
    expect(flattenDecoded({ matrix: [[1, 2], [3]] })).toEqual({ 'matrix.0.0': 1, 'matrix.0.1': 2, 'matrix.1.0': 3 })
  })

  it('drops empty objects and arrays', () => {
    expect(flattenDecoded({ t: 1, warnings: [], extra: {} })).toEqual({ t: 1 })
    expect(flattenDecoded({})).toEqual({})
  })

  it('keeps a "__proto__" key as a key', () => {
    const flat = flattenDecoded(JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as Record<string, unknown>)
    expect(Object.keys(flat)).toEqual(['__proto__.x', 'a'])
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype)
  })

  it('keeps nulls as nulls: the sensor they go to decides (a null for an unstored field is harmless)', () => {
    expect(flattenDecoded({ temperature: null, info: { interval: null }, values: [1, null] })).toEqual({
      temperature: null,
      'info.interval': null,
      'values.0': 1,
      'values.1': null,
    })
  })

  it.each([
    ['non_finite_value', 'an infinite number (1e999)', JSON.parse('{"energy": 1e999}')],
    ['non_finite_value', 'a negative infinite number', JSON.parse('{"energy": {"total": -1e999}}')],
    ['invalid_type', 'an array at the top', [1, 2]],
    ['invalid_type', 'null at the top', null],
    ['invalid_type', 'two values on one path', { 'a.b': 1, a: { b: 2 } }],
    ['invalid_type', 'an empty key', { '': 1 }],
    ['invalid_type', 'a nested empty key', { a: { '': 1 } }],
    ['invalid_type', 'nesting deeper than 32 levels', JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`)],
  ])('refuses with %s: %s', (reason, _name, decoded) => {
    expect(rejection(decoded).reason).toBe(reason)
  })

  it('says which path is faulty', () => {
    expect(rejection({ values: [1, 1e308 * 10] }).detail).toBe('decoded "values.1" is not a finite number')
  })
})

describe('parseRfc3339', () => {
  it.each([
    ['2020-09-21T12:34:56.123456789Z', Date.UTC(2020, 8, 21, 12, 34, 56) / 1000 + 0.123456789],
    ['2020-09-21t12:34:56z', Date.UTC(2020, 8, 21, 12, 34, 56) / 1000],
    ['2022-07-18T09:34:15.775023242+00:00', Date.UTC(2022, 6, 18, 9, 34, 15) / 1000 + 0.775023242],
    ['2022-07-18T09:34:15-00:00', Date.UTC(2022, 6, 18, 9, 34, 15) / 1000],
    ['2000-01-01T01:00:00+01:00', Date.UTC(2000, 0, 1) / 1000],
    ['1970-01-01T00:00:00Z', 0],
    ['1969-12-31T23:59:59.5Z', -0.5],
    ['2100-03-01T00:00:00Z', Date.UTC(2100, 2, 1) / 1000],
    ['0099-12-31T00:00:00Z', new Date('0099-12-31T00:00:00Z').getTime() / 1000], // Date.UTC(99, …) would mean 1999
  ])('reads %s', (text, seconds) => {
    expect(parseRfc3339(text)).toBeCloseTo(seconds, 6)
  })

  it.each([
    '2020-09-21T12:34:56', '2020-09-21', '2020-09-21 12:34:56Z', '2020-9-21T12:34:56Z', '2020-09-21T12:34:56.Z',
    '2020-13-01T00:00:00Z', '2020-00-01T00:00:00Z', '2020-04-31T00:00:00Z', '2100-02-29T00:00:00Z',
    '2020-09-21T12:60:00Z', '2020-09-21T12:34:60Z', '2020-09-21T12:34:56+0200', '2020-09-21T12:34:56+02:60',
    ' 2020-09-21T12:34:56Z', '+002020-09-21T12:34:56Z', 'Mon, 21 Sep 2020 12:34:56 GMT', '',
  ])('refuses %j', (text) => {
    expect(parseRfc3339(text)).toBeNull()
  })
})

describe('decodeBase64', () => {
  it.each([
    ['gkHe', [0x82, 0x41, 0xde]],
    ['qg==', [0xaa]],
    ['qg', [0xaa]],
    ['AQI=', [1, 2]],
    ['-_8=', [0xfb, 0xff]],
    ['+/8=', [0xfb, 0xff]],
    ['', []],
  ])('decodes %j', (text, bytes) => {
    expect(decodeBase64(text)).toEqual(new Uint8Array(bytes))
  })

  it.each(['q', 'qg=', 'qg===', 'q=g=', 'gk+_', 'gk He', 'gkHe\n', 'éé==', '====', 'gkHe='])('refuses %j', (text) => {
    expect(decodeBase64(text)).toBeNull()
  })
})

describe('normalizeDevEui', () => {
  it('lower-cases 16 hex digits and refuses anything else', () => {
    expect(normalizeDevEui('0004A30B001C0530')).toBe('0004a30b001c0530')
    expect(normalizeDevEui('0101010101010101')).toBe('0101010101010101')
    for (const bad of ['0004A30B001C053', '0004A30B001C05300', '0004A30B001C053Z', '00:04:A3:0B:00:1C:05:30', '']) {
      expect(normalizeDevEui(bad)).toBeNull()
    }
  })
})
