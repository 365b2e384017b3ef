/**
 * Public buildings as deck.gl 3D extrusions over the MapLibre map (MapboxOverlay), coloured by
 * energy intensity — kWh per m² since 1 January, from the EPCI's indicators — on the classes of the
 * French energy label (A ≤ 70 … G > 420 kWh/m², the DPE scale every energy manager reads), grey
 * without data. Height: the floors the floor area suggests over the footprint (3.5 m each, 1 to
 * 10). Off by default (a toggle in the layer list, `?couches=3d` in the URL).
 */
import { MapboxOverlay } from '@deck.gl/mapbox'
import { PolygonLayer } from '@deck.gl/layers'
import { area } from '@turf/turf'
import type * as maplibregl from 'maplibre-gl'
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson'
import type { BuildingCollection, BuildingProperties } from './api-client.ts'

/** Upper bounds of the classes A–F (kWh/m²·an), and their colours, then G. */
export const INTENSITY_CLASSES: readonly { readonly label: string; readonly max: number; readonly color: [number, number, number] }[] = [
  { label: 'A', max: 70, color: [0, 156, 109] },
  { label: 'B', max: 110, color: [82, 177, 83] },
  { label: 'C', max: 180, color: [165, 204, 116] },
  { label: 'D', max: 250, color: [244, 231, 15] },
  { label: 'E', max: 330, color: [240, 180, 15] },
  { label: 'F', max: 420, color: [235, 130, 53] },
  { label: 'G', max: Infinity, color: [215, 34, 31] },
]
const NO_DATA: [number, number, number] = [154, 165, 177]
const FLOOR_M = 3.5

interface Extrusion {
  readonly id: string
  readonly polygon: Position[][]
  readonly height: number
  readonly color: [number, number, number]
}

export function intensityColor(kwhPerM2: number | null | undefined): [number, number, number] {
  if (kwhPerM2 === null || kwhPerM2 === undefined) return NO_DATA
  return INTENSITY_CLASSES.find((c) => kwhPerM2 <= c.max)!.color
}

/** One extrusion per polygon of each footprint. */
export function extrusions(buildings: readonly Feature<Polygon | MultiPolygon, BuildingProperties>[], intensity: ReadonlyMap<string, number | null>): Extrusion[] {
  const out: Extrusion[] = []
  for (const f of buildings) {
    const footprint = area(f)
    const floors = f.properties.floor_area_m2 && footprint > 0 ? Math.min(10, Math.max(1, Math.round(f.properties.floor_area_m2 / footprint))) : 1
    const color = intensityColor(intensity.get(f.properties.id))
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
    for (const polygon of polygons) out.push({ id: f.properties.id, polygon, height: floors * FLOOR_M, color })
  }
  return out
}

export class Buildings3d {
  private readonly overlay = new MapboxOverlay({ interleaved: false, layers: [] })
  private data: Extrusion[] = []
  private visible = false
  /** Milliseconds the last layer preparation took (bench:web). */
  lastPrepareMs = 0

  constructor(map: maplibregl.Map) {
    map.addControl(this.overlay as unknown as maplibregl.IControl)
  }

  setBuildings(buildings: BuildingCollection | null, intensity: ReadonlyMap<string, number | null>): void {
    const started = performance.now()
    this.data = buildings ? extrusions(buildings.features, intensity) : []
    this.lastPrepareMs = performance.now() - started
    this.render()
  }

  setVisible(visible: boolean): void {
    this.visible = visible
    this.render()
  }

  get count(): number {
    return this.visible ? this.data.length : 0
  }

  private render(): void {
    this.overlay.setProps({
      layers: this.visible && this.data.length > 0
        ? [new PolygonLayer<Extrusion>({
            id: 'buildings-3d',
            data: this.data,
            getPolygon: (d) => d.polygon,
            extruded: true,
            getElevation: (d) => d.height,
            getFillColor: (d) => d.color,
            getLineColor: [40, 40, 40],
            lineWidthMinPixels: 0,
            pickable: false,
          })]
        : [],
    })
    document.body.dataset.buildings3d = String(this.count)
  }
}
