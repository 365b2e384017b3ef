/**
 * The SQL of a tile source, built once at start from the catalogue (identifiers escaped, z/x/y,
 * tolerance and scope bound as parameters). Two forms share the same selection, simplification
 * and clipping:
 *  - `mvt`: PostGIS encodes the tile (ST_AsMVTGeom + ST_AsMVT), the fast path on real servers;
 *  - `features`: PostGIS clips and moves the geometry into tile coordinates exactly as
 *    ST_AsMVTGeom would (clip to the buffered tile, affine to 0..4096 with y down, snap to the
 *    integer grid, make valid) and returns GeoJSON, which mvt-encoder.ts encodes in Node. It
 *    serves the embedded engine, whose PostGIS has no protobuf.
 * Each form exists simplified (ST_Simplify to the tolerance) and exact (no simplification: the
 * cadastre from its `exactFromZoom`, and points).
 * Parameters: $1 z, $2 x, $3 y, $4 simplification tolerance (m), $5 buffer (m), and the scope:
 * $6 EPCI SIRENs (null: every territory), $7 commune INSEE codes, $8 building ids (text[]).
 * Both forms also answer `expires`: the earliest `changesAt` of the tile's features, or null.
 */
import pg from 'pg'
import { BUFFER, EXTENT, unitMetres, type TileAddress } from './tile-coordinates.ts'
import { TILE_AREA_4326, type TileSource } from './tile-source.ts'
import type { Scope } from '../../core/index.ts'

/**
 * Settings of the sessions that run tile SQL on a real server. PostgreSQL plans a dense tile in
 * parallel, and ST_AsMVT's combine step then merges the workers' partial tiles: the densest
 * z14 parcels tile (3,900 features) took 80 ms so, 28 ms in one process. JIT compilation, which
 * a costly low-zoom plan may trigger, would add more than it saves on a query of milliseconds.
 */
export const TILE_SESSION_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  max_parallel_workers_per_gather: '0',
  jit: 'off',
})

export interface TileQueries {
  /** One row: `tile` (bytea, null when empty), `expires` (timestamptz or null). */
  readonly mvt: string
  /** Feature rows: the properties by name, `geom` (GeoJSON in tile coordinates), `expires`. */
  readonly features: string
}

export interface TileSql {
  readonly simplified: TileQueries
  readonly exact: TileQueries
  /** [west, south, east, north] of the source's features in the scope ($1 EPCI or null, $2 communes, $3 buildings). */
  readonly bounds: string
}

const id = (name: string) => pg.escapeIdentifier(name)

/** A screen pixel spans this many tile units: MapLibre draws a 4096-unit tile on 512 pixels. */
const UNITS_PER_PIXEL = EXTENT / 512

/**
 * The queries and bound values of one tile: exact from the source's `exactFromZoom` (and for
 * points), else simplified to half a screen pixel (invisible, and far fewer vertices per tile).
 */
export function tileQuery(sql: TileSql, source: TileSource, address: TileAddress, scope: Scope): { queries: TileQueries; values: unknown[] } {
  const exact = source.geometryType === 'point' || (source.exactFromZoom !== null && address.z >= source.exactFromZoom)
  const unit = unitMetres(address.z)
  return {
    queries: exact ? sql.exact : sql.simplified,
    values: [address.z, address.x, address.y, (unit * UNITS_PER_PIXEL) / 2, unit * BUFFER, ...scopeValues(scope)],
  }
}

export function buildTileSql(source: TileSource): TileSql {
  return {
    simplified: queries(source, source.geometryType === 'polygon'),
    exact: queries(source, false),
    bounds: `
    SELECT CASE WHEN e IS NULL THEN NULL ELSE ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] END AS bounds
    FROM (SELECT ST_Extent(${source.geometry}) AS e FROM ${source.from}
          WHERE ${scopeFilter(source, 1)}) AS extent`,
  }
}

/** The scope's three lists as bound values: EPCI (null for every territory), communes, buildings. */
export function scopeValues(scope: Scope): [string[] | null, string[], string[]] {
  return scope.kind === 'all' ? [null, [], []] : [[...scope.epci], [...scope.communes], [...scope.buildings]]
}

/** A row is in the scope when its EPCI, commune or building is listed ($n, $n+1, $n+2), or when $n is null. */
function scopeFilter(source: TileSource, n: number): string {
  const commune = source.scopeCommune ?? 'NULL::text'
  const building = source.scopeBuilding ?? 'NULL::text'
  return `($${n}::text[] IS NULL OR ${source.scope} = ANY($${n}::text[]) OR ${commune} = ANY($${n + 1}::text[]) OR ${building} = ANY($${n + 2}::text[]))`
}

function queries(source: TileSource, simplify: boolean): TileQueries {
  const columns = source.properties.map((p) => `${p.expression} AS ${id(p.name)}`).join(', ')
  const names = source.properties.map((p) => id(p.name)).join(', ')
  const changesAt = source.changesAt ? `, ${source.changesAt} AS changes_at` : ''
  const geometry = simplify ? `ST_Simplify(${source.tileGeometry}, $4::float8, true)` : source.tileGeometry
  // The tile, its area widened by the buffer (the index filter), the same in EPSG:4326.
  const tile = `tile AS (
      SELECT env, area, ${source.tileFilter.includes(TILE_AREA_4326) ? 'ST_Transform(area, 4326)' : 'NULL::geometry'} AS area_4326
      FROM (SELECT env, ST_Expand(env, $5::float8) AS area, $4::float8 AS tolerance
            FROM (SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env) AS e) AS a
    )` // (the exact form does not simplify: $4 is named here so that every form takes the same parameters)
  const selection = `
      FROM tile, ${source.from}
      WHERE ${source.tileFilter}
        AND ${scopeFilter(source, 6)}`
  const expires = source.changesAt ? '(SELECT min(changes_at) FROM features)' : 'NULL::timestamptz'

  const mvt = `
    WITH ${tile},
    features AS (
      SELECT ${columns}${changesAt}, ST_AsMVTGeom(${geometry}, tile.env, ${EXTENT}, ${BUFFER}, true) AS geom ${selection}
    )
    -- ST_AsMVT skips the rows whose geometry ST_AsMVTGeom dropped (null), and answers no byte
    -- for no feature: filtering them here would make the planner compute ST_AsMVTGeom twice.
    SELECT (SELECT ST_AsMVT(m.*, ${pg.escapeLiteral(source.id)}, ${EXTENT}, 'geom')
            FROM (SELECT ${names}, geom FROM features) AS m) AS tile,
           ${expires} AS expires`

  const collectionType = source.geometryType === 'polygon' ? 3 : 1
  const toTile = `ST_Affine(g, ${EXTENT} / span, 0, 0, -${EXTENT} / span, -xmin * ${EXTENT} / span, ymax * ${EXTENT} / span)`
  const features = `
    WITH ${tile},
    frame AS (SELECT ST_XMin(env) AS xmin, ST_YMax(env) AS ymax, ST_XMax(env) - ST_XMin(env) AS span FROM tile),
    clipped AS (
      SELECT ${columns}${changesAt}, ST_ClipByBox2D(${geometry}, tile.area::box2d) AS g ${selection}
    ),
    -- Materialized: the emptiness filter below would otherwise recompute the whole expression.
    features AS MATERIALIZED (
      SELECT clipped.*, ST_CollectionExtract(ST_MakeValid(ST_SnapToGrid(${toTile}, 1)), ${collectionType}) AS geom
      FROM clipped, frame
    )
    SELECT ${names}, ST_AsGeoJSON(geom, 0) AS geom, ${expires} AS expires
    FROM features WHERE NOT ST_IsEmpty(geom)`

  return { mvt, features }
}
