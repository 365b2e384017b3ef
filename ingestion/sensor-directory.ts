/**
 * Finds the sensor a SenML record is about: the device by its base name, the sensor by the
 * record's name (its channel). Lookups are cached briefly — a device provisioned a moment ago
 * is found within `unknownTtlMs` — and batched: one query for every base name of a batch.
 * An unknown device is never created here.
 */
import type { Kysely } from 'kysely'
import type { Schema } from '../sql/index.ts'

export interface KnownSensor {
  readonly sid: number
  readonly id: string
  readonly unit: string
  readonly quantity: string
}

export interface KnownDevice {
  readonly id: string
  readonly sensors: ReadonlyMap<string, KnownSensor>
}

interface Entry {
  readonly device: KnownDevice | null
  readonly expires: number
}

export class SensorDirectory {
  private readonly cache = new Map<string, Entry>()

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly ttl = { knownMs: 60_000, unknownMs: 5_000 },
  ) {}

  /** The devices of these SenML base names (null where none is provisioned). */
  async byBaseNames(baseNames: Iterable<string>): Promise<Map<string, KnownDevice | null>> {
    const now = Date.now()
    const result = new Map<string, KnownDevice | null>()
    const missing: string[] = []
    for (const name of new Set(baseNames)) {
      const entry = this.cache.get(name)
      if (entry && entry.expires > now) result.set(name, entry.device)
      else missing.push(name)
    }
    if (missing.length > 0) {
      const rows = await this.db
        .selectFrom('device as d')
        .leftJoin('sensor as s', 's.device_id', 'd.id')
        .select(['d.id as deviceId', 'd.senml_base_name as baseName', 's.sid', 's.id', 's.channel', 's.unit', 's.quantity'])
        .where('d.senml_base_name', 'in', missing)
        .execute()
      const found = new Map<string, { id: string; sensors: Map<string, KnownSensor> }>()
      for (const row of rows) {
        const baseName = row.baseName!
        let device = found.get(baseName)
        if (!device) found.set(baseName, (device = { id: row.deviceId, sensors: new Map() }))
        if (row.sid !== null && row.channel !== null) {
          device.sensors.set(row.channel, { sid: row.sid, id: row.id!, unit: row.unit!, quantity: row.quantity! })
        }
      }
      for (const name of missing) {
        const device = found.get(name) ?? null
        this.cache.set(name, { device, expires: now + (device ? this.ttl.knownMs : this.ttl.unknownMs) })
        result.set(name, device)
      }
    }
    return result
  }

  /** Forget what was cached (after provisioning, or in tests). */
  clear(): void {
    this.cache.clear()
  }
}
