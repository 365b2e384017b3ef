/**
 * Adeunis PULSE (pulse counters on channels A and B), current PULSE 4 frames and the earlier
 * PULSE frames they extend. Frame layouts from the Adeunis codec: TheThingsNetwork/lorawan-devices,
 * vendor/adeunis/pulse_lib.js (PULSE 4), and the Adeunis codec library sources
 * (github.com/sln-nc/adeunis-codecs-lib, src/products/pulse/, earlier PULSE).
 *
 * - 0x46 data: `index channel A uint32 | index channel B uint32` → `pulse_count_a`, `pulse_count_b`.
 * - 0x5A / 0x5B data of channel A / B (PULSE 4): `index uint32 | n × decrement uint16`, the index
 *   at t followed by the differences to t-1, t-2…; only the index at t is returned (the counter
 *   is cumulative: the older points add resolution, not pulses).
 * - 0x48 historic data (earlier PULSE): past indexes and deltas relative to a base time: refused,
 *   a flat decoded object cannot date them.
 * - 0x10 / 0x11 / 0x12 configuration, 0x20 network configuration, 0x30 keep-alive (24 h flow
 *   min / max, alarm flags), 0x33 register status, 0x47 flow alarm (flows, not indexes): `{}`.
 * The indexes are raw pulse counts: converting them to m³ or kWh needs the meter's pulse weight,
 * which is installation data, not payload.
 */
import { CodecError, type DecodedObject, type PayloadCodec } from './codec.ts'
import { uint32be } from './bytes.ts'
import { decodeAdeunis, expectLength, type AdeunisDevice, type AdeunisFrame } from './adeunis.ts'

function bothChannels(frame: AdeunisFrame): DecodedObject {
  expectLength(frame, 'data frame', 8)
  return {
    pulse_count_a: uint32be(frame.data, 0, 'index channel A'),
    pulse_count_b: uint32be(frame.data, 4, 'index channel B'),
  }
}

function oneChannel(field: string) {
  return (frame: AdeunisFrame): DecodedObject => {
    const length = frame.data.length
    if (length < 4 || (length - 4) % 2 !== 0) {
      throw new CodecError(`channel data frame: ${length} data bytes, expected a 4-byte index followed by 2-byte decrements`)
    }
    return { [field]: uint32be(frame.data, 0, 'index') }
  }
}

function historic(): DecodedObject {
  throw new CodecError('historic data frame (0x48): past indexes relative to a base time, which a flat decoded object cannot express')
}

const DEVICE: AdeunisDevice = {
  model: 'PULSE',
  ignored: new Set([0x10, 0x11, 0x12, 0x20, 0x30, 0x33, 0x47]),
  decoders: new Map([
    [0x46, bothChannels],
    [0x48, historic],
    [0x5a, oneChannel('pulse_count_a')],
    [0x5b, oneChannel('pulse_count_b')],
  ]),
}

export const adeunisPulse: PayloadCodec = {
  id: 'adeunis-pulse',
  vendor: 'Adeunis',
  model: 'PULSE',
  decode: (bytes: Uint8Array) => decodeAdeunis(DEVICE, bytes),
}
