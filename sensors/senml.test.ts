import { describe, expect, it } from 'vitest'
import { EARLIEST_READING_TIME } from './reading-time.ts'
import { MessageRejection } from './rejection.ts'
import { parseSenml } from './senml.ts'

const NOW = 1_763_800_000 // 2025-11-22T08:26:40Z
const options = { now: NOW, maxFutureSkewSeconds: 300 }

function rejection(payload: string): { reason: string; detail: string } {
  try {
    parseSenml(payload, options)
  } catch (error) {
    if (error instanceof MessageRejection) return { reason: error.reason, detail: error.detail }
    throw error
  }
  throw new Error('accepted')
}

describe('SenML resolution (RFC 8428 §4.6)', () => {
  it('applies base name, time, unit and value to the records that follow', () => {
    const records = parseSenml(JSON.stringify([
      { bn: 'urn:dev:ow:10e2073a01080063:', bt: 1.276020076001e9, bu: 'A', bver: 5, n: 'voltage', u: 'V', v: 120.1 },
      { n: 'current', t: -5, v: 1.2 },
      { n: 'current', t: -4, v: 1.3 },
      { bv: 100, n: 'offset', v: 1.5 },
    ]), options)
    expect(records.map((r) => [r.baseName + r.name, r.time, r.unit, r.value])).toEqual([
      ['urn:dev:ow:10e2073a01080063:voltage', 1.276020076001e9, 'V', 120.1],
      ['urn:dev:ow:10e2073a01080063:current', 1.276020076001e9 - 5, 'A', 1.2],
      ['urn:dev:ow:10e2073a01080063:current', 1.276020076001e9 - 4, 'A', 1.3],
      ['urn:dev:ow:10e2073a01080063:offset', 1.276020076001e9, 'A', 101.5],
    ])
  })

  it('counts times below 2^28 from the time of reception', () => {
    const [record] = parseSenml('[{"n":"urn:dev:x:t","v":1,"t":-60}]', options)
    expect(record!.time).toBe(NOW - 60)
    const [absent] = parseSenml('[{"n":"urn:dev:x:t","v":1}]', options)
    expect(absent!.time).toBe(NOW)
  })

  it('keeps string, boolean and data values and sums, with base sum applied', () => {
    const records = parseSenml(JSON.stringify([
      { bn: 'd:', bs: 10, n: 'door', vb: true },
      { n: 'label', vs: 'salle 2' },
      { n: 'energy', u: 'J', s: 5 },
    ]), options)
    expect(records.map((r) => [r.booleanValue, r.stringValue, r.sum])).toEqual([[true, null, null], [null, 'salle 2', null], [null, null, 15]])
  })

  it.each([
    ['invalid_json', '[{"n":"a","v":NaN}]'],
    ['invalid_json', '[{"n":"a","v":Infinity}]'],
    ['invalid_json', "[{'n':'a','v':1}]"],
    ['invalid_type', '[{"n":"a","v":"21,5"}]'],
    ['invalid_type', '[{"n":"a","v":"21.5"}]'],
    ['invalid_type', '[{"n":"a","vb":"true"}]'],
    ['invalid_type', '[{"n":5,"v":1}]'],
    ['non_finite_value', '[{"n":"a","v":null}]'],
    ['non_finite_value', '[{"n":"a","v":1e400}]'],
    ['non_finite_value', '[{"n":"a","v":1e308},{"n":"b","bv":1e308,"v":1e308}]'], // base + value overflows
    ['timestamp_in_future', `[{"n":"a","v":1,"t":${NOW + 301}}]`],
    ['invalid_senml', '{"n":"a","v":1}'],
    ['invalid_senml', '[]'],
    ['invalid_senml', '[{"v":1}]'],
    ['invalid_senml', '[{"n":"a b","v":1}]'],
    ['invalid_senml', '[{"n":"-a","v":1}]'],
    ['invalid_senml', '[{"n":"a","v":1,"vs":"x"}]'],
    ['invalid_senml', '[{"n":"a"}]'],
    ['invalid_senml', '[{"n":"a","v":1,"x_":2}]'],
    ['invalid_senml', '[{"n":"a","v":1,"bver":11}]'],
  ])('refuses %s: %s', (reason, payload) => {
    expect(rejection(payload).reason).toBe(reason)
  })

  it('refuses the whole pack for one bad record, saying which', () => {
    const { reason, detail } = rejection('[{"n":"a","v":1},{"n":"b","v":"x"}]')
    expect(reason).toBe('invalid_type')
    expect(detail).toMatch(/^record 2/)
  })

  it('ignores unknown fields that are not must-understand', () => {
    expect(parseSenml('[{"n":"a","v":1,"ct":"x"}]', options)).toHaveLength(1)
  })

  // Found by parsers.property.test.ts: each of these escaped as a RangeError.
  it.each([
    ['timestamp_in_future', '[{"n":"a","v":1,"bt":1e20}]'], // beyond the Date range: toISOString threw
    ['non_finite_value', '[{"n":"a","v":1,"bt":1e308,"t":1e308}]'], // bt + t overflows to Infinity
    ['timestamp_too_old', '[{"n":"a","v":1,"bt":-1e300}]'], // was accepted with a time no Date can hold
    ['invalid_type', `[{"n":"a","v":1,"bn":${'['.repeat(10_000)}${']'.repeat(10_000)}}]`], // the message stringified it: stack overflow
  ])('refuses %s without throwing anything else: %s', (reason, payload) => {
    expect(rejection(payload).reason).toBe(reason)
  })

  it('keeps a refusal short whatever the bad value', () => {
    expect(rejection(`[{"n":"a","v":"${'9'.repeat(100_000)}"}]`).detail.length).toBeLessThan(200)
  })

  it('accepts a time within the allowed clock skew', () => {
    expect(parseSenml(`[{"n":"a","v":1,"t":${NOW + 299}}]`, options)[0]!.time).toBe(NOW + 299)
  })
})

describe('SenML times before the earliest reading time (2000-01-01T00:00:00Z)', () => {
  const pack = (records: object[]) => JSON.stringify(records)
  const timeOf = (records: object[]) => parseSenml(pack(records), options).map((r) => r.time)

  it('accepts the bound itself and a time just after it', () => {
    expect(timeOf([{ n: 'a', v: 1, bt: EARLIEST_READING_TIME }])).toEqual([EARLIEST_READING_TIME])
    expect(timeOf([{ n: 'a', v: 1, bt: EARLIEST_READING_TIME + 0.001 }])).toEqual([EARLIEST_READING_TIME + 0.001])
  })

  it('refuses a time just before it, the detail saying the bound', () => {
    expect(rejection(pack([{ n: 'a', v: 1, bt: EARLIEST_READING_TIME - 0.001 }]))).toEqual({
      reason: 'timestamp_too_old',
      detail: 'record 1: time 1999-12-31T23:59:59.999Z is before 2000-01-01T00:00:00Z, the earliest a reading may be',
    })
  })

  it.each([
    // A Date holds these, PostgreSQL does not: they used to fail their whole batch as storage_error.
    ['PostgreSQL’s earliest timestamptz (4714-11-24 BC)', Date.UTC(-4713, 10, 24) / 1000],
    ['just before PostgreSQL’s earliest timestamptz', Date.UTC(-4713, 10, 24) / 1000 - 1],
    ['year 1', Date.parse('0001-01-01T00:00:00Z') / 1000],
    ['1900', Date.UTC(1900, 0, 1) / 1000],
    ['1985, an absolute time above 2^28 (not relative)', Date.UTC(1985, 0, 1) / 1000],
    ['the earliest Date', -8.64e12],
  ])('refuses %s', (_name, bt) => {
    expect(rejection(pack([{ n: 'a', v: 1, bt }])).reason).toBe('timestamp_too_old')
  })

  it('refuses a relative time reaching back before the bound', () => {
    expect(rejection(pack([{ n: 'a', v: 1, t: EARLIEST_READING_TIME - NOW - 1 }])).reason).toBe('timestamp_too_old')
    expect(timeOf([{ n: 'a', v: 1, t: EARLIEST_READING_TIME - NOW }])).toEqual([EARLIEST_READING_TIME])
  })

  it('applies the bound to bt + t, not to each', () => {
    expect(rejection(pack([{ n: 'a', v: 1, bt: EARLIEST_READING_TIME, t: -1 }])).reason).toBe('timestamp_too_old')
    expect(timeOf([{ n: 'a', v: 1, bt: EARLIEST_READING_TIME - 60, t: 60 }])).toEqual([EARLIEST_READING_TIME])
    const { reason, detail } = rejection(pack([{ bn: 'urn:dev:x:', bt: EARLIEST_READING_TIME + 5, n: 'a', v: 1 }, { n: 'b', t: -10, v: 2 }]))
    expect(reason).toBe('timestamp_too_old')
    expect(detail).toMatch(/^record 2: time 1999-12-31T23:59:55\.000Z is before 2000-01-01T00:00:00Z/)
  })

  it('prints a time no Date can hold in seconds', () => {
    expect(rejection(pack([{ n: 'a', v: 1, bt: -1e300 }])).detail).toBe('record 1: time -1e+300 s is before 2000-01-01T00:00:00Z, the earliest a reading may be')
  })
})
