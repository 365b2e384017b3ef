/**
 * One MQTT message → what it says, without I/O: the format is told by the topic (The Things
 * Stack v3 uplink, ChirpStack v4 up or log event, or SenML for anything else), the size is
 * checked before any parsing, JSON is strict (RFC 8259: no NaN/Infinity tokens), and times
 * may not lie in the future beyond the allowed skew (nor before 2000: the parsers refuse those,
 * sensors/reading-time.ts).
 */
import {
  MessageRejection,
  parseChirpstackLog,
  parseChirpstackUp,
  parseTtnUplink,
  resolveSenml,
  type ChirpstackLog,
  type SenmlRecord,
  type Uplink,
} from '../sensors/index.ts'

export interface DecoderOptions {
  /** Payloads above this size are refused before parsing (bounded memory). */
  readonly maxPayloadBytes: number
  readonly maxFutureSkewSeconds: number
}

export type MessageFormat = 'ttn-v3' | 'chirpstack-v4' | 'chirpstack-v4-log' | 'senml'

export type DecodedMessage =
  | { readonly format: 'senml'; readonly records: readonly SenmlRecord[] }
  | { readonly format: 'ttn-v3' | 'chirpstack-v4'; readonly uplink: Uplink }
  | { readonly format: 'chirpstack-v4-log'; readonly log: ChirpstackLog }

const TTN_UPLINK = /^v3\/[^/]+\/devices\/[^/]+\/up$/
const CHIRPSTACK_UP = /^application\/[^/]+\/device\/[^/]+\/event\/up$/
const CHIRPSTACK_LOG = /^application\/[^/]+\/device\/[^/]+\/event\/log$/

const formats = new Map<string, MessageFormat>()

export function formatOf(topic: string): MessageFormat {
  let format = formats.get(topic)
  if (format === undefined) {
    format = TTN_UPLINK.test(topic) ? 'ttn-v3' : CHIRPSTACK_UP.test(topic) ? 'chirpstack-v4' : CHIRPSTACK_LOG.test(topic) ? 'chirpstack-v4-log' : 'senml'
    if (formats.size > 100_000) formats.clear() // topics are per device: bounded in practice, bounded here anyway
    formats.set(topic, format)
  }
  return format
}

export function decodeMessage(topic: string, payload: Buffer, receivedAt: Date, options: DecoderOptions): DecodedMessage {
  if (payload.length > options.maxPayloadBytes) {
    throw new MessageRejection('payload_too_large', `${payload.length} bytes, the limit is ${options.maxPayloadBytes}`)
  }
  let json: unknown
  try {
    json = JSON.parse(payload.toString('utf8'))
  } catch (error) {
    throw new MessageRejection('invalid_json', (error as Error).message)
  }
  const now = receivedAt.getTime() / 1000
  const format = formatOf(topic)
  switch (format) {
    case 'senml':
      return { format, records: resolveSenml(json, { now, maxFutureSkewSeconds: options.maxFutureSkewSeconds }) }
    case 'chirpstack-v4-log':
      return { format, log: parseChirpstackLog(json) }
    case 'ttn-v3':
    case 'chirpstack-v4': {
      const uplink = format === 'ttn-v3' ? parseTtnUplink(json) : parseChirpstackUp(json)
      if (uplink.time > now + options.maxFutureSkewSeconds) {
        throw new MessageRejection('timestamp_in_future', `uplink time ${new Date(uplink.time * 1000).toISOString()} is in the future`)
      }
      return { format, uplink }
    }
  }
}
