/**
 * Milesight AM307 indoor ambience sensor (temperature, humidity, PIR, light level, CO₂, TVOC,
 * barometric pressure, battery). Layout: Milesight-IoT/SensorDecoders, am-series/am307/README.md
 * (Telemetry table; same table in AM_Series/AM300_v2/README.md).
 *
 * Fields and scaling:
 * - `motion`: PIR state, 1 = triggered, 0 = idle (documented values; anything else throws).
 * - `light_level`: the documented "light level", a small integer scale, not lux.
 * - TVOC comes in one of two units chosen in the device settings, told apart by the type byte:
 *   0x7D = IAQ index, raw/100 → `tvoc_iaq`; 0xE6 = µg/m³, raw → `tvoc`. Two field names because a
 *   field has one unit in the profile. Doubt: the older AM300 documentation (AM_Series/
 *   AM300_Series) printed the 0x7D value unscaled (0x0025 → 37); the current README prints
 *   0x0025 → 0.37 and its table says "read: uint16/100". The current one is followed.
 * - Buzzer status (0x0E 0x01) is device state, not a measurement: skipped.
 * The AM308/AM319 channels (PM2.5, PM10, HCHO, O₃) are not documented for the AM307: they throw.
 */
import { CodecError } from './codec.ts'
import { hexByte, uint16le, uint8 } from './bytes.ts'
import { BATTERY, HUMIDITY, TEMPERATURE, co2Channel, milesightCodec, pressureChannel, type MilesightChannel } from './milesight.ts'

const PIR: MilesightChannel = {
  id: 0x05, type: 0x00, length: 1, name: 'PIR',
  read: (bytes, offset) => {
    const state = uint8(bytes, offset, 'PIR state')
    if (state > 1) throw new CodecError(`PIR state ${hexByte(state)} is not documented (0 idle, 1 trigger)`)
    return { motion: state }
  },
}

const LIGHT_LEVEL: MilesightChannel = {
  id: 0x06, type: 0xcb, length: 1, name: 'light level',
  read: (bytes, offset) => ({ light_level: uint8(bytes, offset, 'light level') }),
}

const TVOC_IAQ: MilesightChannel = {
  id: 0x08, type: 0x7d, length: 2, name: 'TVOC (IAQ)',
  read: (bytes, offset) => ({ tvoc_iaq: uint16le(bytes, offset, 'TVOC (IAQ)') / 100 }),
}

const TVOC_MASS: MilesightChannel = {
  id: 0x08, type: 0xe6, length: 2, name: 'TVOC (µg/m³)',
  read: (bytes, offset) => ({ tvoc: uint16le(bytes, offset, 'TVOC (µg/m³)') }),
}

const BUZZER: MilesightChannel = { id: 0x0e, type: 0x01, length: 1, name: 'buzzer status', read: () => ({}) }

export const milesightAm307 = milesightCodec({
  id: 'milesight-am307',
  model: 'AM307',
  channels: [BATTERY, TEMPERATURE, HUMIDITY, PIR, LIGHT_LEVEL, co2Channel(0x07), TVOC_IAQ, TVOC_MASS, pressureChannel(0x09), BUZZER],
})
