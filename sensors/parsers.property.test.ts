/**
 * Hostile input never gets past a parser as anything but a well-formed result or a
 * MessageRejection with a stable reason: 10,000 generated messages per parser and per family
 * (anything, near-valid envelopes). Generators: message-arbitraries.test-support.ts.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
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
