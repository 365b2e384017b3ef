/**
 * Elsys ERS CO2 (temperature, humidity, light, motion, CO₂, battery voltage), Elsys generic
 * payload: a sequence of `type (1 byte) | value (length fixed by the type)`, big-endian.
 * Layout: the Elsys type table as published by Elsys in the TTN Device Repository
 * (TheThingsNetwork/lorawan-devices, vendor/elsys/elsys.js, header "ELSYS simple payload
 * decoder… www.elsys.se"; Elsys "Sensor payload" document, elsys.se/public/documents/Sensor_payload.pdf).
 *
 * Types decoded — those the ERS CO2 sends:
 * - 0x01 temperature, int16 /10 → `temperature` (°C)
 * - 0x02 humidity, uint8 → `humidity` (%RH)
 * - 0x04 light, uint16 → `illuminance` (lx)
 * - 0x05 motion, uint8: number of PIR detections since the previous report → `motion_count`
 * - 0x06 CO₂, uint16 → `co2` (ppm)
 * - 0x07 VDD, uint16 mV → `battery_voltage` (V)
 * Any other type (acceleration, external sensors, GPS, pulses, sound, settings…) is not produced
 * by the ERS CO2 and throws: its length would have to be trusted from a table meant for other
 * devices, and a wrong length corrupts the rest of the frame. The Elsys documentation gives no
 * error code for these readings. A type appearing twice in one frame throws.
 */
import { CodecError, type DecodedObject, type DecodedValue, type PayloadCodec } from './codec.ts'
import { hexByte, int16be, need, uint16be, uint8 } from './bytes.ts'

interface ElsysType {
  readonly length: number
  readonly field: string
  readonly read: (bytes: Uint8Array, offset: number) => number
}

const TYPES: ReadonlyMap<number, ElsysType> = new Map([
  [0x01, { length: 2, field: 'temperature', read: (b: Uint8Array, o: number) => int16be(b, o, 'temperature') / 10 }],
  [0x02, { length: 1, field: 'humidity', read: (b: Uint8Array, o: number) => uint8(b, o, 'humidity') }],
  [0x04, { length: 2, field: 'illuminance', read: (b: Uint8Array, o: number) => uint16be(b, o, 'light') }],
  [0x05, { length: 1, field: 'motion_count', read: (b: Uint8Array, o: number) => uint8(b, o, 'motion') }],
  [0x06, { length: 2, field: 'co2', read: (b: Uint8Array, o: number) => uint16be(b, o, 'co2') }],
  [0x07, { length: 2, field: 'battery_voltage', read: (b: Uint8Array, o: number) => uint16be(b, o, 'vdd') / 1000 }],
])

export const elsysErsCo2: PayloadCodec = {
  id: 'elsys-ers-co2',
  vendor: 'Elsys',
  model: 'ERS CO2',
  decode(bytes: Uint8Array): DecodedObject {
    if (bytes.length === 0) throw new CodecError('empty frame')
    const decoded: Record<string, DecodedValue> = {}
    let offset = 0
    while (offset < bytes.length) {
      const code = uint8(bytes, offset, 'type')
      const type = TYPES.get(code)
      if (type === undefined) throw new CodecError(`type ${hexByte(code)} at offset ${offset} is not one the ERS CO2 sends`)
      need(bytes, offset + 1, type.length, `${type.field} (type ${hexByte(code)})`)
      if (type.field in decoded) throw new CodecError(`${type.field} (type ${hexByte(code)}) appears twice in one frame`)
      decoded[type.field] = type.read(bytes, offset + 1)
      offset += 1 + type.length
    }
    return decoded
  },
}
