/**
 * Hostile MQTT messages (any topic, any bytes) never get out of the decoder as anything but a
 * well-formed decoded message or a MessageRejection with a stable reason. 10,000 messages per
 * property; generators and result contracts in sensors/message-arbitraries.test-support.ts.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EARLIEST_READING_TIME, MessageRejection } from '../sensors/index.ts'
import {
  chirpstackLog,
  chirpstackUp,
  expectChirpstackLog,
  expectResultOrRejection,
  expectSenmlRecords,
  expectUplink,
  hostileText,
  nearValidText,
  NOW,
  RUNS,
  senmlPack,
  SKEW,
  ttnUplink,
} from '../sensors/message-arbitraries.test-support.ts'
import { decodeMessage, type DecodedMessage } from './message-decoder.ts'

const options = { maxPayloadBytes: 262_144, maxFutureSkewSeconds: SKEW }
const receivedAt = new Date(NOW * 1000)

const TOPICS = {
  ttn: 'v3/app1@ttn/devices/dev1/up',
  up: 'application/17c82e96/device/0101010101010101/event/up',
  log: 'application/17c82e96/device/0101010101010101/event/log',
  senml: 'territoire/sensors/urn:dev:deveui:0004a30b001c0530',
}

function expectDecoded(message: DecodedMessage): void {
  switch (message.format) {
    case 'senml':
      return expectSenmlRecords(message.records)
    case 'chirpstack-v4-log':
      return expectChirpstackLog(message.log)
    case 'ttn-v3':
    case 'chirpstack-v4':
      expectUplink(message.uplink, message.format)
      expect(message.uplink.time).toBeLessThanOrEqual(NOW + SKEW)
  }
}

const anyTopic = fc.oneof(fc.constantFrom(...Object.values(TOPICS)), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }))

/** Text, or bytes that need not be UTF-8 at all. */
const anyPayload = fc.oneof(
  hostileText.map((text) => Buffer.from(text, 'utf8')),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 262_145, max: 300_000 }).map((size) => Buffer.alloc(size, 0x5b)), // '[' × size: too large
)

function decodes(topic: string, payload: Buffer): void {
  expectResultOrRejection(() => decodeMessage(topic, payload, receivedAt, options), expectDecoded)
}

describe('message decoder under hostile input', () => {
  it('any topic and any bytes: decoded or rejected', () => {
    fc.assert(fc.property(anyTopic, anyPayload, decodes), RUNS)
  })

  it('near-valid messages on their own topic: decoded or rejected', () => {
    const message = fc.oneof(
      fc.tuple(fc.constant(TOPICS.ttn), nearValidText(ttnUplink)),
      fc.tuple(fc.constant(TOPICS.up), nearValidText(chirpstackUp)),
      fc.tuple(fc.constant(TOPICS.log), nearValidText(chirpstackLog)),
      fc.tuple(fc.constant(TOPICS.senml), nearValidText(senmlPack)),
    )
    fc.assert(fc.property(message, ([topic, text]) => decodes(topic, Buffer.from(text, 'utf8'))), RUNS)
  })
})

describe('message decoder: a reading time is plausible or refused', () => {
  // Milliseconds from year 0000 to 9999 (what RFC 3339 can write), often near either bound.
  const ms = fc.oneof(
    fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }),
    fc.integer({ min: EARLIEST_READING_TIME * 1000 - 5_000, max: EARLIEST_READING_TIME * 1000 + 5_000 }),
    fc.integer({ min: (NOW + SKEW) * 1000 - 5_000, max: (NOW + SKEW) * 1000 + 5_000 }),
  )
  const expected = (t: number) => (t < EARLIEST_READING_TIME ? 'timestamp_too_old' : t > NOW + SKEW ? 'timestamp_in_future' : null)
  const reasonOf = (topic: string, message: unknown): string | null => {
    try {
      decodeMessage(topic, Buffer.from(JSON.stringify(message), 'utf8'), receivedAt, options)
      return null
    } catch (error) {
      if (error instanceof MessageRejection) return error.reason
      throw error
    }
  }

  it('every format: accepted exactly from 2000-01-01 to now plus the skew', () => {
    fc.assert(fc.property(ms, fc.constantFrom('ttn', 'up', 'senml'), (at, format) => {
      const text = new Date(at).toISOString()
      const message = format === 'ttn'
        ? { ...ttnUplink, uplink_message: { ...ttnUplink.uplink_message, received_at: text } }
        : format === 'up'
          ? { ...chirpstackUp, time: text }
          : [{ ...senmlPack[0], bt: at / 1000, t: 0 }]
      // SenML reads a time below 2^28 s (before mid-1978) as relative to the reception.
      const time = format === 'senml' && at / 1000 < 2 ** 28 ? at / 1000 + NOW : at / 1000
      expect(reasonOf(TOPICS[format], message)).toBe(expected(time))
    }), RUNS)
  })
})
