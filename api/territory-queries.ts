/**
 * Reads of the territory — EPCI, their communes and public buildings — always within the
 * caller's scope. A thing outside the scope is answered exactly like a thing that does not exist.
 */
import { sql, type Kysely } from 'kysely'
import type { Feature, FeatureCollection, Geometry } from 'geojson'
import { NotFoundError, scopeCondition, scopeSeesEpci, type Scope } from '../core/index.ts'
import { bbox, type Schema } from '../sql/index.ts'
import { SENSOR_SILENT_AFTER } from './tiles/tile-source.ts'

export type Bbox = [number, number, number, number]

export interface EpciSummary {
  readonly siren: string
  readonly nom: string
  readonly nature: string
  readonly population: number | null
  readonly membersTotal: number
  /** Member communes loaded in this hub; fewer than `membersTotal` when the EPCI crosses the loaded territory's edge. */
  readonly membersLoaded: number
  readonly bbox: Bbox | null
}

export interface EpciDetail extends EpciSummary {
  readonly communes: readonly { readonly insee: string; readonly nom: string; readonly population: number | null }[]
}

function epciQuery(db: Kysely<Schema>, scope: Scope) {
  return db
    .selectFrom('epci as e')
    .select([
      'e.siren',
      'e.nom',
      'e.nature',
      'e.population',
      'e.members_total as membersTotal',
      sql<number>`(SELECT count(*)::int FROM commune c WHERE c.epci_siren = e.siren)`.as('membersLoaded'),
      bbox('e.geom').as('bbox'),
    ])
    .where(scopeCondition(scope, { epci: 'e.siren' }))
}

export async function listEpci(db: Kysely<Schema>, scope: Scope): Promise<EpciSummary[]> {
  return epciQuery(db, scope).orderBy('e.nom').execute()
}

export async function getEpci(db: Kysely<Schema>, scope: Scope, siren: string): Promise<EpciDetail> {
  const epci = await epciQuery(db, scope).where('e.siren', '=', siren).executeTakeFirst()
  if (!epci) throw new NotFoundError(`no EPCI with SIREN ${siren}`)
  const communes = await db
    .selectFrom('commune')
    .select(['insee', 'nom', 'population'])
    .where('epci_siren', '=', siren)
    .orderBy('nom')
    .execute()
  return { ...epci, communes }
}

/**
 * The EPCI's public buildings as GeoJSON (footprints), with what the map shows of each: those
 * the scope sees — all of them for its staff, an energy manager's own. An EPCI where the scope
 * sees nothing is answered as if it did not exist.
 */
export async function epciBuildings(db: Kysely<Schema>, scope: Scope, siren: string): Promise<FeatureCollection> {
  const exists = await db.selectFrom('epci').select('siren').where('siren', '=', siren).executeTakeFirst()
  if (!exists) throw new NotFoundError(`no EPCI with SIREN ${siren}`)
  const rows = await db
    .selectFrom('building as b')
    .innerJoin('commune as c', 'c.insee', 'b.commune_insee')
    .select([
      'b.id',
      'b.nom',
      'b.usage',
      'b.floor_area_m2',
      'b.construction_year',
      'b.synthetic',
      'c.insee',
      'c.nom as commune',
      sql<string>`ST_AsGeoJSON(b.geom, 6)`.as('geojson'),
      // Live status: its sensors, those not heard for SENSOR_SILENT_AFTER (or never), its open alerts.
      sql<number>`(SELECT count(*)::int FROM device d JOIN sensor s ON s.device_id = d.id WHERE d.building_id = b.id)`.as('sensors'),
      sql<number>`(SELECT count(*)::int FROM device d JOIN sensor s ON s.device_id = d.id LEFT JOIN sensor_latest l ON l.sid = s.sid
                   WHERE d.building_id = b.id AND (l.ts IS NULL OR l.ts < now() - ${SENSOR_SILENT_AFTER}::interval))`.as('silent'),
      sql<number>`(SELECT count(*)::int FROM alert a WHERE a.building_id = b.id AND a.closed_at IS NULL)`.as('open_alerts'),
    ])
    .where('c.epci_siren', '=', siren)
    .where(scopeCondition(scope, { epci: 'c.epci_siren', commune: 'c.insee', building: 'b.id' }))
    .orderBy('b.id')
    .execute()
  if (rows.length === 0 && !scopeSeesEpci(scope, siren)) throw new NotFoundError(`no EPCI with SIREN ${siren}`)
  const features: Feature[] = rows.map((row) => ({
    type: 'Feature',
    id: row.id,
    geometry: JSON.parse(row.geojson) as Geometry,
    properties: {
      id: row.id,
      nom: row.nom,
      usage: row.usage,
      floor_area_m2: row.floor_area_m2,
      construction_year: row.construction_year,
      commune_insee: row.insee,
      commune: row.commune,
      synthetic: row.synthetic,
      sensors: row.sensors,
      silent_sensors: row.silent,
      open_alerts: row.open_alerts,
    },
  }))
  return { type: 'FeatureCollection', features }
}

export interface DatasetInfo {
  readonly id: string
  readonly title: string
  readonly source: string
  readonly licence: string
  readonly synthetic: boolean
  readonly featureCount: number
  readonly loadedAt: Date
}

/** What was loaded and whether it is real or synthetic (shown by the UI). */
export async function listDatasets(db: Kysely<Schema>): Promise<DatasetInfo[]> {
  return db
    .selectFrom('dataset')
    .select(['id', 'title', 'source', 'licence', 'synthetic', 'feature_count as featureCount', 'loaded_at as loadedAt'])
    .orderBy('synthetic')
    .orderBy('id')
    .execute()
}
