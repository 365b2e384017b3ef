import { describe, expect, it } from 'vitest'
import { MessageRejection } from './rejection.ts'
import { parseTtnUplink } from './ttn-v3.ts'

/**
 * The "Uplink message example" of The Things Stack documentation, Integrations → Data Formats
 * (https://www.thethingsindustries.com/docs/integrations/data-formats/, source
 * TheThingsIndustries/lorawan-stack-docs doc/content/integrations/data-formats/_index.md).
 * As documented it has no f_port; the format description above it shows `"f_port": 1`.
 */
const documentedUplink = {
  end_device_ids: {
    device_id: 'dev1',
    application_ids: { application_id: 'app1' },
    dev_eui: '0004A30B001C0530',
    join_eui: '800000000000000C',
    dev_addr: '00BCB929',
  },
  correlation_ids: [
    'as:up:01E0WZGT6Y7657CPFPE5WEYDSQ',
    'gs:conn:01E0WDEC6T5T4XXBAX7S1VMFKE',
    'gs:uplink:01E0WZGSZWT07NE5TS2APTV1Z9',
    'ns:uplink:01E0WZGSZXZXZS8RFAWZX0F2FY',
    'rpc:/ttn.lorawan.v3.GsNs/HandleUplink:01E0WZGSZXGE1KS577PFBWRJEE',
  ],
  received_at: '2020-02-12T15:15:46.014773143Z',
  uplink_message: {
    session_key_id: 'AXA50tHUGUucuzS/bCGMNw==',
    f_cnt: 1,
    frm_payload: 'gkHe',
    decoded_payload: { temperature: 1.0, luminosity: 0.64 },
    rx_metadata: [{
      gateway_ids: { gateway_id: 'gtw1', eui: '9C5C8E00001A05C4' },
      time: '2020-02-12T15:15:45.787Z',
      timestamp: 2463457000,
      rssi: -35,
      channel_rssi: -35,
      snr: 5,
      uplink_token: 'ChIKEAoEZ3R3MRIInFyOAAAaBcQQ6L3Vlgk=',
      channel_index: 2,
    }],
    settings: {
      data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } },
      data_rate_index: 5,
      coding_rate: '4/6',
      frequency: '868300000',
      timestamp: 2463457000,
      time: '2020-02-12T15:15:45.787Z',
    },
    consumed_airtime: '0.056576s',
    locations: { user: { latitude: 37.97155556731436, longitude: 23.72678801175413, altitude: 10, source: 'SOURCE_REGISTRY' } },
    received_at: '2020-02-12T15:15:45.789585559Z',
  },
}

/** Deep copy of the documented example with changes: `undefined` removes a field. */
function variant(changes: { root?: Record<string, unknown>; ids?: Record<string, unknown>; up?: Record<string, unknown> }): unknown {
  const copy = structuredClone(documentedUplink) as Record<string, unknown> & {
    end_device_ids: Record<string, unknown>
    uplink_message: Record<string, unknown>
  }
  const apply = (target: Record<string, unknown>, patch: Record<string, unknown> = {}) => {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete target[key]
      else target[key] = value
    }
  }
  apply(copy.end_device_ids, changes.ids)
  apply(copy.uplink_message, changes.up)
  apply(copy, changes.root)
  return copy
}

/** Seconds since the epoch of an RFC 3339 time, its fraction kept to the digit. */
const at = (whole: string, fraction: number) => Date.parse(whole) / 1000 + fraction

function rejection(message: unknown): { reason: string; detail: string } {
  try {
    parseTtnUplink(message)
  } catch (error) {
    if (error instanceof MessageRejection) return { reason: error.reason, detail: error.detail }
    throw error
  }
  throw new Error('accepted')
}

describe('The Things Stack v3 uplinks', () => {
  it('reads the documented uplink example, with its payload formatter output', () => {
    const uplink = parseTtnUplink(documentedUplink)
    expect(uplink).toEqual({
      network: 'ttn-v3',
      devEui: '0004a30b001c0530', // upper-case upstream
      deviceName: 'dev1',
      time: expect.any(Number),
      fPort: null,
      payload: new Uint8Array([0x82, 0x41, 0xde]),
      decoded: { temperature: 1.0, luminosity: 0.64 },
      fCnt: 1,
      uplinkId: 'as:up:01E0WZGT6Y7657CPFPE5WEYDSQ',
    })
    // Network Server reception, nanoseconds kept (to the precision of a double).
    expect(uplink.time).toBeCloseTo(at('2020-02-12T15:15:45Z', 0.789585559), 6)
    expect(uplink.time - 1_581_520_545).toBeCloseTo(0.789585559, 6)
  })

  it.each([
    ['without a payload formatter: only frm_payload', { up: { decoded_payload: undefined, f_port: 1 } }, { decoded: null, fPort: 1, payload: new Uint8Array([0x82, 0x41, 0xde]) }],
    ['f_cnt left out (it is 0)', { up: { f_cnt: undefined } }, { fCnt: 0 }],
    ['f_cnt at its largest', { up: { f_cnt: 4294967295 } }, { fCnt: 4294967295 }],
    ['a frame without FRMPayload', { up: { frm_payload: undefined, decoded_payload: undefined } }, { payload: null, decoded: null }],
    ['a lower-case DevEUI', { ids: { dev_eui: '0004a30b001c0530' } }, { devEui: '0004a30b001c0530' }],
    ['an all-zero DevEUI', { ids: { dev_eui: '0000000000000000' } }, { devEui: '0000000000000000' }],
    ['no correlation ids', { root: { correlation_ids: undefined } }, { uplinkId: null }],
    ['no as:up correlation id', { root: { correlation_ids: ['ns:uplink:01E0WZGSZXZXZS8RFAWZX0F2FY'] } }, { uplinkId: 'ns:uplink:01E0WZGSZXZXZS8RFAWZX0F2FY' }],
    ['payload crypto skipped (app_s_key present): frm_payload is still encrypted', { up: { app_s_key: { session_key_id: 'AXA50tHUGUucuzS/bCGMNw==', key: 'vu8=' }, decoded_payload: undefined } }, { payload: null, decoded: null }],
    ['a simulated uplink (Console)', { root: { simulated: true } }, { fCnt: 1 }],
    ['an empty decoded_payload', { up: { decoded_payload: {} } }, { decoded: {} }],
    ['decoded_payload null (proto3 JSON: the default)', { up: { decoded_payload: null } }, { decoded: null }],
  ])('accepts %s', (_name, changes, expected) => {
    expect(parseTtnUplink(variant(changes))).toMatchObject(expected)
  })

  it.each([
    ['no fraction', '2020-02-12T15:15:45Z', at('2020-02-12T15:15:45Z', 0)],
    ['milliseconds', '2020-02-12T15:15:45.787Z', at('2020-02-12T15:15:45Z', 0.787)],
    ['trailing zeros dropped (Go RFC3339Nano)', '2020-02-12T15:15:45.78958Z', at('2020-02-12T15:15:45Z', 0.78958)],
    ['nanoseconds', '2020-09-21T12:34:56.123456789Z', at('2020-09-21T12:34:56Z', 0.123456789)],
    ['an offset', '2020-09-21T14:34:56.5+02:00', at('2020-09-21T12:34:56Z', 0.5)],
  ])('reads received_at with %s', (_name, receivedAt, seconds) => {
    expect(parseTtnUplink(variant({ up: { received_at: receivedAt } })).time).toBeCloseTo(seconds, 6)
  })

  it('falls back to the Application Server reception time when the uplink has none', () => {
    const uplink = parseTtnUplink(variant({ up: { received_at: undefined } }))
    expect(uplink.time).toBeCloseTo(at('2020-02-12T15:15:46Z', 0.014773143), 6)
  })

  it('refuses what is not a data uplink, saying what it is', () => {
    // "Join message example", same documentation page.
    const joinAccept = {
      end_device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' }, dev_eui: '0004A30B001C0530', join_eui: '800000000000000C', dev_addr: '01497ECC' },
      correlation_ids: ['as:up:01E191YN5F2HMBQCBCVRF731VY'],
      received_at: '2020-02-17T07:49:09.935284891Z',
      join_accept: { session_key_id: 'AXBSH1Pk6Z0G166RlH16CQ==', received_at: '2020-02-17T07:49:09.736532315Z' },
    }
    expect(rejection(joinAccept)).toEqual({ reason: 'invalid_type', detail: 'a "join_accept" message, not a data uplink (no "uplink_message")' })
    // "Downlink event message example", same page.
    const downlinkAck = {
      end_device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' }, dev_eui: '0004A30B001C0530', join_eui: '800000000000000C', dev_addr: '00C30DFA' },
      correlation_ids: ['as:downlink:01E19B99501X84X6CV471TVSZ1'],
      received_at: '2020-02-17T10:32:24.590413417Z',
      downlink_ack: { session_key_id: 'AXBSp8v2brG0jqkri+sIkw==', f_port: 15, f_cnt: 1, frm_payload: 'vu8=', confirmed: true, priority: 'NORMAL', correlation_ids: ['as:downlink:01E19B99501X84X6CV471TVSZ1'] },
    }
    expect(rejection(downlinkAck).detail).toMatch(/"downlink_ack" message, not a data uplink/)
    expect(rejection(variant({ root: { uplink_message: undefined } }))).toEqual({ reason: 'invalid_type', detail: '"uplink_message" is missing: not a data uplink' })
  })

  it.each([
    ['the message is null', null],
    ['the message is an array', [documentedUplink]],
    ['the message is a string', JSON.stringify(documentedUplink)],
    ['no end_device_ids', variant({ root: { end_device_ids: undefined } })],
    ['end_device_ids is a string', variant({ root: { end_device_ids: 'dev1' } })],
    ['no device_id', variant({ ids: { device_id: undefined } })],
    ['device_id is a number', variant({ ids: { device_id: 1 } })],
    ['no dev_eui (device registered without one)', variant({ ids: { dev_eui: undefined } })],
    ['dev_eui of 15 digits', variant({ ids: { dev_eui: '0004A30B001C053' } })],
    ['dev_eui with a non-hex digit', variant({ ids: { dev_eui: '0004A30B001C053G' } })],
    ['dev_eui with separators', variant({ ids: { dev_eui: '00-04-A3-0B-00-1C-05-30' } })],
    ['dev_eui as a number', variant({ ids: { dev_eui: 4_000_000 } })],
    ['uplink_message is an array', variant({ root: { uplink_message: [] } })],
    ['uplink_message is a string', variant({ root: { uplink_message: 'gkHe' } })],
    ['f_cnt as a string', variant({ up: { f_cnt: '1' } })],
    ['f_cnt negative', variant({ up: { f_cnt: -1 } })],
    ['f_cnt beyond 32 bits', variant({ up: { f_cnt: 4294967296 } })],
    ['f_port as a string', variant({ up: { f_port: '1' } })],
    ['f_port fractional', variant({ up: { f_port: 1.5 } })],
    ['f_port beyond 255', variant({ up: { f_port: 256 } })],
    ['frm_payload with a character outside base64', variant({ up: { frm_payload: 'gk!e' } })],
    ['frm_payload with a bad length', variant({ up: { frm_payload: 'gkHeA' } })],
    ['frm_payload with bad padding', variant({ up: { frm_payload: 'gkHe=' } })],
    ['frm_payload mixing both alphabets', variant({ up: { frm_payload: 'gk+_' } })],
    ['frm_payload as a byte array', variant({ up: { frm_payload: [0x82, 0x41, 0xde] } })],
    ['decoded_payload as an array', variant({ up: { decoded_payload: [1, 0.64] } })],
    ['decoded_payload as a string', variant({ up: { decoded_payload: '{"temperature":1}' } })],
    ['received_at as a number', variant({ up: { received_at: 1581520545.789 } })],
    ['received_at not a time', variant({ up: { received_at: 'yesterday' } })],
    ['received_at without a zone', variant({ up: { received_at: '2020-02-12T15:15:45.789585559' } })],
    ['received_at with a space for T', variant({ up: { received_at: '2020-02-12 15:15:45Z' } })],
    ['received_at on 30 February', variant({ up: { received_at: '2020-02-30T15:15:45Z' } })],
    ['received_at at hour 24', variant({ up: { received_at: '2020-02-12T24:00:00Z' } })],
    ['received_at with an empty fraction', variant({ up: { received_at: '2020-02-12T15:15:45.Z' } })],
    ['received_at unparsable, even with a valid fallback', variant({ up: { received_at: '2020-02-12' } })],
    ['no received_at at all', variant({ up: { received_at: undefined }, root: { received_at: undefined } })],
    ['correlation_ids not an array of strings', variant({ root: { correlation_ids: 'as:up:01E0WZGT6Y7657CPFPE5WEYDSQ' } })],
  ])('refuses with invalid_type: %s', (_name, message) => {
    expect(rejection(message).reason).toBe('invalid_type')
  })

  it('accepts a reception time from 2000-01-01T00:00:00Z on', () => {
    expect(parseTtnUplink(variant({ up: { received_at: '2000-01-01T00:00:00Z' } })).time).toBe(946_684_800)
    expect(parseTtnUplink(variant({ up: { received_at: '2000-01-01T00:00:00.001Z' } })).time).toBeCloseTo(946_684_800.001, 6)
  })

  it.each([
    ['just before 2000', { up: { received_at: '1999-12-31T23:59:59.999Z' } }],
    ['in 1900', { up: { received_at: '1900-01-01T00:00:00Z' } }],
    ['in year 1', { up: { received_at: '0001-01-01T00:00:00Z' } }],
    ['in year 0, offset to the day before', { up: { received_at: '0000-01-01T00:00:00+23:59' } }],
    ['in the fallback, before 2000', { up: { received_at: undefined }, root: { received_at: '1970-01-01T00:00:00Z' } }],
  ])('refuses a reception time %s (timestamp_too_old)', (_name, changes) => {
    expect(rejection(variant(changes)).reason).toBe('timestamp_too_old')
  })

  it('says which time and the bound', () => {
    expect(rejection(variant({ up: { received_at: '1999-12-31T23:59:59.999Z' } })).detail)
      .toBe('"uplink_message.received_at" 1999-12-31T23:59:59.999Z is before 2000-01-01T00:00:00Z, the earliest a reading may be')
    expect(rejection(variant({ up: { received_at: undefined }, root: { received_at: '1970-01-01T00:00:00Z' } })).detail)
      .toBe('"received_at" 1970-01-01T00:00:00.000Z is before 2000-01-01T00:00:00Z, the earliest a reading may be')
  })

  it('names the faulty field', () => {
    expect(rejection(variant({ up: { f_cnt: '1' } })).detail).toBe('"uplink_message.f_cnt" must be an integer from 0 to 4294967295 (got "1")')
    expect(rejection(variant({ ids: { dev_eui: '0004A30B001C053' } })).detail).toMatch(/^"end_device_ids.dev_eui" must be a DevEUI of 16 hex digits/)
    expect(rejection(variant({ up: { frm_payload: 'gk!e' } })).detail).toMatch(/^"uplink_message.frm_payload" is not valid base64/)
    expect(rejection(variant({ up: { received_at: 'yesterday' } })).detail).toMatch(/^"uplink_message.received_at" is not an RFC 3339 time/)
    expect(rejection(null).detail).toBe('the message must be a JSON object (got null)')
    expect(rejection(variant({ up: { f_cnt: JSON.parse('1e999') } })).detail).toBe('"uplink_message.f_cnt" must be an integer from 0 to 4294967295 (got Infinity)')
  })
})
