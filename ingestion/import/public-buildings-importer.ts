/**
 * `batiments-publics`: an OPSN's inventory of public buildings (a GeoJSON layer of footprints)
 * into the `building` table, upserted by `id`. Properties, in French as the inventories are:
 *
 * | property | required | column | rule |
 * |---|---|---|---|
 * | `id` (or the feature's `id`) | yes | id | 1–64 of `A-Za-z0-9._-`, starting with a letter or digit |
 * | `nom` | yes | nom | text |
 * | `usage` | yes | usage | text (mairie, ecole, gymnase, mediatheque…) |
 * | `surface_m2` | no | floor_area_m2 | number > 0 (surface de plancher) |
 * | `annee_construction` | no | construction_year | integer 1000–2100 |
 * | `commune` | no | commune_insee | INSEE code; a former code (merged commune) is resolved to the current one; absent: the commune under the footprint |
 * | `parcelle` | no | parcel_id | 14-character cadastral parcel id |
 *
 * The commune must be loaded (`building.commune_insee` references `commune`): a building whose
 * commune is not in the territory is rejected (`commune_not_loaded`), never attached elsewhere.
 * Imported buildings are real data: `synthetic` is false, also when they replace a demo building.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import type { FeatureKind, PreparedRow, RowOutcome } from './feature-kind.ts'
import { COMMUNE_CODE, optionalInteger, optionalPositive, optionalText, requiredText, FeatureRejection } from './feature-properties.ts'

export interface PublicBuildingRow {
  readonly id: string
  readonly nom: string
  readonly usage: string
  readonly floor_area_m2: number | null
  readonly construction_year: number | null
  readonly commune: string | null
  readonly parcel_id: string | null
}

const BUILDING_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export const publicBuildingsKind: FeatureKind<PublicBuildingRow> = {
  name: 'batiments-publics',
  title: 'Bâtiments publics (inventaire de l’OPSN)',
  layers: ['buildings'],
  row(p, featureId) {
    const id = optionalText(p, 'id', BUILDING_ID) ?? (typeof featureId === 'string' || typeof featureId === 'number' ? String(featureId) : null)
    if (id === null) throw new FeatureRejection('missing_property', '"id" is missing')
    if (!BUILDING_ID.test(id)) throw new FeatureRejection('invalid_property', `"id" is not valid (${JSON.stringify(id).slice(0, 40)})`)
    return {
      id,
      nom: requiredText(p, 'nom'),
      usage: requiredText(p, 'usage'),
      floor_area_m2: optionalPositive(p, 'surface_m2'),
      construction_year: optionalInteger(p, 'annee_construction', 1000, 2100),
      commune: optionalText(p, 'commune', COMMUNE_CODE),
      parcel_id: optionalText(p, 'parcelle', /^[0-9A-Z]{14}$/),
    }
  },
  async write(db: Kysely<Schema>, rows: readonly PreparedRow<PublicBuildingRow>[]): Promise<RowOutcome[]> {
    const { rows: outcomes } = await sql<RowOutcome>`
      WITH shaped AS MATERIALIZED (
        SELECT r.k, r.id, r.nom, r.usage, r.floor_area_m2, r.construction_year, r.commune, r.parcel_id, x.valid,
               CASE WHEN x.valid THEN x.g0 ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(x.g0), 3)) END AS geom
        FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r (k int, id text, nom text, usage text, floor_area_m2 float8,
             construction_year int, commune text, parcel_id text, w text)
        CROSS JOIN LATERAL (SELECT g0, ST_IsValid(g0) AS valid
                            FROM (SELECT ST_GeomFromWKB(decode(r.w, 'base64'), 4326) AS g0 OFFSET 0) AS p) AS x
      ), located AS (
        SELECT shaped.*, NOT valid AND ST_IsEmpty(geom) AS empty,
               CASE WHEN commune IS NOT NULL
                    THEN COALESCE((SELECT c.insee FROM commune c WHERE c.insee = shaped.commune),
                                  (SELECT f.insee FROM commune_former_code f WHERE f.code = shaped.commune))
                    ELSE (SELECT c.insee FROM commune c WHERE ST_Intersects(c.geom, ST_PointOnSurface(shaped.geom)) ORDER BY c.insee LIMIT 1)
               END AS insee
        FROM shaped
      ), chosen AS (
        SELECT DISTINCT ON (id) * FROM located WHERE NOT empty AND insee IS NOT NULL ORDER BY id, k DESC
      ), written AS (
        INSERT INTO building (id, nom, usage, floor_area_m2, construction_year, commune_insee, parcel_id, synthetic, geom)
        SELECT id, nom, usage, floor_area_m2, construction_year, insee, parcel_id, false, geom FROM chosen
        ON CONFLICT (id) DO UPDATE SET nom = excluded.nom, usage = excluded.usage, floor_area_m2 = excluded.floor_area_m2,
          construction_year = excluded.construction_year, commune_insee = excluded.commune_insee, parcel_id = excluded.parcel_id,
          synthetic = false, geom = excluded.geom
        RETURNING id, (xmax = 0) AS inserted
      )
      SELECT located.k, located.valid, located.empty,
             (NOT located.empty AND located.insee IS NOT NULL AND chosen.k IS NULL) AS duplicate,
             written.inserted,
             CASE WHEN NOT located.empty AND located.insee IS NULL THEN 'commune_not_loaded' END AS rejected
      FROM located
      LEFT JOIN chosen ON chosen.k = located.k
      LEFT JOIN written ON written.id = chosen.id`.execute(db)
    return outcomes
  },
}
