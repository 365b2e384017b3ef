/**
 * ChirpStack v4 integration events, JSON marshaler (protobuf `integration.*` messages, proto3 JSON
 * mapping with camelCase names; v3's snake_case events are not read):
 *
 * - `up` (`application/{application id}/device/{dev eui}/event/up`, `UplinkEvent`): device in
 *   `deviceInfo.devEui` (lower-case hex) and `deviceInfo.deviceName`; `object` only when the device
 *   profile has a codec (absent too when the codec failed: a `log` event with code UPLINK_CODEC then
 *   says why); `data` the FRMPayload (base64); `time` RFC 3339 with an offset ("+00:00" or "Z"),
 *   refused before 2000 ('timestamp_too_old'); `deduplicationId` (UUID) names the uplink and is
 *   required. Recent releases emit every scalar,
 *   early v4 releases left defaults out (the documented example has no `fCnt`): an absent `fCnt`
 *   is 0, an absent `fPort` is null. A `joinServerContext` means ChirpStack has no AppSKey and
 *   `data` is still encrypted: it is no application payload, so `payload` is null.
 * - `log` (`…/event/log`, `LogEvent`): `level` and `code` as enum names (INFO and UNKNOWN, the
 *   defaults, when absent), `description`, `time` and `deviceInfo` when present. A log's time is
 *   no reading's and is not bounded: the log is kept as a dead letter for what it says.
 */
import { MessageRejection } from './rejection.ts'
import {
  isAbsent,
  optionalBase64,
  optionalObject,
  optionalString,
  optionalUnsigned,
  requireDevEui,
  requireObject,
  requireReadingTime,
  requireString,
  requireTime,
  type Uplink,
} from './uplink.ts'

export function parseChirpstackUp(message: unknown): Uplink {
  const root = requireObject(message, '')
  const uplinkId = requireString(root.deduplicationId, 'deduplicationId')
  const time = requireReadingTime(root.time, 'time')
  const info = requireObject(root.deviceInfo, 'deviceInfo')
  const devEui = requireDevEui(info.devEui, 'deviceInfo.devEui')
  const deviceName = optionalString(info.deviceName, 'deviceInfo.deviceName')
  const fPort = optionalUnsigned(root.fPort, 'fPort', 255)
  const fCnt = optionalUnsigned(root.fCnt, 'fCnt', 0xffff_ffff) ?? 0
  const data = optionalBase64(root.data, 'data')
  const decoded = optionalObject(root.object, 'object')
  const encrypted = optionalObject(root.joinServerContext, 'joinServerContext') !== null

  return {
    network: 'chirpstack-v4',
    devEui,
    deviceName: deviceName === '' ? null : deviceName,
    time,
    fPort,
    payload: encrypted ? null : data,
    decoded,
    fCnt,
    uplinkId,
  }
}

/** A ChirpStack v4 `log` event: a device-related log line, codec errors among them (code UPLINK_CODEC). */
export interface ChirpstackLog {
  readonly devEui: string | null
  readonly level: string
  readonly code: string
  readonly description: string
  readonly time: number | null
}

/** Protobuf enum names as the JSON mapping writes them (INFO, UPLINK_CODEC…); numbers are refused. */
const ENUM_NAME = /^[A-Z][A-Z0-9_]*$/

export function parseChirpstackLog(message: unknown): ChirpstackLog {
  const root = requireObject(message, '')
  const info = optionalObject(root.deviceInfo, 'deviceInfo')
  return {
    devEui: info === null || isAbsent(info.devEui) ? null : requireDevEui(info.devEui, 'deviceInfo.devEui'),
    level: enumName(root.level, 'level') ?? 'INFO',
    code: enumName(root.code, 'code') ?? 'UNKNOWN',
    description: optionalString(root.description, 'description') ?? '',
    time: isAbsent(root.time) ? null : requireTime(root.time, 'time'),
  }
}

function enumName(value: unknown, field: string): string | null {
  const name = optionalString(value, field)
  if (name !== null && !ENUM_NAME.test(name)) {
    throw new MessageRejection('invalid_type', `"${field}" must be an enum name such as ERROR or UPLINK_CODEC (got ${JSON.stringify(name.slice(0, 60))})`)
  }
  return name
}
