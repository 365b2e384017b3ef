/**
 * Hostile input never gets past a parser as anything but a well-formed result or a
 * MessageRejection with a stable reason: 10,000 generated messages per parser and per family
 * (anything, near-valid envelopes). Generators: message-arbitraries.test-support.ts.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseChirpstackLog, parseChirpstackUp } from './chirpstack-v4.ts'
import {
  anyValue,
  chirpstackLog,
  chirpstackUp,
  expectChirpstackLog,
  expectResultOrRejection,
  expectSenmlRecords,
  expectUplink,
  hostileText,
  nearValid,
  nearValidText,
  NOW,
  RUNS,
  senmlPack,
  SKEW,
  ttnUplink,
} from './message-arbitraries.test-support.ts'
import { EARLIEST_READING_TIME } from './reading-time.ts'
import { MessageRejection } from './rejection.ts'
import { parseSenml, resolveSenml } from './senml.ts'
import { parseTtnUplink } from './ttn-v3.ts'

const options = { now: NOW, maxFutureSkewSeconds: SKEW }

describe('SenML parser under hostile input', () => {
  it('parseSenml: any text is records or a rejection', () => {
    fc.assert(fc.property(fc.oneof(hostileText, nearValidText(senmlPack)), (text) => {
      expectResultOrRejection(() => parseSenml(text, options), (records) => expectSenmlRecords(records))
    }), RUNS)
  })

  it('resolveSenml: any value is records or a rejection', () => {
    fc.assert(fc.property(anyValue, (value) => {
      expectResultOrRejection(() => resolveSenml(value, options), (records) => expectSenmlRecords(records))
    }), RUNS)
  })

  it('resolveSenml: near-valid packs are records or a rejection', () => {
    fc.assert(fc.property(nearValid(senmlPack), (pack) => {
      expectResultOrRejection(() => resolveSenml(pack, options), (records) => expectSenmlRecords(records))
    }), RUNS)
  })
})

describe('The Things Stack v3 parser under hostile input', () => {
  it('parseTtnUplink: any value is an uplink or a rejection', () => {
    fc.assert(fc.property(anyValue, (value) => {
      expectResultOrRejection(() => parseTtnUplink(value), (u) => expectUplink(u, 'ttn-v3'))
    }), RUNS)
  })

  it('parseTtnUplink: near-valid uplinks are an uplink or a rejection', () => {
    fc.assert(fc.property(nearValid(ttnUplink), (message) => {
      expectResultOrRejection(() => parseTtnUplink(message), (u) => expectUplink(u, 'ttn-v3'))
    }), RUNS)
  })
})

describe('ChirpStack v4 parsers under hostile input', () => {
  it('parseChirpstackUp: any value is an uplink or a rejection', () => {
    fc.assert(fc.property(anyValue, (value) => {
      expectResultOrRejection(() => parseChirpstackUp(value), (u) => expectUplink(u, 'chirpstack-v4'))
    }), RUNS)
  })

  it('parseChirpstackUp: near-valid events are an uplink or a rejection', () => {
    fc.assert(fc.property(nearValid(chirpstackUp), (message) => {
      expectResultOrRejection(() => parseChirpstackUp(message), (u) => expectUplink(u, 'chirpstack-v4'))
    }), RUNS)
  })

  it('parseChirpstackLog: any value is a log or a rejection', () => {
    fc.assert(fc.property(anyValue, (value) => {
      expectResultOrRejection(() => parseChirpstackLog(value), expectChirpstackLog)
    }), RUNS)
  })

  it('parseChirpstackLog: near-valid events are a log or a rejection', () => {
    fc.assert(fc.property(nearValid(chirpstackLog), (message) => {
      expectResultOrRejection(() => parseChirpstackLog(message), expectChirpstackLog)
    }), RUNS)
  })
})

/** The reason `parse` refuses with, or null when it accepts. */
function reasonOf(parse: () => unknown): string | null {
  try {
    parse()
    return null
  } catch (error) {
    if (error instanceof MessageRejection) return error.reason
    throw error
  }
}

describe('reading times: not before 2000-01-01, whatever the parser', () => {
  // Anything finite, the Date range, and near the bound (where rounding would show).
  const seconds = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -8.64e12, max: 8.64e12, noNaN: true }),
    fc.double({ min: EARLIEST_READING_TIME - 1_000, max: EARLIEST_READING_TIME + 1_000, noNaN: true }),
    fc.integer({ min: EARLIEST_READING_TIME - NOW - 1_000, max: EARLIEST_READING_TIME - NOW + 1_000 }), // relative, near the bound
  )
  const earliestMs = EARLIEST_READING_TIME * 1000
  // RFC 3339 as both servers write it (years 0000–9999), often near the bound.
  const rfc3339 = fc.oneof(
    fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }),
    fc.integer({ min: earliestMs - 5_000, max: earliestMs + 5_000 }),
  ).map((ms) => ({ ms, text: new Date(ms).toISOString() }))

  it('SenML: bt + t accepted exactly from the bound to now plus the skew, else refused with the reason that says why', () => {
    fc.assert(fc.property(seconds, fc.option(seconds), (bt, t) => {
      let time = bt + (t ?? 0)
      if (time < 2 ** 28) time += NOW
      const expected = !Number.isFinite(time) ? 'non_finite_value' : time > NOW + SKEW ? 'timestamp_in_future' : time < EARLIEST_READING_TIME ? 'timestamp_too_old' : null
      const record = t === null ? { n: 'urn:dev:x:a', v: 1, bt } : { n: 'urn:dev:x:a', v: 1, bt, t }
      expect(reasonOf(() => resolveSenml([record], options))).toBe(expected)
      if (expected === null) expect(resolveSenml([record], options)[0]!.time).toBe(time)
    }), RUNS)
  })

  it('The Things Stack: received_at (or its fallback) accepted exactly from the bound on', () => {
    fc.assert(fc.property(rfc3339, fc.boolean(), ({ ms, text }, fallback) => {
      const message = structuredClone(ttnUplink) as { received_at?: string; uplink_message: { received_at?: string } }
      if (fallback) {
        delete message.uplink_message.received_at
        message.received_at = text
      } else {
        message.uplink_message.received_at = text
      }
      expect(reasonOf(() => parseTtnUplink(message))).toBe(ms < earliestMs ? 'timestamp_too_old' : null)
      if (ms >= earliestMs) expect(parseTtnUplink(message).time).toBeCloseTo(ms / 1000, 3)
    }), RUNS)
  })

  it('ChirpStack: time accepted exactly from the bound on', () => {
    fc.assert(fc.property(rfc3339, ({ ms, text }) => {
      const message = { ...chirpstackUp, time: text.replace('Z', '+00:00') }
      expect(reasonOf(() => parseChirpstackUp(message))).toBe(ms < earliestMs ? 'timestamp_too_old' : null)
      if (ms >= earliestMs) expect(parseChirpstackUp(message).time).toBeCloseTo(ms / 1000, 3)
    }), RUNS)
  })
})
