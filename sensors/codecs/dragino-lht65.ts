/**
 * Dragino LHT65 temperature & humidity sensor (battery voltage, built-in temperature and
 * humidity, external probe). Layout: LHT65 User Manual §2.4 "Uplink Payload" (11 bytes on
 * fPort 2): BAT (2) | built-in temperature (2) | built-in humidity (2) | Ext # (1) | Ext value (4),
 * big-endian; and the Dragino decoder in the TTN Device Repository
 * (TheThingsNetwork/lorawan-devices, vendor/dragino/lht65.js) for the bits of the Ext # byte.
 *
 * - BAT: bits 15–14 battery status, bits 13–0 voltage in mV → `battery_voltage` (V). The status
 *   is derived from the voltage and not returned.
 * - Built-in temperature: int16 /100 → `temperature` (°C); humidity: uint16 /10 → `humidity` (%RH).
 * - Ext #: low nibble = external sensor type, bit 6 = poll (datalog) reply, bit 7 = external
 *   sensor not connected.
 *   - 0x0: no external sensor. The manual says the 4 ext bytes are then absent (7-byte frame);
 *     the Dragino decoder expects 11 bytes: both lengths are accepted, the 4 bytes ignored.
 *   - 0x1: E1 temperature probe (DS18B20), int16 /100 → `temperature_external` (°C); the last
 *     2 bytes are documented as meaningless. 0x7FFF is documented as "no DS18B20 connected":
 *     the value is then omitted, as it is when bit 7 (not connected) is set.
 *   - other types (interrupt, illumination, ADC, counting, timestamped E1, probe ID) change the
 *     meaning of the frame and are not supported by this codec: CodecError.
 * - Datalog poll replies (bit 6) are sequences of past readings with their own timestamps: refused.
 * - Any fPort other than 2 throws (as the Dragino decoder does).
 */
import { CodecError, type DecodedObject, type DecodedValue, type PayloadCodec } from './codec.ts'
import { hexByte, int16be, uint16be, uint8 } from './bytes.ts'

const UPLINK_PORT = 2
const EXT_NONE = 0x0
const EXT_E1_TEMPERATURE = 0x1
const PROBE_ABSENT = 0x7fff

export const draginoLht65: PayloadCodec = {
  id: 'dragino-lht65',
  vendor: 'Dragino',
  model: 'LHT65',
  decode(bytes: Uint8Array, fPort: number): DecodedObject {
    if (fPort !== UPLINK_PORT) throw new CodecError(`fPort ${fPort}: the LHT65 sends its readings on fPort ${UPLINK_PORT}`)
    if (bytes.length !== 7 && bytes.length !== 11) throw new CodecError(`an LHT65 frame has 7 or 11 bytes, this one ${bytes.length}`)
    const ext = uint8(bytes, 6, 'Ext #')
    if (ext & 0x40) throw new CodecError('datalog poll reply: past readings with their own timestamps, which a flat decoded object cannot express')
    const extType = ext & 0x0f
    if (extType !== EXT_NONE && extType !== EXT_E1_TEMPERATURE) {
      throw new CodecError(`external sensor type ${hexByte(extType)} is not supported (only none and E1 temperature)`)
    }
    const decoded: Record<string, DecodedValue> = {
      battery_voltage: (uint16be(bytes, 0, 'BAT') & 0x3fff) / 1000,
      temperature: int16be(bytes, 2, 'built-in temperature') / 100,
      humidity: uint16be(bytes, 4, 'built-in humidity') / 10,
    }
    if (extType === EXT_E1_TEMPERATURE) {
      if (bytes.length !== 11) throw new CodecError('an E1 temperature frame has 11 bytes')
      const raw = uint16be(bytes, 7, 'external temperature')
      const connected = (ext & 0x80) === 0 && raw !== PROBE_ABSENT
      if (connected) decoded.temperature_external = int16be(bytes, 7, 'external temperature') / 100
    }
    return decoded
  },
}
