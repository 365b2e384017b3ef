/**
 * Reads of a sensor's time series, within the caller's scope.
 */
import type { Kysely } from 'kysely'
import { NotFoundError, scopeAdmits, type Scope } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'

export interface SensorInfo {
  readonly id: string
  readonly sid: number
  readonly quantity: string
  readonly unit: string
  readonly deviceId: string
  readonly buildingId: string | null
  readonly communeInsee: string | null
}

export interface ReadingsPage {
  readonly readings: readonly { readonly time: string; readonly value: number }[]
  /** True when more readings lie in the range than `limit`: continue from the last time. */
  readonly truncated: boolean
}

export async function getSensor(db: Kysely<Schema>, scope: Scope, id: string): Promise<SensorInfo> {
  const sensor = await db
    .selectFrom('sensor as s')
    .innerJoin('device as d', 'd.id', 's.device_id')
    .leftJoin('commune as c', 'c.insee', 'd.commune_insee')
    .select(['s.id', 's.sid', 's.quantity', 's.unit', 'd.id as deviceId', 'd.building_id as buildingId', 'd.commune_insee as communeInsee', 'c.epci_siren'])
    .where('s.id', '=', id)
    .executeTakeFirst()
  if (!sensor || !scopeAdmits(scope, { epci: sensor.epci_siren, commune: sensor.communeInsee, building: sensor.buildingId })) {
    throw new NotFoundError(`no sensor ${id}`)
  }
  const { epci_siren: _scopeOnly, ...info } = sensor
  return info
}

/** Readings in [from, to), oldest first, at most `limit`. */
export async function sensorReadings(db: Kysely<Schema>, sensor: SensorInfo, from: Date, to: Date, limit: number): Promise<ReadingsPage> {
  const rows = await db
    .selectFrom('reading')
    .select(['ts', 'value'])
    .where('sid', '=', sensor.sid)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .orderBy('ts')
    .limit(limit + 1)
    .execute()
  const truncated = rows.length > limit
  const page = truncated ? rows.slice(0, limit) : rows
  return { readings: page.map((r) => ({ time: r.ts.toISOString(), value: r.value })), truncated }
}
