/**
 * Encodes features already in tile coordinates (GeoJSON from tile-sql.ts's `features` query)
 * as a Mapbox Vector Tile 2.1 layer with vt-pbf, the way ST_AsMVT does: null attributes
 * omitted, rings closed implicitly, exterior rings with positive area in tile coordinates
 * (clockwise on screen) and holes negative, as the specification requires.
 */
import vtpbf from 'vt-pbf'
import type { Geometry, Position } from 'geojson'
import { EXTENT } from './tile-coordinates.ts'

export interface TileFeatureRow {
  readonly geom: string
  readonly [property: string]: unknown
}

type Ring = [number, number][]

interface VtFeature {
  type: 1 | 2 | 3
  geometry: Ring[] | [number, number][]
  tags: Record<string, string | number | boolean>
}

export function encodeMvt(layer: string, rows: readonly TileFeatureRow[]): Buffer {
  const features: VtFeature[] = []
  for (const row of rows) {
    const geometry = JSON.parse(row.geom) as Geometry
    const tags: Record<string, string | number | boolean> = {}
    for (const [key, value] of Object.entries(row)) {
      if (key === 'geom' || value === null || value === undefined) continue
      tags[key] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value)
    }
    const feature = toVtFeature(geometry, tags)
    if (feature) features.push(feature)
  }
  if (features.length === 0) return Buffer.alloc(0)
  const tile = vtpbf.fromGeojsonVt({ [layer]: { features } } as never, { version: 2, extent: EXTENT })
  return Buffer.from(tile)
}

function toVtFeature(geometry: Geometry, tags: VtFeature['tags']): VtFeature | null {
  switch (geometry.type) {
    case 'Point':
      return { type: 1, geometry: [toPoint(geometry.coordinates)], tags }
    case 'MultiPoint':
      return geometry.coordinates.length ? { type: 1, geometry: geometry.coordinates.map(toPoint), tags } : null
    case 'Polygon':
      return polygonFeature([geometry.coordinates], tags)
    case 'MultiPolygon':
      return polygonFeature(geometry.coordinates, tags)
    default:
      return null // the tile SQL extracts only the source's geometry type
  }
}

function polygonFeature(polygons: Position[][][], tags: VtFeature['tags']): VtFeature | null {
  const rings: Ring[] = []
  for (const polygon of polygons) {
    polygon.forEach((ring, i) => {
      const points = ring.map(toPoint)
      if (points.length < 4) return
      const area = signedArea(points)
      if (area === 0) return
      // Exterior: positive area in tile coordinates (y down); interior: negative.
      if ((i === 0) !== area > 0) points.reverse()
      rings.push(points)
    })
  }
  return rings.length ? { type: 3, geometry: rings, tags } : null
}

function toPoint(position: Position): [number, number] {
  return [Math.round(position[0]!), Math.round(position[1]!)]
}

/** Surveyor's formula; positive for a ring that turns clockwise on screen (y down). */
function signedArea(ring: Ring): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j]![0] - ring[i]![0]) * (ring[i]![1] + ring[j]![1])
  }
  return sum / 2
}
