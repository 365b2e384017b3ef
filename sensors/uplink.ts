/**
 * LoRaWAN network servers (The Things Stack v3, ChirpStack v4): what one uplink comes down to
 * (`Uplink`), the strict field readers the server parsers share (RFC 3339 times with any number of
 * fraction digits, base64, DevEUIs), and the flattening of a codec's decoded object into named
 * scalar values.
 *
 * Both servers serialise protobuf messages with the proto3 JSON mapping: a field at its default
 * value (0, "", false, empty bytes) may be left out, and `null` stands for the default. Optional
 * fields are read that way here; a field that is present must have the documented JSON type (no
 * coercion: "12" is not 12).
 */
import { requireNotTooOld } from './reading-time.ts'
import { MessageRejection } from './rejection.ts'

/** One LoRaWAN uplink as a network server reports it, whatever the server. */
export interface Uplink {
  readonly network: 'ttn-v3' | 'chirpstack-v4'
  /** DevEUI, lower-case hex, 16 characters. */
  readonly devEui: string
  /** The network server's own device id / name, for messages and logs. */
  readonly deviceName: string | null
  /** When the network server received the uplink, seconds since the epoch (fractional allowed). */
  readonly time: number
  readonly fPort: number | null
  /** The raw application payload (frm_payload / data, base64-decoded), or null when absent. */
  readonly payload: Uint8Array | null
  /** The payload formatter's / codec's output (decoded_payload / object), as received, or null when absent. */
  readonly decoded: Readonly<Record<string, unknown>> | null
  /** Frame counter when present (TTN omits 0: absent means 0 for TTN). */
  readonly fCnt: number | null
  /** Identifier of this uplink at the network server (ChirpStack deduplicationId, TTN correlation id if any) for logs. */
  readonly uplinkId: string | null
}

export type DecodedValue = number | string | boolean

/** Nesting deeper than this is refused: no codec output needs it, and it bounds the recursion. */
const MAX_DECODED_DEPTH = 32

/**
 * Flattens a decoded object into dot paths: `{"battery": {"level": 90}}` → `{"battery.level": 90}`.
 * Arrays are flattened by index, whatever they hold: `{"t": [20.5, 21]}` → `{"t.0": 20.5, "t.1": 21}`,
 * `{"probes": [{"t": 4}]}` → `{"probes.0.t": 4}`; empty objects and arrays contribute nothing.
 * Numbers, strings, booleans and `null` are kept as they are: whether a value is acceptable depends
 * on the sensor it goes to (a codec's `null` for a field nobody stores must not refuse the uplink;
 * a `null` for a stored field is refused by the ingestion as 'non_finite_value'). Refused here:
 * numbers that are not finite (`1e999` parses to Infinity) → 'non_finite_value'; an empty key, two
 * values landing on the same path (`{"a.b": 1, "a": {"b": 2}}`), nesting deeper than 32 levels →
 * 'invalid_type'.
 */
export function flattenDecoded(decoded: Readonly<Record<string, unknown>>): Record<string, DecodedValue | null> {
  if (!isPlainObject(decoded)) throw new MessageRejection('invalid_type', 'the decoded payload must be a JSON object')
  const entries: [string, DecodedValue | null][] = []
  const paths = new Set<string>()

  const visit = (value: unknown, path: string, depth: number): void => {
    if (value === null) {
      add(path, null)
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new MessageRejection('non_finite_value', `decoded "${path}" is not a finite number`)
      add(path, value)
    } else if (typeof value === 'string' || typeof value === 'boolean') {
      add(path, value)
    } else if (Array.isArray(value) || isPlainObject(value)) {
      if (depth >= MAX_DECODED_DEPTH) throw new MessageRejection('invalid_type', `decoded "${path}" is nested deeper than ${MAX_DECODED_DEPTH} levels`)
      const children: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value)
      for (const [key, child] of children) {
        if (key === '') throw new MessageRejection('invalid_type', `decoded ${path === '' ? 'object' : `"${path}"`} has an empty key`)
        visit(child, path === '' ? key : `${path}.${key}`, depth + 1)
      }
    } else {
      throw new MessageRejection('invalid_type', `decoded "${path}" is not a JSON value (${typeof value})`)
    }
  }
  const add = (path: string, value: DecodedValue | null): void => {
    if (paths.has(path)) throw new MessageRejection('invalid_type', `decoded payload has two values for "${path}"`)
    paths.add(path)
    entries.push([path, value])
  }

  visit(decoded, '', 0)
  // fromEntries defines own properties: a "__proto__" key stays a key, never a prototype.
  return Object.fromEntries(entries)
}

// ---------------------------------------------------------------------------------------------
// Formats both servers use.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/

/**
 * An RFC 3339 date-time ("2020-09-21T12:34:56.123456789Z", "2022-07-18T09:34:15.775023242+00:00")
 * as seconds since the epoch, or null when the text is not one. Any number of fraction digits
 * (Date.parse drops or refuses nanoseconds); upper- or lower-case T and Z; an offset ±hh:mm.
 * Calendar checked (no 30 February); no leap second (neither server emits one: protobuf
 * timestamps are smeared).
 */
export function parseRfc3339(text: string): number | null {
  const match = RFC3339.exec(text)
  if (match === null) return null
  const [, y, mo, d, h, mi, s, fraction, sign, offsetHours, offsetMinutes] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  if (hour > 23 || minute > 59 || second > 59) return null
  let offset = 0
  if (sign !== undefined) {
    const oh = Number(offsetHours)
    const om = Number(offsetMinutes)
    if (oh > 23 || om > 59) return null
    offset = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60)
  }
  const whole = daysFromEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
  return fraction === undefined ? whole : whole + Number(`0.${fraction}`)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Date.UTC maps years 0–99 to 1900–1999). */
function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

const BASE64_STANDARD = /^[A-Za-z0-9+/]*$/
const BASE64_URL = /^[A-Za-z0-9\-_]*$/

/**
 * Base64 (RFC 4648) to bytes, or null when the text is not base64. As the proto3 JSON mapping
 * reads `bytes`: the standard or the URL-safe alphabet (not mixed), padding optional, but when
 * present it must complete the last quantum.
 */
export function decodeBase64(text: string): Uint8Array | null {
  const body = text.endsWith('==') ? text.slice(0, -2) : text.endsWith('=') ? text.slice(0, -1) : text
  if (body !== text && text.length % 4 !== 0) return null
  if (body.length % 4 === 1) return null
  if (!BASE64_STANDARD.test(body) && !BASE64_URL.test(body)) return null
  return Uint8Array.from(Buffer.from(body, 'base64'))
}

const DEV_EUI = /^[0-9A-Fa-f]{16}$/

/** A DevEUI as 16 hex digits, either case, to lower case; null when it is not one. */
export function normalizeDevEui(text: string): string | null {
  return DEV_EUI.test(text) ? text.toLowerCase() : null
}

// ---------------------------------------------------------------------------------------------
// Strict field readers for the server parsers: every refusal names the field by its path.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A field the proto3 JSON mapping lets be absent: undefined or null. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null
}

/** What a refusal says it got: a short rendering of the value (details end up in the dead letter). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number') return String(value) // JSON.stringify writes Infinity as null
  const text = JSON.stringify(value) ?? typeof value
  return text.length > 64 ? `${text.slice(0, 60)}…` : text
}

/** The field as a refusal names it: its dot path in quotes, or "the message" for the root (''). */
function label(field: string): string {
  return field === '' ? 'the message' : `"${field}"`
}

/** A required JSON object; `field` '' is the message itself. */
export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new MessageRejection('invalid_type', `${label(field)} must be a JSON object (got ${describe(value)})`)
  return value
}

/** An optional JSON object (decoded_payload, object): null when absent. */
export function optionalObject(value: unknown, field: string): Record<string, unknown> | null {
  return isAbsent(value) ? null : requireObject(value, field)
}

/** A string that must be present and not empty. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new MessageRejection('invalid_type', `${label(field)} must be a string (got ${describe(value)})`)
  if (value === '') throw new MessageRejection('invalid_type', `${label(field)} must not be empty`)
  return value
}

/** An optional string: null when absent. */
export function optionalString(value: unknown, field: string): string | null {
  if (isAbsent(value)) return null
  if (typeof value !== 'string') throw new MessageRejection('invalid_type', `${label(field)} must be a string (got ${describe(value)})`)
  return value
}

/** An optional unsigned integer up to `max`: null when absent. */
export function optionalUnsigned(value: unknown, field: string, max: number): number | null {
  if (isAbsent(value)) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new MessageRejection('invalid_type', `${label(field)} must be an integer from 0 to ${max} (got ${describe(value)})`)
  }
  return value
}

/** A required RFC 3339 time, as seconds since the epoch. */
export function requireTime(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new MessageRejection('invalid_type', `${label(field)} must be an RFC 3339 time string (got ${describe(value)})`)
  const seconds = parseRfc3339(value)
  if (seconds === null) throw new MessageRejection('invalid_type', `${label(field)} is not an RFC 3339 time (got ${describe(value)})`)
  return seconds
}

/** A required RFC 3339 time an uplink was received at, as seconds since the epoch: not before 2000 (reading-time.ts). */
export function requireReadingTime(value: unknown, field: string): number {
  return requireNotTooOld(requireTime(value, field), label(field))
}

/** A required DevEUI, lower-cased. */
export function requireDevEui(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new MessageRejection('invalid_type', `${label(field)} must be a DevEUI string (got ${describe(value)})`)
  const devEui = normalizeDevEui(value)
  if (devEui === null) throw new MessageRejection('invalid_type', `${label(field)} must be a DevEUI of 16 hex digits (got ${describe(value)})`)
  return devEui
}

/** Optional base64 bytes: null when absent or empty (TTS leaves empty bytes out, so the two are one). */
export function optionalBase64(value: unknown, field: string): Uint8Array | null {
  if (isAbsent(value)) return null
  if (typeof value !== 'string') throw new MessageRejection('invalid_type', `${label(field)} must be a base64 string (got ${describe(value)})`)
  const bytes = decodeBase64(value)
  if (bytes === null) throw new MessageRejection('invalid_type', `${label(field)} is not valid base64 (got ${describe(value)})`)
  return bytes.length === 0 ? null : bytes
}
