import { describe, expect, it } from 'vitest'
import { fromHex } from './codecs/bytes.ts'
import { EXAMPLES, type FrameExample } from './codecs/examples.ts'
import { CODECS } from './codecs/index.ts'
import { DEVICE_PROFILES, SENML_UNITS, findProfile, type DeviceProfile } from './profiles.ts'

/**
 * Profile fields that only constructed frames produce: the vendors print no frame with them
 * (see examples.ts). Kept explicit so a new documented example, or a new gap, shows up here.
 */
const CONSTRUCTED_ONLY: Readonly<Record<string, readonly string[]>> = {
  'milesight-am307': ['battery', 'tvoc'],
  'elsys-ers-co2': ['battery_voltage'],
}

function decodedExamples(codecId: string): { example: FrameExample; decoded: Record<string, unknown> }[] {
  const codec = CODECS.get(codecId)!
  return (EXAMPLES[codecId] ?? []).map((example) => ({ example, decoded: { ...codec.decode(fromHex(example.hex), example.fPort) } }))
}

function vendorProfiles(): DeviceProfile[] {
  return [...DEVICE_PROFILES.values()].filter((profile) => profile.codec !== null)
}

describe('device profiles', () => {
  it('has one profile per codec, with the codec id, vendor and model', () => {
    for (const codec of CODECS.values()) {
      const profile = findProfile(codec.id)
      expect(profile, codec.id).toBeDefined()
      expect([profile!.codec, profile!.vendor, profile!.model]).toEqual([codec.id, codec.vendor, codec.model])
    }
    expect(vendorProfiles().map((profile) => profile.id).sort()).toEqual([...CODECS.keys()].sort())
  })

  it('has the generic profiles, without codec', () => {
    expect(findProfile('generic-ambiance')).toMatchObject({
      codec: null,
      fields: {
        temperature: { quantity: 'temperature', unit: 'Cel', kind: 'gauge' },
        humidity: { quantity: 'humidity', unit: '%RH', kind: 'gauge' },
        co2: { quantity: 'co2', unit: 'ppm', kind: 'gauge' },
      },
    })
    expect(findProfile('generic-electricity-meter')).toMatchObject({
      codec: null,
      fields: { energy_index: { quantity: 'energy_index', unit: 'kWh', kind: 'counter' } },
    })
    expect(findProfile('nope')).toBeUndefined()
  })

  it('uses registered SenML units, snake_case field names, sensible ranges and a French one-line description', () => {
    for (const profile of DEVICE_PROFILES.values()) {
      expect(profile.description, profile.id).toMatch(/^[^\n]{10,}$/)
      for (const [name, field] of Object.entries(profile.fields)) {
        const at = `${profile.id}.${name}`
        expect(name, at).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/)
        expect(SENML_UNITS.has(field.unit), `${at}: unit ${field.unit}`).toBe(true)
        expect(Number.isFinite(field.min) && Number.isFinite(field.max) && field.min < field.max, at).toBe(true)
        if (field.kind === 'counter') expect(field.min, `${at}: a counter starts at 0`).toBe(0)
      }
    }
  })

  it('describes exactly the fields the example frames produce (constructed-only ones listed above)', () => {
    for (const profile of vendorProfiles()) {
      const examples = decodedExamples(profile.codec!)
      const produced = new Set(examples.flatMap(({ decoded }) => Object.keys(decoded)))
      const documented = new Set(examples.filter(({ example }) => example.constructed === undefined).flatMap(({ decoded }) => Object.keys(decoded)))
      expect([...produced].sort(), profile.id).toEqual(Object.keys(profile.fields).sort())
      const constructedOnly = Object.keys(profile.fields).filter((field) => !documented.has(field)).sort()
      expect(constructedOnly, profile.id).toEqual([...(CONSTRUCTED_ONLY[profile.id] ?? [])].sort())
    }
  })

  it('accepts every value of the example frames: numbers within the profile ranges', () => {
    for (const profile of vendorProfiles()) {
      for (const { example, decoded } of decodedExamples(profile.codec!)) {
        for (const [field, value] of Object.entries(decoded)) {
          const spec = profile.fields[field]
          const at = `${profile.id}.${field} = ${String(value)} (${example.hex})`
          expect(typeof value, at).toBe('number')
          expect(value as number, at).toBeGreaterThanOrEqual(spec!.min)
          expect(value as number, at).toBeLessThanOrEqual(spec!.max)
        }
      }
    }
  })
})
