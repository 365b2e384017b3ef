/**
 * Public buildings as deck.gl 3D extrusions over the MapLibre map (MapboxOverlay), coloured by
 * energy intensity — kWh per m² since 1 January, from the EPCI's indicators — on the classes of the
 * French energy label (A ≤ 70 … G > 420 kWh/m², the DPE scale every energy manager reads), grey
 * without data; or by live status (open alert, silent sensor, all heard, no sensor). Height: the floors the floor area suggests over the footprint (3.5 m each, 1 to
 * 10). Off by default (a toggle in the layer list, `?couches=3d` in the URL).
 *
 * Level of detail: below zoom EXTRUDE_FROM_ZOOM a building is a few pixels wide and a 3D shape
 * says nothing: the map's own dots and footprints show its class's colour (TerritoryMap
 * .setBuildingColors) and deck.gl draws nothing — measured by bench:web, 10,000 deck.gl dots over
 * MapLibre's halved the frame rate in software rendering (a second canvas composited each frame).
 * From that zoom on, the extrusions of the buildings in view (and a margin) only: deck.gl draws
 * every object it is given on every frame, and a territory holds thousands.
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

/** How the buildings are coloured with the 3D layer on: energy intensity, or live status. */
export type BuildingColoring = 'intensity' | 'status'

/**
 * Live status classes, the most urgent first: an open alert; a sensor silent for 2 hours or never
 * heard; every sensor heard; no sensor. From the buildings' `open_alerts`, `silent_sensors`, `sensors`.
 */
export const STATUS_CLASSES = {
  alert: { label: 'alerte ouverte', color: [192, 57, 43] },
  silent: { label: 'capteur muet depuis 2 h', color: [230, 126, 34] },
  ok: { label: 'capteurs entendus', color: [46, 139, 87] },
  none: { label: 'sans capteur', color: NO_DATA },
} as const satisfies Record<string, { label: string; color: readonly [number, number, number] }>
export type BuildingStatus = keyof typeof STATUS_CLASSES

export function buildingStatus(p: Pick<BuildingProperties, 'sensors' | 'silent_sensors' | 'open_alerts'>): BuildingStatus {
  if ((p.open_alerts ?? 0) > 0) return 'alert'
  if ((p.sensors ?? 0) === 0) return 'none'
  return (p.silent_sensors ?? 0) > 0 ? 'silent' : 'ok'
}
const FLOOR_M = 3.5
export const EXTRUDE_FROM_ZOOM = 13

interface Extrusion {
  readonly id: string
  readonly polygon: Position[][]
  readonly height: number
  readonly color: [number, number, number]
  /** [west, south, east, north] of the polygon. */
  readonly bbox: readonly [number, number, number, number]
}

export function intensityColor(kwhPerM2: number | null | undefined): [number, number, number] {
  if (kwhPerM2 === null || kwhPerM2 === undefined) return NO_DATA
  return INTENSITY_CLASSES.find((c) => kwhPerM2 <= c.max)!.color
}

/** One extrusion per polygon of each footprint. */
export function extrusions(buildings: readonly Feature<Polygon | MultiPolygon, BuildingProperties>[], intensity: ReadonlyMap<string, number | null>, coloring: BuildingColoring = 'intensity'): Extrusion[] {
  const out: Extrusion[] = []
  for (const f of buildings) {
    const footprint = area(f)
    const floors = f.properties.floor_area_m2 && footprint > 0 ? Math.min(10, Math.max(1, Math.round(f.properties.floor_area_m2 / footprint))) : 1
    const color: [number, number, number] = coloring === 'status' ? [...STATUS_CLASSES[buildingStatus(f.properties)].color] : intensityColor(intensity.get(f.properties.id))
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
    for (const polygon of polygons) {
      let [w, south, e, n] = [Infinity, Infinity, -Infinity, -Infinity]
      for (const [x, y] of polygon[0]!) {
        w = Math.min(w, x!); e = Math.max(e, x!); south = Math.min(south, y!); n = Math.max(n, y!)
      }
      out.push({ id: f.properties.id, polygon, height: floors * FLOOR_M, color, bbox: [w, south, e, n] })
    }
  }
  return out
}

export class Buildings3d {
  // deck.gl's input library makes its canvas a Tab stop; the map is reached through MapLibre's canvas.
  private readonly overlay: MapboxOverlay = new MapboxOverlay({
    interleaved: false,
    layers: [],
    onLoad: () => {
      const canvas = this.overlay.getCanvas()
      canvas?.setAttribute('tabindex', '-1')
      canvas?.setAttribute('aria-hidden', 'true')
    },
  })
  private data: Extrusion[] = []
  private visible = false
  /** Milliseconds the last layer preparation took (bench:web). */
  lastPrepareMs = 0
  /** Extrusions given to deck.gl at the last render (those in view; none below EXTRUDE_FROM_ZOOM). */
  drawn = 0

  constructor(private readonly map: maplibregl.Map) {
    map.addControl(this.overlay as unknown as maplibregl.IControl)
    // The extrusions in view change as the map moves (and the level of detail with the zoom).
    map.on('moveend', () => {
      if (this.visible) this.render()
    })
  }

  private buildings: BuildingCollection | null = null
  private intensity: ReadonlyMap<string, number | null> = new Map()
  private coloring: BuildingColoring = 'intensity'

  setBuildings(buildings: BuildingCollection | null, intensity: ReadonlyMap<string, number | null>): void {
    this.buildings = buildings
    this.intensity = intensity
    this.prepare()
  }

  setColoring(coloring: BuildingColoring): void {
    if (coloring === this.coloring) return
    this.coloring = coloring
    this.prepare()
  }

  private prepare(): void {
    const started = performance.now()
    this.data = this.buildings ? extrusions(this.buildings.features, this.intensity, this.coloring) : []
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
    let layers: PolygonLayer<Extrusion>[] = []
    this.drawn = 0
    if (this.visible && this.data.length > 0 && this.map.getZoom() >= EXTRUDE_FROM_ZOOM) {
      // The view and half of it around: a pan shows no empty edge before the next moveend.
      const b = this.map.getBounds()
      const [dx, dy] = [(b.getEast() - b.getWest()) / 2, (b.getNorth() - b.getSouth()) / 2]
      const [w, south, e, n] = [b.getWest() - dx, b.getSouth() - dy, b.getEast() + dx, b.getNorth() + dy]
      const inView = this.data.filter((d) => d.bbox[2] >= w && d.bbox[0] <= e && d.bbox[3] >= south && d.bbox[1] <= n)
      this.drawn = inView.length
      layers = [new PolygonLayer<Extrusion>({
        id: 'buildings-3d', data: inView, getPolygon: (d) => d.polygon, extruded: true, getElevation: (d) => d.height,
        getFillColor: (d) => d.color, pickable: false,
      })]
    }
    this.overlay.setProps({ layers })
    document.body.dataset.buildings3d = String(this.count)
  }
}
