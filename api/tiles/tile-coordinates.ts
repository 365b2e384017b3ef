/**
 * Tile addresses (z/x/y, XYZ scheme in Web Mercator), checked before any SQL runs, and the
 * sizes that depend on the zoom.
 */
import { InvalidInputError, NotFoundError } from '../../core/index.ts'
import type { TileSource } from './tile-source.ts'

export interface TileAddress {
  readonly z: number
  readonly x: number
  readonly y: number
}

/** Tile extent (coordinate units across a tile), as in ST_AsMVT's default. */
export const EXTENT = 4096
/** Margin around a tile, in tile units, so that strokes do not stop at tile edges. */
export const BUFFER = 64
const WORLD_METRES = 2 * 20037508.342789244

export function parseTileAddress(source: TileSource, z: string, x: string, y: string): TileAddress {
  const [zi, xi, yi] = [z, x, y].map((v, i) => {
    if (!/^\d{1,8}$/.test(v)) throw new InvalidInputError(`${'zxy'[i]} must be a non-negative integer (got "${v}")`, 'zxy'[i])
    return Number(v)
  }) as [number, number, number]
  if (zi < source.minzoom || zi > source.maxzoom) {
    throw new NotFoundError(`layer ${source.id} has tiles from zoom ${source.minzoom} to ${source.maxzoom}, not ${zi}`)
  }
  const size = 2 ** zi
  if (xi >= size || yi >= size) throw new NotFoundError(`tile ${zi}/${xi}/${yi} is outside the world (x and y below ${size} at zoom ${zi})`)
  return { z: zi, x: xi, y: yi }
}

/** Metres (EPSG:3857) spanned by one tile unit at zoom z. */
export function unitMetres(z: number): number {
  return WORLD_METRES / 2 ** z / EXTENT
}
