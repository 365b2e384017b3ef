/**
 * SenML JSON (RFC 8428): parse a pack and resolve its records (§4.6): base name, time, unit,
 * value and sum applied to the records that follow; relative times (resolved time below 2^28)
 * counted from the time of reception. Strict: JSON per RFC 8259 only, no type coercion
 * ("21,5" is not 21.5), finite numbers only, unknown must-understand fields (ending in "_")
 * refused. One bad record rejects the whole pack. A resolved time may lie neither in the future
 * (beyond the allowed clock skew) nor before 2000 (reading-time.ts).
 */
import { describeTime, requireNotTooOld } from './reading-time.ts'
import { MessageRejection } from './rejection.ts'

export interface SenmlRecord {
  /** The base name in force for this record (often the device's identity). */
  readonly baseName: string
  /** The record's own name (`n`), often the channel. */
  readonly name: string
  /** Absolute time, seconds since the Unix epoch (may carry fractions). */
  readonly time: number
  readonly unit: string | null
  /** Exactly one of the four kinds of value, or none when the record only carries a sum. */
  readonly value: number | null
  readonly stringValue: string | null
  readonly booleanValue: boolean | null
  readonly dataValue: string | null
  readonly sum: number | null
}

/** Times below 2^28 s (about 8.5 years) are relative to now (RFC 8428 §4.5.3). */
const RELATIVE_TIME_LIMIT = 2 ** 28
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/
const KNOWN_FIELDS = new Set(['bn', 'bt', 'bu', 'bv', 'bs', 'bver', 'n', 'u', 'v', 'vs', 'vb', 'vd', 's', 't', 'ut'])
const SUPPORTED_VERSION = 10

export interface SenmlOptions {
  /** Reception time, seconds since the epoch: the origin of relative times. */
  readonly now: number
  /** How far in the future a time may be (clock skew) before the pack is refused, in seconds. */
  readonly maxFutureSkewSeconds: number
}

export function parseSenml(payload: string, options: SenmlOptions): SenmlRecord[] {
  let pack: unknown
  try {
    pack = JSON.parse(payload)
  } catch (error) {
    throw new MessageRejection('invalid_json', (error as Error).message)
  }
  return resolveSenml(pack, options)
}

export function resolveSenml(pack: unknown, options: SenmlOptions): SenmlRecord[] {
  if (!Array.isArray(pack)) throw new MessageRejection('invalid_senml', 'a SenML pack is a JSON array of records')
  if (pack.length === 0) throw new MessageRejection('invalid_senml', 'the pack has no record')

  let baseName = ''
  let baseTime = 0
  let baseUnit: string | null = null
  let baseValue = 0
  let baseSum = 0
  const records: SenmlRecord[] = []

  pack.forEach((raw: unknown, index) => {
    const at = `record ${index + 1}`
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new MessageRejection('invalid_senml', `${at} is not an object`)
    }
    const record = raw as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (!KNOWN_FIELDS.has(key) && key.endsWith('_')) {
        throw new MessageRejection('invalid_senml', `${at} has the must-understand field "${key}", which is not supported`)
      }
    }
    if (record.bver !== undefined && number(record.bver, 'bver', at) > SUPPORTED_VERSION) {
      throw new MessageRejection('invalid_senml', `${at}: SenML version ${String(record.bver)} is not supported (up to ${SUPPORTED_VERSION})`)
    }
    if (record.bn !== undefined) baseName = string(record.bn, 'bn', at)
    if (record.bt !== undefined) baseTime = number(record.bt, 'bt', at)
    if (record.bu !== undefined) baseUnit = string(record.bu, 'bu', at)
    if (record.bv !== undefined) baseValue = number(record.bv, 'bv', at)
    if (record.bs !== undefined) baseSum = number(record.bs, 'bs', at)

    const name = record.n === undefined ? '' : string(record.n, 'n', at)
    const fullName = baseName + name
    if (!NAME_PATTERN.test(fullName)) {
      throw new MessageRejection('invalid_senml', `${at}: name "${fullName}" is empty or has characters SenML does not allow`)
    }

    const kinds = ['v', 'vs', 'vb', 'vd'].filter((k) => record[k] !== undefined)
    if (kinds.length > 1) throw new MessageRejection('invalid_senml', `${at} has more than one value (${kinds.join(', ')})`)
    const value = record.v === undefined ? null : baseValue + number(record.v, 'v', at)
    const stringValue = record.vs === undefined ? null : string(record.vs, 'vs', at)
    const booleanValue = record.vb === undefined ? null : boolean(record.vb, 'vb', at)
    const dataValue = record.vd === undefined ? null : string(record.vd, 'vd', at)
    const sum = record.s === undefined ? null : baseSum + number(record.s, 's', at)
    if (kinds.length === 0 && sum === null) throw new MessageRejection('invalid_senml', `${at} has neither a value nor a sum`)

    let time = baseTime + (record.t === undefined ? 0 : number(record.t, 't', at))
    if (time < RELATIVE_TIME_LIMIT) time += options.now
    // bt + t may overflow to ±Infinity, or land outside what a Date (and the database) can hold.
    if (!Number.isFinite(time)) throw new MessageRejection('non_finite_value', `${at}: resolved time is not finite`)
    if (time > options.now + options.maxFutureSkewSeconds) {
      throw new MessageRejection('timestamp_in_future', `${at}: time ${describeTime(time)} is in the future`)
    }
    requireNotTooOld(time, `${at}: time`)
    const unit = record.u === undefined ? baseUnit : string(record.u, 'u', at)
    if (value !== null && !Number.isFinite(value)) throw new MessageRejection('non_finite_value', `${at}: resolved value is not finite`)
    if (sum !== null && !Number.isFinite(sum)) throw new MessageRejection('non_finite_value', `${at}: resolved sum is not finite`)

    records.push({ baseName, name, time, unit, value, stringValue, booleanValue, dataValue, sum })
  })
  return records
}

function number(value: unknown, field: string, at: string): number {
  if (value === null) throw new MessageRejection('non_finite_value', `${at}: "${field}" is null where a number is due`)
  if (typeof value !== 'number') throw new MessageRejection('invalid_type', `${at}: "${field}" must be a number (got ${shown(value)})`)
  if (!Number.isFinite(value)) throw new MessageRejection('non_finite_value', `${at}: "${field}" is not a finite number`)
  return value
}

function string(value: unknown, field: string, at: string): string {
  if (typeof value !== 'string') throw new MessageRejection('invalid_type', `${at}: "${field}" must be a string (got ${shown(value)})`)
  return value
}

function boolean(value: unknown, field: string, at: string): boolean {
  if (typeof value !== 'boolean') throw new MessageRejection('invalid_type', `${at}: "${field}" must be true or false (got ${shown(value)})`)
  return value
}

/** What a refusal says it got, bounded: a pack may nest ten thousand arrays or hold a long string. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value !== null && typeof value === 'object') return 'an object'
  const text = JSON.stringify(value) ?? typeof value
  return text.length > 64 ? `${text.slice(0, 60)}…` : text
}
