/**
 * The Milesight channel/type scheme shared by the AM and EM series: the payload is a sequence
 * of records `channel id (1 byte) | type (1 byte) | data (fixed length for that pair)`,
 * little-endian (Milesight-IoT/SensorDecoders, README "Payload" of each device; Milesight user
 * guides, "Device Payload"). Each device declares the (channel, type) pairs it documents.
 *
 * Choices (see `codec.ts` for the general rules):
 * - Device information (channel 0xFF with the documented attribute types: protocol, hardware and
 *   firmware versions, power on, class, serial number, TSL version, reset event…) is skipped;
 *   a frame made only of it decodes to `{}`.
 * - Other 0xFF / 0xFE records (downlink command echoes) have per-command lengths the devices'
 *   telemetry tables do not give, so they throw like any unknown pair: without the length the
 *   rest of the frame cannot be read safely.
 * - History records (channel 0x20/0x21, type 0xCE) carry their own Unix timestamp: a flat
 *   object would store them at the reception time, so they are refused (they stay recoverable
 *   in the dead letter) instead of being mis-dated or silently dropped.
 * - A field appearing twice in one frame throws: the flat object cannot hold both.
 */
import { CodecError, type DecodedObject, type DecodedValue, type PayloadCodec } from './codec.ts'
import { hexByte, int16le, need, uint16le, uint8 } from './bytes.ts'

export interface MilesightChannel {
  readonly id: number
  readonly type: number
  readonly length: number
  readonly name: string
  /** Decoded fields of one record, `data` starting at `offset`. Empty for non-measurement records. */
  readonly read: (bytes: Uint8Array, offset: number) => Readonly<Record<string, number>>
}

/** Attribute types of channel 0xFF and their data length, as documented for the AM/EM series. */
const ATTRIBUTES: ReadonlyMap<number, number> = new Map([
  [0x01, 1], // protocol (IPSO) version
  [0x09, 2], // hardware version
  [0x0a, 2], // firmware version
  [0x0b, 1], // power on / device status
  [0x0f, 1], // LoRaWAN class
  [0x16, 8], // serial number
  [0xfe, 1], // reset event
  [0xff, 2], // TSL version
])

const HISTORY_CHANNELS = new Set([0x20, 0x21])
const HISTORY_TYPE = 0xce

export const BATTERY: MilesightChannel = {
  id: 0x01, type: 0x75, length: 1, name: 'battery',
  read: (bytes, offset) => ({ battery: uint8(bytes, offset, 'battery') }),
}

export const TEMPERATURE: MilesightChannel = {
  id: 0x03, type: 0x67, length: 2, name: 'temperature',
  read: (bytes, offset) => ({ temperature: int16le(bytes, offset, 'temperature') / 10 }),
}

export const HUMIDITY: MilesightChannel = {
  id: 0x04, type: 0x68, length: 1, name: 'humidity',
  read: (bytes, offset) => ({ humidity: uint8(bytes, offset, 'humidity') / 2 }),
}

export function co2Channel(id: number): MilesightChannel {
  return { id, type: 0x7d, length: 2, name: 'co2', read: (bytes, offset) => ({ co2: uint16le(bytes, offset, 'co2') }) }
}

export function pressureChannel(id: number): MilesightChannel {
  return {
    id, type: 0x73, length: 2, name: 'pressure',
    read: (bytes, offset) => ({ pressure: uint16le(bytes, offset, 'pressure') / 10 }),
  }
}

export interface MilesightDevice {
  readonly id: string
  readonly model: string
  readonly channels: readonly MilesightChannel[]
  /** Device-specific 0xFF attribute types (type → length) beyond the common ones. */
  readonly extraAttributes?: ReadonlyMap<number, number>
}

export function milesightCodec(device: MilesightDevice): PayloadCodec {
  const channels = new Map(device.channels.map((c) => [(c.id << 8) | c.type, c]))
  const attributes = new Map([...ATTRIBUTES, ...(device.extraAttributes ?? [])])
  return {
    id: device.id,
    vendor: 'Milesight',
    model: device.model,
    decode(bytes: Uint8Array): DecodedObject {
      if (bytes.length === 0) throw new CodecError('empty frame')
      const decoded: Record<string, DecodedValue> = {}
      let offset = 0
      while (offset < bytes.length) {
        need(bytes, offset, 2, 'channel id and type')
        const id = uint8(bytes, offset, 'channel id')
        const type = uint8(bytes, offset + 1, 'channel type')
        const at = `channel ${hexByte(id)} type ${hexByte(type)} at offset ${offset}`
        if (HISTORY_CHANNELS.has(id) && type === HISTORY_TYPE) {
          throw new CodecError(`${at}: history records carry their own timestamp, which a flat decoded object cannot express`)
        }
        const attributeLength = id === 0xff ? attributes.get(type) : undefined
        const channel = channels.get((id << 8) | type)
        if (attributeLength !== undefined) {
          need(bytes, offset + 2, attributeLength, `${at} (device information)`)
          offset += 2 + attributeLength
          continue
        }
        if (channel === undefined) throw new CodecError(`${at}: not a channel documented for the ${device.model}`)
        need(bytes, offset + 2, channel.length, `${at} (${channel.name})`)
        for (const [field, value] of Object.entries(channel.read(bytes, offset + 2))) {
          if (field in decoded) throw new CodecError(`${at}: ${field} appears twice in one frame`)
          decoded[field] = value
        }
        offset += 2 + channel.length
      }
      return decoded
    },
  }
}
