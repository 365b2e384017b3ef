/**
 * The PostGIS fragments the product uses, as small typed helpers over Kysely's `sql` tag, so that
 * geometry SQL reads the same everywhere and values are always bound, never spliced.
 */
import { sql, type Expression, type RawBuilder } from 'kysely'

/** A GeoJSON geometry (RFC 7946, WGS 84) bound as text, as a PostGIS geometry in EPSG:4326. */
export function geomFromGeoJson(geojson: Expression<string> | string): RawBuilder<unknown> {
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${geojson}), 4326)`
}

/** A column as GeoJSON text, coordinates rounded to `decimals` (6 ≈ 0.1 m). */
export function asGeoJson(column: string, decimals = 6): RawBuilder<string> {
  return sql<string>`ST_AsGeoJSON(${sql.ref(column)}, ${sql.lit(decimals)})`
}

/** [west, south, east, north] of a geometry column, in degrees; null for a null geometry. */
export function bbox(column: string): RawBuilder<[number, number, number, number] | null> {
  const ref = sql.ref(column)
  return sql<[number, number, number, number] | null>`CASE WHEN ${ref} IS NULL THEN NULL ELSE
    ARRAY[ST_XMin(${ref}), ST_YMin(${ref}), ST_XMax(${ref}), ST_YMax(${ref})]::float8[] END`
}

/** A (multi)polygon made valid and kept polygonal, as MultiPolygon (what the tables store). */
export function validMultiPolygon(geom: Expression<unknown> | RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`ST_Multi(ST_CollectionExtract(ST_MakeValid(${geom}), 3))`
}
