/**
 * The Adeunis frame envelope shared by the COMFORT CO2 and PULSE codecs:
 * `frame code (1 byte) | status (1 byte) | data | [timestamp (4 bytes)]`, big-endian.
 * Status byte: bits 7–5 frame counter, bit 2 "timestamp present" (the 4 last bytes are then
 * seconds since 2013-01-01T00:00:00Z), bit 1 low battery, bit 0 configuration done.
 * Sources: Adeunis codec library (TheThingsNetwork/lorawan-devices, vendor/adeunis/pulse_lib.js
 * and comfort_co2_lib.js; status byte parsers) and Adeunis technical reference manuals.
 *
 * Each device lists its frame codes: measurement codes are decoded, the documented
 * non-measurement codes (configuration, network configuration, register status, software
 * version, keep-alive, alarms without readings…) decode to `{}`, and unknown codes throw.
 * When present, the timestamp is not returned: the flat contract carries no time, so the
 * readings are dated at reception by the ingestion (the frames are sent when the most recent
 * reading is taken, so the difference is the radio delay).
 */
import { CodecError, type DecodedObject } from './codec.ts'
import { hexByte, uint8 } from './bytes.ts'

export interface AdeunisFrame {
  readonly code: number
  /** The data bytes between the status byte and the optional timestamp. */
  readonly data: Uint8Array
}

export interface AdeunisDevice {
  readonly model: string
  /** Frame codes documented as carrying no reading for this contract. */
  readonly ignored: ReadonlySet<number>
  /** Frame codes decoded, code → decoder of the data bytes. */
  readonly decoders: ReadonlyMap<number, (frame: AdeunisFrame) => DecodedObject>
}

export function decodeAdeunis(device: AdeunisDevice, bytes: Uint8Array): DecodedObject {
  const code = uint8(bytes, 0, 'frame code')
  const status = uint8(bytes, 1, 'status byte')
  if (device.ignored.has(code)) return {}
  const decoder = device.decoders.get(code)
  if (decoder === undefined) throw new CodecError(`frame code ${hexByte(code)} is not documented for the ${device.model}`)
  const end = status & 0x04 ? bytes.length - 4 : bytes.length
  if (end < 2) throw new CodecError(`truncated frame: the status announces a timestamp, the frame has ${bytes.length} bytes`)
  return decoder({ code, data: bytes.subarray(2, end) })
}

/** Throws unless the data part has exactly one of the given lengths. */
export function expectLength(frame: AdeunisFrame, what: string, ...lengths: number[]): void {
  if (!lengths.includes(frame.data.length)) {
    throw new CodecError(`${what} (frame ${hexByte(frame.code)}): ${frame.data.length} data bytes, expected ${lengths.join(' or ')}`)
  }
}
