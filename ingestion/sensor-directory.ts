/**
 * Finds the device and sensors a message is about: LoRaWAN uplinks by DevEUI, SenML records by
 * the longest provisioned base name their full name starts with (so both `{"bn": "urn:dev:x:",
 * "n": "co2"}` and `{"n": "urn:dev:x:co2"}` reach device x's sensor "co2"), and the device a SenML
 * topic names by its id (topic-binding.ts). Lookups are batched —
 * one query per batch for what the cache does not know — and cached briefly: a device
 * provisioned a moment ago is found within `unknownMs`, at once after `clear()`. An unknown
 * device is never created here.
 */
import type { Kysely } from 'kysely'
import type { Schema } from '../sql/index.ts'

export interface KnownSensor {
  readonly sid: number
  readonly id: string
  readonly quantity: string
  readonly unit: string
  readonly kind: 'gauge' | 'counter'
  readonly min: number | null
  readonly max: number | null
}

export interface KnownDevice {
  readonly id: string
  readonly profile: string | null
  readonly senmlBaseName: string | null
  /** By channel: the SenML record name or the decoded payload field. */
  readonly sensors: ReadonlyMap<string, KnownSensor>
}

interface Entry {
  readonly device: KnownDevice | null
  readonly expires: number
}

/** Where a SenML base name may end, so that its candidates can be listed from a full name. */
const SEPARATORS = /[:/]/g

export class SensorDirectory {
  private readonly cache = new Map<string, Entry>()
  /** Full SenML names already resolved, so that a batch does not list prefixes again for each record. */
  private readonly names = new Map<string, { readonly target: { device: KnownDevice; channel: string } | null; readonly expires: number }>()

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly ttl = { knownMs: 60_000, unknownMs: 5_000 },
  ) {}

  /** Devices by DevEUI (lower-case hex); null where none is provisioned. */
  async byDevEuis(devEuis: Iterable<string>): Promise<Map<string, KnownDevice | null>> {
    const found = await this.lookup([...new Set(devEuis)].map((eui) => `eui:${eui}`))
    return new Map([...found].map(([key, device]) => [key.slice(4), device]))
  }

  /** Devices by id; null where none is provisioned. */
  async byIds(ids: Iterable<string>): Promise<Map<string, KnownDevice | null>> {
    const found = await this.lookup([...new Set(ids)].map((id) => `id:${id}`))
    return new Map([...found].map(([key, device]) => [key.slice(3), device]))
  }

  /**
   * For each full SenML name (base name + record name), the device whose base name is its
   * longest provisioned prefix ending at a separator (or the whole base name as given), and the
   * channel that remains; null where no device matches.
   */
  async bySenmlNames(names: Iterable<{ baseName: string; name: string }>): Promise<Map<string, { device: KnownDevice; channel: string } | null>> {
    const now = Date.now()
    const result = new Map<string, { device: KnownDevice; channel: string } | null>()
    const candidates = new Map<string, string[]>()
    for (const { baseName, name } of names) {
      const full = baseName + name
      if (result.has(full) || candidates.has(full)) continue
      const known = this.names.get(full)
      if (known && known.expires > now) {
        result.set(full, known.target)
        continue
      }
      const prefixes = new Set<string>(baseName ? [baseName] : [])
      for (const match of full.matchAll(SEPARATORS)) prefixes.add(full.slice(0, match.index + 1))
      candidates.set(full, [...prefixes].sort((a, b) => b.length - a.length))
    }
    if (candidates.size === 0) return result
    const found = await this.lookup([...new Set([...candidates.values()].flat())].map((p) => `bn:${p}`))
    if (this.names.size > 200_000) this.names.clear()
    for (const [full, prefixes] of candidates) {
      const prefix = prefixes.find((p) => found.get(`bn:${p}`))
      const target = prefix === undefined ? null : { device: found.get(`bn:${prefix}`)!, channel: full.slice(prefix.length) }
      this.names.set(full, { target, expires: now + (target ? this.ttl.knownMs : this.ttl.unknownMs) })
      result.set(full, target)
    }
    return result
  }

  /** Forget what was cached (after provisioning). */
  clear(): void {
    this.cache.clear()
    this.names.clear()
  }

  private async lookup(keys: readonly string[]): Promise<Map<string, KnownDevice | null>> {
    const now = Date.now()
    const result = new Map<string, KnownDevice | null>()
    const missing: string[] = []
    for (const key of keys) {
      const entry = this.cache.get(key)
      if (entry && entry.expires > now) result.set(key, entry.device)
      else missing.push(key)
    }
    if (missing.length === 0) return result
    const euis = missing.filter((k) => k.startsWith('eui:')).map((k) => k.slice(4))
    const baseNames = missing.filter((k) => k.startsWith('bn:')).map((k) => k.slice(3))
    const ids = missing.filter((k) => k.startsWith('id:')).map((k) => k.slice(3))
    const rows = await this.db
      .selectFrom('device as d')
      .leftJoin('sensor as s', 's.device_id', 'd.id')
      .select(['d.id as deviceId', 'd.profile', 'd.dev_eui', 'd.senml_base_name', 's.sid', 's.id', 's.channel', 's.quantity', 's.unit', 's.kind', 's.min_value', 's.max_value'])
      .where((eb) => eb.or([
        eb('d.dev_eui', 'in', euis.length ? euis : ['']),
        eb('d.senml_base_name', 'in', baseNames.length ? baseNames : ['']),
        eb('d.id', 'in', ids.length ? ids : ['']),
      ]))
      .execute()
    const devices = new Map<string, { device: KnownDevice & { sensors: Map<string, KnownSensor> }; eui: string | null }>()
    for (const row of rows) {
      let entry = devices.get(row.deviceId)
      if (!entry) {
        entry = { device: { id: row.deviceId, profile: row.profile, senmlBaseName: row.senml_base_name, sensors: new Map() }, eui: row.dev_eui }
        devices.set(row.deviceId, entry)
      }
      if (row.sid !== null && row.channel !== null) {
        entry.device.sensors.set(row.channel, {
          sid: row.sid,
          id: row.id!,
          quantity: row.quantity!,
          unit: row.unit!,
          kind: row.kind === 'counter' ? 'counter' : 'gauge',
          min: row.min_value,
          max: row.max_value,
        })
      }
    }
    const byKey = new Map<string, KnownDevice>()
    for (const { device, eui } of devices.values()) {
      byKey.set(`id:${device.id}`, device)
      if (eui) byKey.set(`eui:${eui}`, device)
      if (device.senmlBaseName) byKey.set(`bn:${device.senmlBaseName}`, device)
    }
    for (const key of missing) {
      const device = byKey.get(key) ?? null
      this.cache.set(key, { device, expires: now + (device ? this.ttl.knownMs : this.ttl.unknownMs) })
      result.set(key, device)
    }
    return result
  }
}
