/**
 * What the connected PostGIS can do, detected once at start. The embedded engine's PostGIS is
 * built without protobuf-c: ST_AsMVT fails there, and the tile layer encodes in Node instead.
 */
import type pg from 'pg'
import { StartupError } from '../core/index.ts'

export interface Capabilities {
  readonly postgisVersion: string
  readonly serverVersion: string
  /** ST_AsMVT / ST_AsMVTGeom are available (PostGIS built with protobuf-c). */
  readonly mvt: boolean
  /**
   * Every connection shares one session that runs one transaction at a time (PGlite behind its
   * socket server): concurrent writers only queue there, and can block each other.
   */
  readonly singleSession: boolean
}

export async function detectCapabilities(pool: pg.Pool): Promise<Capabilities> {
  const { rows } = await pool.query<{ postgis: string; server: string; version: string }>(
    "SELECT postgis_lib_version() AS postgis, current_setting('server_version') AS server, version() AS version",
  )
  const postgisVersion = rows[0]?.postgis ?? '0'
  const [major = 0, minor = 0] = postgisVersion.split('.').map(Number)
  if (major < 3 || (major === 3 && minor < 3)) {
    throw new StartupError(`PostGIS ${postgisVersion} is too old; Territoire needs PostGIS 3.3 or later`)
  }
  let mvt = true
  try {
    await pool.query('SELECT ST_AsMVT(t) FROM (SELECT ST_AsMVTGeom(ST_Point(0, 0, 3857), ST_TileEnvelope(0, 0, 0)) AS geom) t')
  } catch (error) {
    if (!/protobuf/i.test(error instanceof Error ? error.message : String(error))) throw error
    mvt = false
  }
  return { postgisVersion, serverVersion: rows[0]?.server ?? '?', mvt, singleSession: /PGlite/i.test(rows[0]?.version ?? '') }
}
