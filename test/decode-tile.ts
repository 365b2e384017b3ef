/** Decodes a Mapbox Vector Tile the way a map client does (for assertions, not for the product). */
import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'

export interface DecodedFeature {
  readonly type: number
  readonly properties: Record<string, string | number | boolean>
  /** Rings (or points) in tile coordinates. */
  readonly geometry: Array<Array<{ x: number; y: number }>>
}

export function decodeTile(body: Uint8Array): Record<string, { extent: number; features: DecodedFeature[] }> {
  const tile = new VectorTile(new PbfReader(body))
  const layers: Record<string, { extent: number; features: DecodedFeature[] }> = {}
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features: DecodedFeature[] = []
    for (let i = 0; i < layer.length; i++) {
      const feature = layer.feature(i)
      features.push({ type: feature.type, properties: feature.properties, geometry: feature.loadGeometry() })
    }
    layers[name] = { extent: layer.extent, features }
  }
  return layers
}

/** Shoelace area of a ring in tile units (positive: exterior ring per MVT 2.1). */
export function ringArea(ring: ReadonlyArray<{ x: number; y: number }>): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]!.x - ring[i]!.x) * (ring[i]!.y + ring[j]!.y)
  return sum / 2
}
