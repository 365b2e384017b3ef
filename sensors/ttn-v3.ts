/**
 * The Things Stack v3 (TTN, TTI) data uplinks, as its MQTT server publishes them on
 * `v3/{application id}@{tenant id}/devices/{device id}/up`: an `ApplicationUp` message (JSON, proto3
 * mapping, empty fields — 0, "", false — left out) whose `uplink_message` is an `ApplicationUplink`.
 *
 * - Device: `end_device_ids.device_id` (name) and `end_device_ids.dev_eui` (upper-case hex upstream,
 *   lower-cased here). A device registered without a DevEUI cannot be matched: refused.
 * - Values: `uplink_message.decoded_payload` when a payload formatter ran, `frm_payload` (base64)
 *   always when the frame had one. When `app_s_key` is present the device skips payload crypto at
 *   the server and `frm_payload` is still encrypted: it is no application payload, so `payload` is null.
 * - Time: `uplink_message.received_at` (Network Server reception), else the top-level `received_at`
 *   (Application Server reception); nanosecond RFC 3339; before 2000, refused ('timestamp_too_old').
 * - `f_cnt` absent means 0; `f_port` absent means the frame had no FPort (the Application Server never
 *   sees port 0): null.
 * - `uplinkId`: the Application Server's uplink correlation id (`as:up:…`), else the first one.
 * - An `ApplicationUp` that is not a data uplink (join_accept, downlink_*, location_solved,
 *   service_data, uplink_normalized…) is refused ('invalid_type', naming what it is): this parser is
 *   for the `/up` topic only. Simulated uplinks (`simulated: true`, sent from the Console) have the
 *   same shape and are accepted like the others.
 */
import { MessageRejection } from './rejection.ts'
import {
  isAbsent,
  optionalBase64,
  optionalObject,
  optionalUnsigned,
  requireDevEui,
  requireObject,
  requireReadingTime,
  requireString,
  type Uplink,
} from './uplink.ts'

/** The other members of the `ApplicationUp.up` oneof: messages that carry no uplink data. */
const OTHER_UP_KINDS = [
  'uplink_normalized',
  'join_accept',
  'downlink_ack',
  'downlink_nack',
  'downlink_sent',
  'downlink_failed',
  'downlink_queued',
  'downlink_queue_invalidated',
  'location_solved',
  'service_data',
] as const

export function parseTtnUplink(message: unknown): Uplink {
  const root = requireObject(message, '')
  const ids = requireObject(root.end_device_ids, 'end_device_ids')
  const deviceId = requireString(ids.device_id, 'end_device_ids.device_id')
  if (isAbsent(ids.dev_eui)) {
    throw new MessageRejection('invalid_type', `"end_device_ids.dev_eui" is missing (device "${deviceId}" has no DevEUI to be matched by)`)
  }
  const devEui = requireDevEui(ids.dev_eui, 'end_device_ids.dev_eui')

  if (isAbsent(root.uplink_message)) {
    const kind = OTHER_UP_KINDS.find((key) => !isAbsent(root[key]))
    throw new MessageRejection(
      'invalid_type',
      kind === undefined ? '"uplink_message" is missing: not a data uplink' : `a "${kind}" message, not a data uplink (no "uplink_message")`,
    )
  }
  const up = requireObject(root.uplink_message, 'uplink_message')

  let time: number
  if (!isAbsent(up.received_at)) time = requireReadingTime(up.received_at, 'uplink_message.received_at')
  else if (!isAbsent(root.received_at)) time = requireReadingTime(root.received_at, 'received_at')
  else throw new MessageRejection('invalid_type', 'neither "uplink_message.received_at" nor "received_at" is present')

  const fPort = optionalUnsigned(up.f_port, 'uplink_message.f_port', 255)
  const fCnt = optionalUnsigned(up.f_cnt, 'uplink_message.f_cnt', 0xffff_ffff) ?? 0
  const frmPayload = optionalBase64(up.frm_payload, 'uplink_message.frm_payload')
  const encrypted = !isAbsent(up.app_s_key)
  const decoded = optionalObject(up.decoded_payload, 'uplink_message.decoded_payload')

  return {
    network: 'ttn-v3',
    devEui,
    deviceName: deviceId,
    time,
    fPort,
    payload: encrypted ? null : frmPayload,
    decoded,
    fCnt,
    uplinkId: correlationId(root.correlation_ids),
  }
}

function correlationId(value: unknown): string | null {
  if (isAbsent(value)) return null
  if (!Array.isArray(value) || !value.every((id): id is string => typeof id === 'string')) {
    throw new MessageRejection('invalid_type', '"correlation_ids" must be an array of strings')
  }
  return value.find((id) => id.startsWith('as:up:')) ?? value[0] ?? null
}
