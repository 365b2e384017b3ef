/**
 * Adeunis COMFORT CO2 (temperature, humidity, CO₂). Frame layouts from the Adeunis codec
 * (TheThingsNetwork/lorawan-devices, vendor/adeunis/comfort_co2_lib.js) and the COMFORT CO2
 * Technical Reference Manual (adeunis.notion.site).
 *
 * - 0x6A data: after the status, records of 5 bytes `temperature int16 /10 | humidity uint8 |
 *   CO₂ uint16`, most recent first (t, t-1, t-2… as configured by the history registers).
 *   Only the most recent record is returned: older ones are past readings the flat contract
 *   cannot date (with the default configuration, one record per frame, nothing is lost).
 * - 0x6B alarm: `alarm flags uint8 | temperature int16 /10 | humidity uint8 | CO₂ uint16`: the
 *   readings at the time of the alarm are returned, the flags are not.
 * - 0x10 configuration, 0x1F digital input configuration, 0x20 network configuration, 0x30 daily
 *   frame (24 h min / max / average: statistics, not readings), 0x33 register status, 0x37
 *   software version, 0x51 / 0x52 digital input alarms: no reading, `{}`.
 * The documentation gives no error code for the readings.
 */
import { CodecError, type DecodedObject, type PayloadCodec } from './codec.ts'
import { int16be, uint16be, uint8 } from './bytes.ts'
import { decodeAdeunis, expectLength, type AdeunisDevice, type AdeunisFrame } from './adeunis.ts'

const RECORD_LENGTH = 5

function reading(data: Uint8Array, offset: number): DecodedObject {
  return {
    temperature: int16be(data, offset, 'temperature') / 10,
    humidity: uint8(data, offset + 2, 'humidity'),
    co2: uint16be(data, offset + 3, 'co2'),
  }
}

function data(frame: AdeunisFrame): DecodedObject {
  const length = frame.data.length
  if (length === 0 || length % RECORD_LENGTH !== 0) {
    throw new CodecError(`data frame (0x6a): ${length} data bytes, expected whole ${RECORD_LENGTH}-byte records`)
  }
  return reading(frame.data, 0)
}

function alarm(frame: AdeunisFrame): DecodedObject {
  expectLength(frame, 'alarm frame', 6)
  return reading(frame.data, 1)
}

const DEVICE: AdeunisDevice = {
  model: 'COMFORT CO2',
  ignored: new Set([0x10, 0x1f, 0x20, 0x30, 0x33, 0x37, 0x51, 0x52]),
  decoders: new Map([[0x6a, data], [0x6b, alarm]]),
}

export const adeunisComfortCo2: PayloadCodec = {
  id: 'adeunis-comfort-co2',
  vendor: 'Adeunis',
  model: 'COMFORT CO2',
  decode: (bytes: Uint8Array) => decodeAdeunis(DEVICE, bytes),
}
