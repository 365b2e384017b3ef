/**
 * Loads the territory: EPCI, current communes (COG) and their outlines. Boundary files are often
 * older than the COG (the demo's are from 2018): a merged commune's outline is the union of the
 * polygons of the communes it absorbed, found through its former codes. A current commune
 * without any polygon is an error, never a silent gap.
 */
import { sql, type Kysely } from 'kysely'
import type { Geometry as GeoJsonGeometry } from 'geojson'
import { InvalidInputError, type Logger } from '../core/index.ts'
import { inTransaction, validMultiPolygon, type Schema } from '../sql/index.ts'

export interface EpciRecord {
  readonly siren: string
  readonly nom: string
  readonly nature: string
  readonly population: number | null
  /** Every member commune, wherever it lies. */
  readonly membersTotal: number
}

export interface CommuneRecord {
  readonly insee: string
  readonly nom: string
  readonly epciSiren: string | null
  readonly population: number | null
  readonly departement: string
  /** Codes of the communes merged into this one (COG `anciensCodes`, chefs-lieux of déléguées). */
  readonly formerCodes: readonly string[]
}

export interface BoundaryPolygon {
  /** The commune code this polygon was published under (possibly a former code). */
  readonly code: string
  readonly geometry: GeoJsonGeometry
}

export interface BoundariesInput {
  readonly epci: readonly EpciRecord[]
  readonly communes: readonly CommuneRecord[]
  readonly polygons: readonly BoundaryPolygon[]
}

export interface BoundariesReport {
  readonly epci: number
  readonly communes: number
  /** Communes whose outline is the union of several published polygons. */
  readonly merged: number
  /** Polygons whose code is neither a current commune nor a known former code. */
  readonly unassignedPolygons: readonly string[]
}

export async function importBoundaries(db: Kysely<Schema>, input: BoundariesInput, log: Logger): Promise<BoundariesReport> {
  const owner = new Map<string, string>()
  for (const commune of input.communes) {
    owner.set(commune.insee, commune.insee)
    for (const code of commune.formerCodes) if (!owner.has(code)) owner.set(code, commune.insee)
  }
  const polygonOwners: string[] = []
  const polygonGeoJson: string[] = []
  const unassigned: string[] = []
  const polygonsPerCommune = new Map<string, number>()
  for (const polygon of input.polygons) {
    const insee = owner.get(polygon.code)
    if (!insee) {
      unassigned.push(polygon.code)
      continue
    }
    polygonOwners.push(insee)
    polygonGeoJson.push(JSON.stringify(polygon.geometry))
    polygonsPerCommune.set(insee, (polygonsPerCommune.get(insee) ?? 0) + 1)
  }
  const missing = input.communes.filter((c) => !polygonsPerCommune.has(c.insee)).map((c) => c.insee)
  if (missing.length > 0) {
    throw new InvalidInputError(`no outline for ${missing.length} current commune(s): ${missing.slice(0, 10).join(', ')}`)
  }
  const epciSirens = new Set(input.epci.map((e) => e.siren))
  const orphan = input.communes.find((c) => c.epciSiren !== null && !epciSirens.has(c.epciSiren))
  if (orphan) throw new InvalidInputError(`commune ${orphan.insee} belongs to EPCI ${orphan.epciSiren}, which is not in the EPCI file`)

  await inTransaction(db, async (trx) => {
    await sql`
      INSERT INTO epci (siren, nom, nature, population, members_total)
      SELECT * FROM unnest(${input.epci.map((e) => e.siren)}::text[], ${input.epci.map((e) => e.nom)}::text[],
                           ${input.epci.map((e) => e.nature)}::text[], ${input.epci.map((e) => e.population)}::int[],
                           ${input.epci.map((e) => e.membersTotal)}::int[])
      ON CONFLICT (siren) DO UPDATE SET nom = excluded.nom, nature = excluded.nature, population = excluded.population,
        members_total = excluded.members_total, updated_at = now()`.execute(trx)

    const c = input.communes
    await sql`
      WITH outline AS (
        SELECT insee, ST_Union(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326))) AS geom
        FROM unnest(${polygonOwners}::text[], ${polygonGeoJson}::text[]) AS p (insee, geojson)
        GROUP BY insee
      )
      INSERT INTO commune (insee, nom, epci_siren, population, departement, geom)
      SELECT c.insee, c.nom, c.epci_siren, c.population, c.departement, ${validMultiPolygon(sql.ref('outline.geom'))}
      FROM unnest(${c.map((x) => x.insee)}::text[], ${c.map((x) => x.nom)}::text[], ${c.map((x) => x.epciSiren)}::text[],
                  ${c.map((x) => x.population)}::int[], ${c.map((x) => x.departement)}::text[])
             AS c (insee, nom, epci_siren, population, departement)
      JOIN outline USING (insee)
      ON CONFLICT (insee) DO UPDATE SET nom = excluded.nom, epci_siren = excluded.epci_siren,
        population = excluded.population, departement = excluded.departement, geom = excluded.geom, updated_at = now()`.execute(trx)

    const former = c.flatMap((x) => x.formerCodes.map((code) => [code, x.insee] as const))
    await sql`DELETE FROM commune_former_code WHERE insee = ANY(${c.map((x) => x.insee)}::text[])`.execute(trx)
    await sql`
      INSERT INTO commune_former_code (code, insee)
      SELECT * FROM unnest(${former.map((f) => f[0])}::text[], ${former.map((f) => f[1])}::text[])
      ON CONFLICT DO NOTHING`.execute(trx)

    // An EPCI's outline is the union of its member communes loaded here.
    await sql`
      UPDATE epci SET geom = members.geom, updated_at = now()
      FROM (SELECT epci_siren, ${validMultiPolygon(sql`ST_Union(geom)`)} AS geom
            FROM commune WHERE epci_siren = ANY(${[...epciSirens]}::text[]) GROUP BY epci_siren) AS members
      WHERE epci.siren = members.epci_siren`.execute(trx)
  })

  const merged = [...polygonsPerCommune.values()].filter((n) => n > 1).length
  log.info('boundaries imported', { epci: input.epci.length, communes: input.communes.length, merged, unassigned: unassigned.length })
  return { epci: input.epci.length, communes: input.communes.length, merged, unassignedPolygons: unassigned }
}
