/**
 * Reads of provisioned devices and their readings, within the caller's scope: a device is
 * visible when the commune it is attributed to belongs to an EPCI of the scope (a device outside
 * every commune only to the operator's full scope).
 */
import { sql, type Kysely } from 'kysely'
import { NotFoundError, scopeAdmits, type Scope } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'

export interface DeviceView {
  readonly id: string
  readonly name: string | null
  readonly profile: string | null
  readonly devEui: string | null
  readonly senmlBaseName: string | null
  readonly synthetic: boolean
  readonly location: [number, number] | null
  readonly building: { readonly id: string; readonly nom: string } | null
  /** The current commune whose outline covers the location (a former commune's area belongs to the commune that absorbed it). */
  readonly commune: { readonly insee: string; readonly nom: string } | null
  readonly epci: { readonly siren: string; readonly nom: string } | null
  readonly sensors: readonly {
    readonly id: string
    readonly field: string
    readonly quantity: string
    readonly unit: string
    readonly kind: string
    readonly min: number | null
    readonly max: number | null
  }[]
}

export async function getDevice(db: Kysely<Schema>, scope: Scope, id: string): Promise<DeviceView> {
  const row = await db
    .selectFrom('device as d')
    .leftJoin('building as b', 'b.id', 'd.building_id')
    .leftJoin('commune as c', 'c.insee', 'd.commune_insee')
    .leftJoin('epci as e', 'e.siren', 'c.epci_siren')
    .select([
      'd.id',
      'd.nom',
      'd.profile',
      'd.dev_eui',
      'd.senml_base_name',
      'd.synthetic',
      sql<[number, number] | null>`CASE WHEN d.geom IS NULL THEN NULL ELSE ARRAY[ST_X(d.geom), ST_Y(d.geom)]::float8[] END`.as('location'),
      'b.id as buildingId',
      'b.nom as buildingNom',
      'c.insee',
      'c.nom as communeNom',
      'e.siren',
      'e.nom as epciNom',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst()
  if (!row || !scopeAdmits(scope, { epci: row.siren, commune: row.insee, building: row.buildingId })) throw new NotFoundError(`no device ${id}`)
  const sensors = await db
    .selectFrom('sensor')
    .select(['id', 'channel as field', 'quantity', 'unit', 'kind', 'min_value as min', 'max_value as max'])
    .where('device_id', '=', id)
    .orderBy('channel')
    .execute()
  return {
    id: row.id,
    name: row.nom,
    profile: row.profile,
    devEui: row.dev_eui?.toUpperCase() ?? null,
    senmlBaseName: row.senml_base_name,
    synthetic: row.synthetic,
    location: row.location,
    building: row.buildingId ? { id: row.buildingId, nom: row.buildingNom! } : null,
    commune: row.insee ? { insee: row.insee, nom: row.communeNom! } : null,
    epci: row.siren ? { siren: row.siren, nom: row.epciNom! } : null,
    sensors,
  }
}

export interface DeviceReading {
  readonly sensor: string
  readonly quantity: string
  readonly unit: string
  readonly time: string
  readonly value: number
}

/** Readings of all the device's sensors in [from, to), oldest first, at most `limit`. */
export async function deviceReadings(db: Kysely<Schema>, deviceId: string, from: Date, to: Date, limit: number) {
  const rows = await db
    .selectFrom('reading as r')
    .innerJoin('sensor as s', 's.sid', 'r.sid')
    .select(['s.id as sensor', 's.quantity', 's.unit', 'r.ts', 'r.value'])
    .where('s.device_id', '=', deviceId)
    .where('r.ts', '>=', from)
    .where('r.ts', '<', to)
    .orderBy('r.ts')
    .orderBy('s.id')
    .limit(limit + 1)
    .execute()
  const truncated = rows.length > limit
  const readings: DeviceReading[] = rows.slice(0, limit).map((r) => ({ sensor: r.sensor, quantity: r.quantity, unit: r.unit, time: r.ts.toISOString(), value: r.value }))
  return { readings, truncated }
}
