/**
 * Serves the catalogue's tiles and TileJSON. The encoder is chosen once from the database's
 * capabilities: ST_AsMVT on real PostGIS, the Node encoder on the embedded engine.
 */
import { createHash } from 'node:crypto'
import type pg from 'pg'
import { NotFoundError, scopedSirens, type Scope } from '../../core/index.ts'
import { BUFFER, parseTileAddress, unitMetres, type TileAddress } from './tile-coordinates.ts'
import { encodeMvt, type TileFeatureRow } from './mvt-encoder.ts'
import { buildTileSql, type TileSql } from './tile-sql.ts'
import { TILE_SOURCES, type TileSource } from './tile-source.ts'

export type TileEncoder = 'postgis' | 'node'

export interface Tile {
  /** Empty when no feature touches the tile. */
  readonly body: Buffer
  readonly etag: string
}

export interface TileJson {
  readonly tilejson: '3.0.0'
  readonly name: string
  readonly description: string
  readonly attribution: string
  readonly tiles: readonly string[]
  readonly minzoom: number
  readonly maxzoom: number
  readonly bounds?: readonly [number, number, number, number]
  readonly vector_layers: readonly {
    readonly id: string
    readonly description: string
    readonly minzoom: number
    readonly maxzoom: number
    readonly fields: Readonly<Record<string, string>>
  }[]
}

export class TileService {
  private readonly sql = new Map<string, TileSql>()

  constructor(
    private readonly pool: pg.Pool,
    readonly encoder: TileEncoder,
    readonly sources: readonly TileSource[] = TILE_SOURCES,
  ) {
    for (const source of sources) this.sql.set(source.id, buildTileSql(source))
  }

  source(id: string): TileSource {
    const source = this.sources.find((s) => s.id === id)
    if (!source) throw new NotFoundError(`no tile layer "${id}"; layers: ${this.sources.map((s) => s.id).join(', ')}`)
    return source
  }

  address(layer: string, z: string, x: string, y: string): TileAddress {
    return parseTileAddress(this.source(layer), z, x, y)
  }

  async tile(layer: string, address: TileAddress, scope: Scope, encoder: TileEncoder = this.encoder): Promise<Tile> {
    const source = this.source(layer)
    const sql = this.sql.get(source.id)!
    const unit = unitMetres(address.z)
    const values = [address.z, address.x, address.y, unit, unit * BUFFER, scopedSirens(scope)]
    let body: Buffer
    if (encoder === 'postgis') {
      const { rows } = await this.pool.query<{ tile: Buffer | null }>(sql.mvt, values)
      body = rows[0]?.tile ?? Buffer.alloc(0)
    } else {
      const { rows } = await this.pool.query<TileFeatureRow>(sql.features, values)
      body = encodeMvt(source.id, rows)
    }
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
  }

  async tileJson(layer: string, baseUrl: string, scope: Scope): Promise<TileJson> {
    const source = this.source(layer)
    const sirens = scopedSirens(scope)
    const { rows } = await this.pool.query<{ bounds: [number, number, number, number] | null }>(this.sql.get(source.id)!.bounds, [sirens])
    const bounds = rows[0]?.bounds
    return {
      tilejson: '3.0.0',
      name: source.id,
      description: source.description,
      attribution: source.attribution,
      tiles: [`${baseUrl}/tiles/${source.id}/{z}/{x}/{y}.mvt`],
      minzoom: source.minzoom,
      maxzoom: source.maxzoom,
      ...(bounds ? { bounds: bounds.map((v) => Math.round(v * 1e6) / 1e6) as [number, number, number, number] } : {}),
      vector_layers: [
        {
          id: source.id,
          description: source.description,
          minzoom: source.minzoom,
          maxzoom: source.maxzoom,
          fields: Object.fromEntries(source.properties.map((p) => [p.name, p.type])),
        },
      ],
    }
  }
}
