/**
 * Writes provisioned devices and their sensors. A device is attributed to the current commune
 * whose outline covers its location (or its building's): a point inside a former commune's
 * polygon belongs to the commune that absorbed it, since the current outline is their union.
 * Sensors are never deleted by a re-provisioning: their history stays readable.
 */
import { sql, type Kysely } from 'kysely'
import { ConflictError, InvalidInputError } from '../core/index.ts'
import { inTransaction, LIVE_LAYERS, markLayersChanged, type Schema } from '../sql/index.ts'
import type { DeviceSpec } from './device-spec.ts'

export interface ProvisionReport {
  readonly created: number
  readonly updated: number
  readonly sensors: number
}

/**
 * `mode: 'create'` refuses an id that exists (POST); `'upsert'` updates it (an import run again
 * changes nothing it has not been told to).
 */
export async function provisionDevices(
  db: Kysely<Schema>,
  specs: readonly DeviceSpec[],
  mode: 'create' | 'upsert',
  options: { readonly synthetic?: boolean } = {},
): Promise<ProvisionReport> {
  const ids = specs.map((s) => s.id)
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i)
  if (duplicates.length > 0) throw new InvalidInputError(`device id ${duplicates[0]} appears twice`)
  for (const key of ['devEui', 'senmlBaseName'] as const) {
    const values = specs.map((s) => s[key]).filter((v): v is string => v !== null)
    const twice = values.find((v, i) => values.indexOf(v) !== i)
    if (twice) throw new InvalidInputError(`${key} ${twice} is given to two devices`)
  }

  return inTransaction(db, async (trx) => {
    const buildings = specs.map((s) => s.buildingId).filter((b): b is string => b !== null)
    if (buildings.length > 0) {
      const found = new Set((await trx.selectFrom('building').select('id').where('id', 'in', buildings).execute()).map((b) => b.id))
      const missing = buildings.find((b) => !found.has(b))
      if (missing) throw new InvalidInputError(`no building ${missing}`, 'buildingId')
    }
    const existing = new Set((await trx.selectFrom('device').select('id').where('id', 'in', ids).execute()).map((d) => d.id))
    if (mode === 'create' && existing.size > 0) throw new ConflictError(`device ${[...existing][0]} already exists`)

    const devEuis = specs.map((s) => s.devEui).filter((v): v is string => v !== null)
    const baseNames = specs.map((s) => s.senmlBaseName).filter((v): v is string => v !== null)
    const taken = await trx
      .selectFrom('device')
      .select(['id', 'dev_eui', 'senml_base_name'])
      .where((eb) => eb.or([eb('dev_eui', 'in', devEuis.length ? devEuis : ['']), eb('senml_base_name', 'in', baseNames.length ? baseNames : [''])]))
      .execute()
    for (const other of taken) {
      const spec = specs.find((s) => (s.devEui !== null && s.devEui === other.dev_eui) || (s.senmlBaseName !== null && s.senmlBaseName === other.senml_base_name))
      if (spec && spec.id !== other.id) {
        const what = spec.devEui === other.dev_eui ? `DevEUI ${spec.devEui?.toUpperCase()}` : `SenML base name ${spec.senmlBaseName}`
        throw new ConflictError(`${what} already belongs to device ${other.id}`)
      }
    }

    await sql`
      INSERT INTO device (id, nom, model, profile, dev_eui, senml_base_name, building_id, synthetic, geom, commune_insee)
      SELECT d.id, d.nom, coalesce(d.profile, 'custom'), d.profile, d.dev_eui, d.senml_base_name, d.building_id, ${options.synthetic ?? false}, located.geom,
             (SELECT c.insee FROM commune c WHERE ST_Covers(c.geom, located.geom) ORDER BY c.insee LIMIT 1)
      FROM unnest(${ids}::text[], ${specs.map((s) => s.name)}::text[], ${specs.map((s) => s.profile)}::text[],
                  ${specs.map((s) => s.devEui)}::text[], ${specs.map((s) => s.senmlBaseName)}::text[], ${specs.map((s) => s.buildingId)}::text[],
                  ${specs.map((s) => s.location?.[0] ?? null)}::float8[], ${specs.map((s) => s.location?.[1] ?? null)}::float8[])
        AS d (id, nom, profile, dev_eui, senml_base_name, building_id, lon, lat)
      CROSS JOIN LATERAL (
        SELECT coalesce(ST_SetSRID(ST_Point(d.lon, d.lat), 4326),
                        (SELECT ST_PointOnSurface(b.geom) FROM building b WHERE b.id = d.building_id)) AS geom
      ) AS located
      ON CONFLICT (id) DO UPDATE SET nom = excluded.nom, model = excluded.model, profile = excluded.profile,
        dev_eui = excluded.dev_eui, senml_base_name = excluded.senml_base_name, building_id = excluded.building_id,
        geom = excluded.geom, commune_insee = excluded.commune_insee`.execute(trx)

    const sensors = specs.flatMap((s) => sensorsOf(s))
    await sql`
      INSERT INTO sensor (id, device_id, channel, quantity, unit, kind, min_value, max_value, carrier)
      SELECT id, device, channel, quantity, unit, kind, min, max, carrier
      FROM unnest(${sensors.map((s) => s.id)}::text[], ${sensors.map((s) => s.device)}::text[], ${sensors.map((s) => s.channel)}::text[], ${sensors.map((s) => s.quantity)}::text[],
                  ${sensors.map((s) => s.unit)}::text[], ${sensors.map((s) => s.kind)}::text[],
                  ${sensors.map((s) => s.min)}::float8[], ${sensors.map((s) => s.max)}::float8[], ${sensors.map((s) => s.carrier)}::text[])
        AS s (id, device, channel, quantity, unit, kind, min, max, carrier)
      ON CONFLICT (device_id, channel) DO UPDATE SET quantity = excluded.quantity, unit = excluded.unit, kind = excluded.kind,
        min_value = excluded.min_value, max_value = excluded.max_value, carrier = excluded.carrier`.execute(trx)

    // New sensors on the map, a building's sensor count: the live layers' caches hear it at commit,
    // in whichever process serves them (`territoire devices import` runs in its own).
    await markLayersChanged(trx, LIVE_LAYERS)
    return { created: specs.length - existing.size, updated: existing.size, sensors: sensors.length }
  })
}

/**
 * A sensor's public id: `<device>.<field>`, the field's characters outside [A-Za-z0-9._-]
 * (SenML names such as 3303/0/5700) replaced by "_" so that the id fits in a URL segment.
 */
export function sensorId(deviceId: string, field: string): string {
  return `${deviceId}.${field.replace(/[^A-Za-z0-9._-]/g, '_')}`
}

function sensorsOf(spec: DeviceSpec) {
  const sensors = Object.entries(spec.fields).map(([channel, f]) => ({ id: sensorId(spec.id, channel), device: spec.id, channel, ...f }))
  const ids = sensors.map((s) => s.id)
  const clash = sensors.find((s, i) => ids.indexOf(s.id) !== i)
  if (clash) throw new InvalidInputError(`device ${spec.id}: two fields give the same sensor id ${clash.id}`, 'fields')
  return sensors
}
