/**
 * The SQL of the collections, composed from the catalogue (collections.ts): identifiers and
 * expressions come only from there, every value (bbox, dates, filter values, scope, paging) is
 * bound. Features are assembled as GeoJSON text by PostgreSQL (ST_AsGeoJSON, json_build_object)
 * and spliced by the caller, never parsed and serialised again in Node.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { NotFoundError, scopeCondition, type Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import type { Collection, CollectionProperty } from './collections.ts'

/** [west, south, east, north] in CRS84; west > east crosses the antimeridian. */
export type Bbox = readonly [number, number, number, number]

export interface FeatureFilter {
  readonly bbox?: Bbox
  /** Bounds of the `datetime` parameter, inclusive; null: open. */
  readonly datetime?: { readonly start: Date | null; readonly end: Date | null }
  readonly equals?: readonly { readonly property: CollectionProperty; readonly value: string | number | boolean }[]
}

/** A feature as the database assembled it. */
export interface FeatureRow {
  readonly id: string
  /** GeoJSON geometry text, or null. */
  readonly geometry: string | null
  /** JSON object text of the published properties. */
  readonly properties: string
}

/** A feature with a representative point (the point itself, or a point on a polygon's surface) for CSV. */
export interface FeatureRowWithPoint extends FeatureRow {
  readonly longitude: number | null
  readonly latitude: number | null
}

const raw = (expression: string) => sql.raw(expression)

export function featureWhere(collection: Collection, filter: FeatureFilter, scope: Scope): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [sql`true`]
  const geometry = raw(collection.geometry)
  if (filter.bbox) {
    const [w, s, e, n] = filter.bbox
    conditions.push(
      w <= e
        ? sql`ST_Intersects(${geometry}, ST_MakeEnvelope(${w}::float8, ${s}::float8, ${e}::float8, ${n}::float8, 4326))`
        : sql`(ST_Intersects(${geometry}, ST_MakeEnvelope(${w}::float8, ${s}::float8, 180, ${n}::float8, 4326))
            OR ST_Intersects(${geometry}, ST_MakeEnvelope(-180, ${s}::float8, ${e}::float8, ${n}::float8, 4326)))`,
    )
  }
  if (filter.datetime && collection.temporal) {
    const time = raw(collection.temporal)
    if (filter.datetime.start) conditions.push(sql`${time} >= ${filter.datetime.start}`)
    if (filter.datetime.end) conditions.push(sql`${time} <= ${filter.datetime.end}`)
  }
  for (const { property, value } of filter.equals ?? []) {
    conditions.push(sql`${raw(property.expr)} = ${value}`)
  }
  if (scope.kind !== 'all') {
    conditions.push(scopeCondition(scope, { epci: collection.scope, ...(collection.scopeCommune ? { commune: collection.scopeCommune } : {}), ...(collection.scopeBuilding ? { building: collection.scopeBuilding } : {}) }))
  }
  return sql.join(conditions, sql` AND `)
}

function propertiesJson(collection: Collection): RawBuilder<string> {
  const pairs = collection.properties.map((p) => sql`${sql.lit(p.name)}::text, ${raw(p.expr)}`)
  return sql<string>`json_build_object(${sql.join(pairs)})::text`
}

function featureColumns(collection: Collection): RawBuilder<unknown> {
  return sql`${raw(collection.key)} AS id, ST_AsGeoJSON(${raw(collection.geometry)}, 6) AS geometry, ${propertiesJson(collection)} AS properties`
}

export async function countFeatures(db: Kysely<Schema>, collection: Collection, filter: FeatureFilter, scope: Scope): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${raw(collection.from)} WHERE ${featureWhere(collection, filter, scope)}`.execute(db)
  return rows[0]?.n ?? 0
}

/** A page of features in key order, by offset (the OGC API's paging). */
export async function featurePage(
  db: Kysely<Schema>,
  collection: Collection,
  filter: FeatureFilter,
  scope: Scope,
  limit: number,
  offset: number,
): Promise<FeatureRow[]> {
  const { rows } = await sql<FeatureRow>`
    SELECT ${featureColumns(collection)} FROM ${raw(collection.from)}
    WHERE ${featureWhere(collection, filter, scope)}
    ORDER BY ${raw(collection.key)} LIMIT ${limit} OFFSET ${offset}`.execute(db)
  return rows
}

/**
 * The features after `after` in key order (keyset paging: the downloads' loop). Each page is a
 * short statement of its own, so that no connection, snapshot or transaction is held while a
 * slow client reads — on the embedded engine an open cursor blocks every other connection.
 */
export async function featuresAfter(
  db: Kysely<Schema>,
  collection: Collection,
  filter: FeatureFilter,
  scope: Scope,
  after: string | null,
  limit: number,
): Promise<FeatureRowWithPoint[]> {
  const point = sql`ST_PointOnSurface(${raw(collection.geometry)})`
  const { rows } = await sql<FeatureRowWithPoint>`
    SELECT ${featureColumns(collection)},
      round(ST_X(${point})::numeric, 6)::float8 AS longitude, round(ST_Y(${point})::numeric, 6)::float8 AS latitude
    FROM ${raw(collection.from)}
    WHERE ${featureWhere(collection, filter, scope)} ${after === null ? sql`` : sql`AND ${raw(collection.key)} > ${after}`}
    ORDER BY ${raw(collection.key)} LIMIT ${limit}`.execute(db)
  return rows
}

export async function featureById(db: Kysely<Schema>, collection: Collection, id: string, scope: Scope): Promise<FeatureRow> {
  const { rows } = await sql<FeatureRow>`
    SELECT ${featureColumns(collection)} FROM ${raw(collection.from)}
    WHERE ${featureWhere(collection, {}, scope)} AND ${raw(collection.key)} = ${id}`.execute(db)
  const row = rows[0]
  if (!row) throw new NotFoundError(`no feature ${id} in collection ${collection.id}`)
  return row
}

export interface CollectionExtent {
  readonly bbox: Bbox | null
  /** ISO 8601 instants; null bounds are open. */
  readonly interval: readonly [string | null, string | null] | null
  readonly count: number
  /** Some rows are synthetic (demo data). */
  readonly synthetic: boolean
}

/** Spatial extent (ST_Extent of what the scope sees), temporal extent where the collection has one, count. */
export async function collectionExtent(db: Kysely<Schema>, collection: Collection, scope: Scope): Promise<CollectionExtent> {
  const time = collection.temporal ? raw(collection.temporal) : sql`NULL::timestamptz`
  const synthetic = collection.synthetic ? sql`coalesce(bool_or(${raw(collection.synthetic)}), false)` : sql`false`
  const { rows } = await sql<{ w: number | null; s: number | null; e: number | null; n: number | null; start: Date | null; end: Date | null; count: number; synthetic: boolean }>`
    SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n, start, "end", count, synthetic
    FROM (
      SELECT ST_Extent(${raw(collection.geometry)}) AS x, min(${time}) AS start, max(${time}) AS "end",
        count(*)::int AS count, ${synthetic} AS synthetic
      FROM ${raw(collection.from)} WHERE ${featureWhere(collection, {}, scope)}
    ) extent`.execute(db)
  const row = rows[0]!
  // Rounded outwards to 6 decimals (0.1 m): the extent still contains every feature.
  const down = (v: number) => Math.floor(v * 1e6) / 1e6
  const up = (v: number) => Math.ceil(v * 1e6) / 1e6
  return {
    bbox: row.w === null ? null : [down(row.w), down(row.s!), up(row.e!), up(row.n!)],
    interval: collection.temporal ? [row.start?.toISOString() ?? null, row.end?.toISOString() ?? null] : null,
    count: row.count,
    synthetic: row.synthetic,
  }
}

/** The EPCI a collection's features belong to (its spatial coverage by territory). */
export async function coveredEpci(db: Kysely<Schema>, collection: Collection, scope: Scope): Promise<{ siren: string; nom: string }[]> {
  const { rows } = await sql<{ siren: string; nom: string }>`
    SELECT e.siren, e.nom FROM epci e
    WHERE e.siren IN (SELECT ${raw(collection.scope)} FROM ${raw(collection.from)} WHERE ${featureWhere(collection, {}, scope)})
    ORDER BY e.siren`.execute(db)
  return rows
}
