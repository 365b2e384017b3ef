/**
 * The SQL of a tile source, built once at start from the catalogue (identifiers escaped, z/x/y,
 * tolerances and scope bound as parameters). Two forms share the same selection, simplification
 * and clipping:
 *  - `mvt`: PostGIS encodes the tile (ST_AsMVTGeom + ST_AsMVT), the fast path on real servers;
 *  - `features`: PostGIS clips and moves the geometry into tile coordinates exactly as
 *    ST_AsMVTGeom would (clip to the buffered tile, affine to 0..4096 with y down, snap to the
 *    integer grid, make valid) and returns GeoJSON, which mvt-encoder.ts encodes in Node. It
 *    serves the embedded engine, whose PostGIS has no protobuf.
 * Parameters: $1 z, $2 x, $3 y, $4 simplification tolerance (m), $5 buffer (m), $6 scope (text[] or null).
 */
import pg from 'pg'
import { BUFFER, EXTENT } from './tile-coordinates.ts'
import type { TileSource } from './tile-source.ts'

export interface TileSql {
  readonly mvt: string
  readonly features: string
  /** [west, south, east, north] of the source's features in the scope ($1). */
  readonly bounds: string
}

const id = (name: string) => pg.escapeIdentifier(name)

export function buildTileSql(source: TileSource): TileSql {
  const geom = `t.${id(source.tileGeometry)}`
  const columns = source.properties.map((p) => `t.${id(p.column)} AS ${id(p.name)}`).join(', ')
  const from = `
    FROM ${id(source.table)} AS t, bounds
    WHERE ${geom} && ST_Expand(bounds.env, $5::float8)
      AND ($6::text[] IS NULL OR t.${id(source.scopeColumn)} = ANY($6::text[]))`
  const simplified = `ST_Simplify(${geom}, $4::float8, true)`
  const bounds = 'bounds AS (SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env)'
  const collectionType = source.geometryType === 'polygon' ? 3 : 1

  const mvt = `
    WITH ${bounds},
    features AS (
      SELECT ${columns}, ST_AsMVTGeom(${simplified}, bounds.env, ${EXTENT}, ${BUFFER}, true) AS geom ${from}
    )
    SELECT ST_AsMVT(features.*, ${pg.escapeLiteral(source.id)}, ${EXTENT}, 'geom') AS tile
    FROM features WHERE geom IS NOT NULL`

  const toTile = `ST_Affine(g, ${EXTENT} / span, 0, 0, -${EXTENT} / span, -xmin * ${EXTENT} / span, ymax * ${EXTENT} / span)`
  const features = `
    WITH ${bounds},
    frame AS (SELECT env, ST_XMin(env) AS xmin, ST_YMax(env) AS ymax, ST_XMax(env) - ST_XMin(env) AS span FROM bounds),
    clipped AS (
      SELECT ${columns}, ST_ClipByBox2D(${simplified}, ST_Expand(bounds.env, $5::float8)::box2d) AS g ${from}
    ),
    features AS (
      SELECT clipped.*, ST_CollectionExtract(ST_MakeValid(ST_SnapToGrid(${toTile}, 1)), ${collectionType}) AS geom
      FROM clipped, frame
    )
    SELECT ${source.properties.map((p) => id(p.name)).join(', ')}, ST_AsGeoJSON(geom, 0) AS geom
    FROM features WHERE NOT ST_IsEmpty(geom)`

  const bbox = `
    SELECT CASE WHEN e IS NULL THEN NULL ELSE ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] END AS bounds
    FROM (SELECT ST_Extent(t.${id(source.geometry)}) AS e FROM ${id(source.table)} AS t
          WHERE $1::text[] IS NULL OR t.${id(source.scopeColumn)} = ANY($1::text[])) AS extent`

  return { mvt, features, bounds: bbox }
}
