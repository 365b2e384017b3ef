/**
 * A device as an operator provisions it (POST /api/devices, `territoire devices import`):
 * parsed and checked field by field, so that every mistake gets a message naming the field.
 *
 *   { "id": "jaures-salle-12", "name": "CO₂ salle 12", "devEui": "24E124126C123456",
 *     "profile": "milesight-am103", "buildingId": "80021-ecole-1", "location": [2.2958, 49.8941],
 *     "fields": { "battery": { "quantity": "battery", "unit": "%EL", "min": 0, "max": 100 } } }
 *
 * The network identity is a DevEUI (LoRaWAN, matched case-insensitively) and/or a SenML base
 * name. The profile (sensors/profiles.ts) says what the decoded fields are; `fields` adds or
 * overrides mappings where the profile does not say (a custom payload formatter, say).
 */
import { ENERGY_CARRIERS, InvalidInputError } from '../core/index.ts'
import { findProfile } from '../sensors/index.ts'

export interface FieldMapping {
  readonly quantity: string
  readonly unit: string
  readonly kind: 'gauge' | 'counter'
  readonly min: number | null
  readonly max: number | null
  /** A meter's energy carrier (migration 0012's energy_carrier), or null: an index (counter), or a power (gauge in W or kW) integrated over time. */
  readonly carrier: string | null
}

export interface DeviceSpec {
  readonly id: string
  readonly name: string | null
  readonly devEui: string | null
  readonly senmlBaseName: string | null
  readonly profile: string | null
  readonly buildingId: string | null
  readonly location: readonly [number, number] | null
  /** Every field the device's readings come from: the profile's, then the spec's own. */
  readonly fields: Readonly<Record<string, FieldMapping>>
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const FIELD = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,95}$/
const KNOWN_KEYS = new Set(['id', 'name', 'devEui', 'senmlBaseName', 'profile', 'buildingId', 'location', 'fields'])

export function parseDeviceSpec(input: unknown, at = 'device'): DeviceSpec {
  const fail = (field: string, message: string): never => {
    throw new InvalidInputError(`${at}.${field}: ${message}`, field)
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`${at} must be a JSON object`)
  const o = input as Record<string, unknown>
  for (const key of Object.keys(o)) if (!KNOWN_KEYS.has(key)) fail(key, `unknown field (known: ${[...KNOWN_KEYS].join(', ')})`)

  const text = (field: string, pattern?: RegExp, max = 200): string | null => {
    const value = o[field]
    if (value === undefined || value === null) return null
    if (typeof value !== 'string' || value.length === 0 || value.length > max || (pattern && !pattern.test(value))) {
      return fail(field, `invalid value ${JSON.stringify(value)}`)
    }
    return value
  }

  const id = text('id', ID) ?? fail('id', 'is required (letters, digits, dot, dash, underscore; at most 64)')
  const devEuiRaw = text('devEui')
  if (devEuiRaw !== null && !/^[0-9A-Fa-f]{16}$/.test(devEuiRaw.replace(/[-:]/g, ''))) fail('devEui', 'must be 16 hexadecimal digits')
  const devEui = devEuiRaw === null ? null : devEuiRaw.replace(/[-:]/g, '').toLowerCase()
  const senmlBaseName = text('senmlBaseName', /^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/)
  if (devEui === null && senmlBaseName === null) fail('devEui', 'a device needs a network identity: devEui (LoRaWAN) or senmlBaseName (SenML)')

  const profileId = text('profile', /^[a-z0-9-]{1,64}$/)
  const profile = profileId === null ? undefined : findProfile(profileId)
  if (profileId !== null && !profile) fail('profile', `unknown profile "${profileId}"`)

  let location: [number, number] | null = null
  if (o.location !== undefined && o.location !== null) {
    const l = o.location
    if (!Array.isArray(l) || l.length !== 2 || !l.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      fail('location', 'must be [longitude, latitude] in degrees (WGS 84)')
    }
    const [lon, lat] = l as [number, number]
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) fail('location', `[${lon}, ${lat}] is not a longitude and latitude (mind the order: [lon, lat])`)
    location = [lon, lat]
  }

  const fields: Record<string, FieldMapping> = {}
  for (const [name, spec] of Object.entries(profile?.fields ?? {})) {
    fields[name] = { quantity: spec.quantity, unit: spec.unit, kind: spec.kind, min: spec.min, max: spec.max, carrier: spec.carrier ?? null }
  }
  if (o.fields !== undefined && o.fields !== null) {
    if (typeof o.fields !== 'object' || Array.isArray(o.fields)) fail('fields', 'must be an object: field name → { quantity, unit, kind?, min?, max?, carrier? }')
    for (const [name, raw] of Object.entries(o.fields as Record<string, unknown>)) {
      fields[name] = parseMapping(name, raw, (message) => fail(`fields.${name}`, message))
    }
  }
  if (Object.keys(fields).length === 0) fail('fields', 'the device has no field to store: give a profile, or fields')

  return {
    id,
    name: text('name', undefined, 200),
    devEui,
    senmlBaseName,
    profile: profileId,
    buildingId: text('buildingId', ID),
    location,
    fields,
  }
}

function parseMapping(name: string, raw: unknown, fail: (message: string) => never): FieldMapping {
  if (!FIELD.test(name)) fail('invalid field name')
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('must be { quantity, unit, kind?, min?, max?, carrier? }')
  const m = raw as Record<string, unknown>
  const quantity = m.quantity
  const unit = m.unit
  if (typeof quantity !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(quantity)) fail('quantity must be a lower-case name such as temperature, co2, energy_index')
  if (typeof unit !== 'string' || unit.length === 0 || unit.length > 32) fail('unit must be a SenML unit such as Cel, %RH, ppm, kWh')
  const kind = m.kind ?? 'gauge'
  if (kind !== 'gauge' && kind !== 'counter') fail('kind must be gauge or counter')
  const bound = (key: 'min' | 'max'): number | null => {
    const value = m[key]
    if (value === undefined || value === null) return null
    if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${key} must be a number`)
    return value
  }
  const min = bound('min')
  const max = bound('max')
  if (min !== null && max !== null && min >= max) fail('min must be below max')
  const carrier = m.carrier ?? null
  if (carrier !== null && (typeof carrier !== 'string' || !ENERGY_CARRIERS.includes(carrier))) fail(`carrier must be one of ${ENERGY_CARRIERS.join(', ')}`)
  if (carrier !== null && kind !== 'counter' && unit !== 'W' && unit !== 'kW') fail('a carrier is for a meter: an index (kind counter) or a power in W or kW (kind gauge)')
  return { quantity: quantity as string, unit: unit as string, kind: kind as 'gauge' | 'counter', min, max, carrier: carrier as string | null }
}
