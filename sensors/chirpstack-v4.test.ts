import { describe, expect, it } from 'vitest'
import { parseChirpstackLog, parseChirpstackUp } from './chirpstack-v4.ts'
import { MessageRejection } from './rejection.ts'

const deviceInfo = {
  tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
  tenantName: 'ChirpStack',
  applicationId: '17c82e96-be03-4f38-aef3-f83d48582d97',
  applicationName: 'Test application',
  deviceProfileId: '14855bf7-d10d-4aee-b618-ebfcb64dc7ad',
  deviceProfileName: 'Test device-profile',
  deviceName: 'Test device',
  devEui: '0101010101010101',
  tags: { key: 'value' },
}

/**
 * The `up` JSON example of the ChirpStack v4 documentation, Integrations → Event types
 * (https://www.chirpstack.io/docs/chirpstack/integrations/events.html, source chirpstack/chirpstack-docs
 * src/chirpstack/integrations/events.md). No `object` (no codec), and no fCnt, adr, confirmed: the
 * release that produced it left default values out.
 */
const documentedUp = {
  deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
  time: '2022-07-18T09:34:15.775023242+00:00',
  deviceInfo,
  devAddr: '00189440',
  dr: 1,
  fPort: 1,
  data: 'qg==',
  rxInfo: [{
    gatewayId: '0016c001f153a14c',
    uplinkId: 4217106255,
    rssi: -36,
    snr: 10.5,
    context: 'E3OWOQ==',
    metadata: { region_name: 'eu868', region_common_name: 'EU868' },
  }],
  txInfo: { frequency: 867100000, modulation: { lora: { bandwidth: 125000, spreadingFactor: 11, codeRate: 'CR_4_5' } } },
}

/**
 * The documented example as a device profile with a codec and a recent release (all scalars emitted)
 * make it: fields and JSON names from `UplinkEvent` in chirpstack/chirpstack
 * api/proto/integration/integration.proto (`f_cnt` → fCnt, `adr`, `confirmed`, `object` a
 * google.protobuf.Struct, "only set when a codec is configured in the Device Profile").
 * The object's content is illustrative.
 */
const upWithCodec = {
  ...documentedUp,
  adr: true,
  fCnt: 10,
  confirmed: false,
  data: 'AQDSXg==',
  object: { temperature: 21.0, humidity: 94, battery: { level: 90 } },
}

/**
 * The `log` JSON example of the same documentation page (code UPLINK_MIC), and the same event as
 * ChirpStack sends it when the codec fails: code UPLINK_CODEC (LogCode in integration.proto),
 * level ERROR, the codec's error as description, the uplink's deduplication id in the context.
 * The description text is illustrative.
 */
const documentedLog = {
  time: '2022-07-18T09:39:57.311414029+00:00',
  deviceInfo,
  level: 'ERROR',
  code: 'UPLINK_MIC',
  description: 'MIC of join-request is invalid, make sure keys are correct',
  context: { deduplication_id: '4e91db13-5ce3-4c8c-ab0f-dfc626cf0771' },
}
const codecLog = {
  ...documentedLog,
  code: 'UPLINK_CODEC',
  description: 'JS error: Error: Uncaught TypeError: cannot read property of undefined',
  context: { deduplication_id: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d' },
}

const at = (whole: string, fraction: number) => Date.parse(whole) / 1000 + fraction

/** The message with changes: `undefined` removes a field. */
function variant(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(base)
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete copy[key]
    else copy[key] = value
  }
  return copy
}

function rejection(parse: (message: unknown) => unknown, message: unknown): { reason: string; detail: string } {
  try {
    parse(message)
  } catch (error) {
    if (error instanceof MessageRejection) return { reason: error.reason, detail: error.detail }
    throw error
  }
  throw new Error('accepted')
}

describe('ChirpStack v4 up events', () => {
  it('reads the documented example: no codec, fCnt left out', () => {
    const uplink = parseChirpstackUp(documentedUp)
    expect(uplink).toEqual({
      network: 'chirpstack-v4',
      devEui: '0101010101010101',
      deviceName: 'Test device',
      time: expect.any(Number),
      fPort: 1,
      payload: new Uint8Array([0xaa]),
      decoded: null,
      fCnt: 0,
      uplinkId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
    })
    expect(uplink.time).toBeCloseTo(at('2022-07-18T09:34:15Z', 0.775023242), 6)
  })

  it('reads a codec object as received', () => {
    const uplink = parseChirpstackUp(upWithCodec)
    expect(uplink.decoded).toEqual({ temperature: 21.0, humidity: 94, battery: { level: 90 } })
    expect(uplink.payload).toEqual(new Uint8Array([0x01, 0x00, 0xd2, 0x5e]))
    expect(uplink.fCnt).toBe(10)
  })

  it.each([
    ['an upper-case DevEUI', { deviceInfo: { ...deviceInfo, devEui: '0016C001F000175A' } }, { devEui: '0016c001f000175a' }],
    ['no deviceName', { deviceInfo: { ...deviceInfo, deviceName: undefined } }, { deviceName: null }],
    ['an empty deviceName', { deviceInfo: { ...deviceInfo, deviceName: '' } }, { deviceName: null }],
    ['fCnt 0 emitted', { fCnt: 0 }, { fCnt: 0 }],
    ['no fPort', { fPort: undefined }, { fPort: null }],
    ['no data', { data: undefined }, { payload: null }],
    ['empty data', { data: '' }, { payload: null }],
    ['unpadded data (proto3 JSON accepts it)', { data: 'qg' }, { payload: new Uint8Array([0xaa]) }],
    ['URL-safe data (proto3 JSON accepts it)', { data: '-_8=' }, { payload: new Uint8Array([0xfb, 0xff]) }],
    ['object null', { object: null }, { decoded: null }],
    ['a time in Z', { time: '2022-07-18T09:34:15.775023242Z' }, { time: expect.closeTo(at('2022-07-18T09:34:15Z', 0.775023242), 6) }],
    ['a time with an offset', { time: '2022-07-18T11:34:15.5+02:00' }, { time: at('2022-07-18T09:34:15Z', 0.5) }],
    ['a time with a negative offset', { time: '2022-07-18T04:04:15-05:30' }, { time: at('2022-07-18T09:34:15Z', 0) }],
    ['a leap day', { time: '2024-02-29T00:00:00Z' }, { time: Date.UTC(2024, 1, 29) / 1000 }],
    ['a join-server context: data still encrypted', { joinServerContext: { sessionKeyId: '01020304', appSKey: { kekLabel: 'kek', aesKey: 'AQID' } } }, { payload: null }],
  ])('accepts %s', (_name, changes, expected) => {
    expect(parseChirpstackUp(variant(upWithCodec, changes))).toMatchObject(expected)
  })

  it.each([
    ['the message is null', null],
    ['the message is an array', [documentedUp]],
    ['a v3 event (snake_case, devEUI in base64)', { applicationID: '123', applicationName: 'temperature-sensor', deviceName: 'garden-sensor', devEUI: 'AgICAgICAgI=', fCnt: 10, fPort: 5, data: '...', object: {} }],
    ['no deduplicationId', variant(documentedUp, { deduplicationId: undefined })],
    ['an empty deduplicationId', variant(documentedUp, { deduplicationId: '' })],
    ['no time', variant(documentedUp, { time: undefined })],
    ['time as a number', variant(documentedUp, { time: 1658136855.775 })],
    ['time as a protobuf Timestamp object', variant(documentedUp, { time: { seconds: 1658136855, nanos: 775023242 } })],
    ['time unparsable', variant(documentedUp, { time: '18/07/2022 09:34:15' })],
    ['time with an offset of 24 hours', variant(documentedUp, { time: '2022-07-18T09:34:15+24:00' })],
    ['time on 29 February of a common year', variant(documentedUp, { time: '2023-02-29T00:00:00Z' })],
    ['time with a leap second', variant(documentedUp, { time: '2016-12-31T23:59:60Z' })],
    ['no deviceInfo', variant(documentedUp, { deviceInfo: undefined })],
    ['no devEui', variant(documentedUp, { deviceInfo: { ...deviceInfo, devEui: undefined } })],
    ['devEui of 17 digits', variant(documentedUp, { deviceInfo: { ...deviceInfo, devEui: '01010101010101010' } })],
    ['devEui in base64 (v3 style)', variant(documentedUp, { deviceInfo: { ...deviceInfo, devEui: 'AQEBAQEBAQE=' } })],
    ['deviceName as a number', variant(documentedUp, { deviceInfo: { ...deviceInfo, deviceName: 7 } })],
    ['fCnt as a string', variant(documentedUp, { fCnt: '10' })],
    ['fCnt fractional', variant(documentedUp, { fCnt: 10.5 })],
    ['fPort as a string', variant(documentedUp, { fPort: '1' })],
    ['fPort beyond 255', variant(documentedUp, { fPort: 300 })],
    ['data not base64', variant(documentedUp, { data: 'q g==' })],
    ['data with a bad length', variant(documentedUp, { data: 'qg=' })],
    ['data as hex with separators', variant(documentedUp, { data: 'aa:bb' })],
    ['object as an array', variant(documentedUp, { object: [21.0] })],
    ['object as a string', variant(documentedUp, { object: '{"temperature":21}' })],
    ['joinServerContext as a string', variant(documentedUp, { joinServerContext: '01020304' })],
  ])('refuses with invalid_type: %s', (_name, message) => {
    expect(rejection(parseChirpstackUp, message).reason).toBe('invalid_type')
  })

  it('accepts a time from 2000-01-01T00:00:00Z on', () => {
    expect(parseChirpstackUp(variant(documentedUp, { time: '2000-01-01T00:00:00+00:00' })).time).toBe(946_684_800)
    expect(parseChirpstackUp(variant(documentedUp, { time: '2000-01-01T01:00:00.001+01:00' })).time).toBeCloseTo(946_684_800.001, 6)
  })

  it.each([
    ['just before 2000', '1999-12-31T23:59:59.999+00:00'],
    ['just before 2000 by its offset', '2000-01-01T00:59:59+01:00'],
    ['in 1900', '1900-01-01T00:00:00Z'],
    ['in year 1', '0001-01-01T00:00:00+00:00'],
    ['the epoch (a zeroed protobuf Timestamp)', '1970-01-01T00:00:00Z'],
  ])('refuses a time %s (timestamp_too_old), saying the bound', (_name, time) => {
    const { reason, detail } = rejection(parseChirpstackUp, variant(documentedUp, { time }))
    expect(reason).toBe('timestamp_too_old')
    expect(detail).toMatch(/^"time" .* is before 2000-01-01T00:00:00Z, the earliest a reading may be$/)
  })

  it('names the faulty field', () => {
    expect(rejection(parseChirpstackUp, variant(documentedUp, { fCnt: '10' })).detail).toBe('"fCnt" must be an integer from 0 to 4294967295 (got "10")')
    expect(rejection(parseChirpstackUp, variant(documentedUp, { deviceInfo: { ...deviceInfo, devEui: 'AQEBAQEBAQE=' } })).detail)
      .toBe('"deviceInfo.devEui" must be a DevEUI of 16 hex digits (got "AQEBAQEBAQE=")')
  })
})

describe('ChirpStack v4 log events', () => {
  it('reads the documented example', () => {
    const log = parseChirpstackLog(documentedLog)
    expect(log).toEqual({
      devEui: '0101010101010101',
      level: 'ERROR',
      code: 'UPLINK_MIC',
      description: 'MIC of join-request is invalid, make sure keys are correct',
      time: expect.any(Number),
    })
    expect(log.time).toBeCloseTo(at('2022-07-18T09:39:57Z', 0.311414029), 6)
  })

  it('reads a codec error', () => {
    expect(parseChirpstackLog(codecLog)).toMatchObject({
      code: 'UPLINK_CODEC',
      level: 'ERROR',
      description: 'JS error: Error: Uncaught TypeError: cannot read property of undefined',
    })
  })

  it('reads left-out defaults as the protobuf enums and strings define them', () => {
    expect(parseChirpstackLog({ deviceInfo: { devEui: '0101010101010101' } })).toEqual({
      devEui: '0101010101010101', level: 'INFO', code: 'UNKNOWN', description: '', time: null,
    })
    expect(parseChirpstackLog({ ...codecLog, deviceInfo: undefined }).devEui).toBeNull()
    expect(parseChirpstackLog({ ...codecLog, deviceInfo: { deviceName: 'x' } }).devEui).toBeNull()
  })

  it('keeps a log’s time whatever it is: a log is no reading', () => {
    expect(parseChirpstackLog(variant(codecLog, { time: '1970-01-01T00:00:00Z' })).time).toBe(0)
  })

  it.each([
    ['the message is a string', 'UPLINK_CODEC'],
    ['level as its enum number', variant(codecLog, { level: 2 })],
    ['code as its enum number', variant(codecLog, { code: 2 })],
    ['code in lower case', variant(codecLog, { code: 'uplink_codec' })],
    ['description as an object', variant(codecLog, { description: { message: 'x' } })],
    ['time unparsable', variant(codecLog, { time: 'now' })],
    ['deviceInfo as a string', variant(codecLog, { deviceInfo: '0101010101010101' })],
    ['a malformed devEui', variant(codecLog, { deviceInfo: { ...deviceInfo, devEui: '0101' } })],
  ])('refuses with invalid_type: %s', (_name, message) => {
    expect(rejection(parseChirpstackLog, message).reason).toBe('invalid_type')
  })
})
