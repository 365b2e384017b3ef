/**
 * The MapLibre map: communes and EPCI vector tiles from the hub, the selected EPCI's demo
 * buildings as GeoJSON, a hover tooltip and click popups (HTML, so no glyphs are needed); under
 * them, an optional external basemap, and the map's own layers alone when it cannot be had.
 */
import * as maplibregl from 'maplibre-gl'
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon, Position } from 'geojson'
import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl'
// maplibre-gl 6 resolves its worker next to the module it was loaded from, which a bundle breaks:
// ship the (self-contained) worker as an asset and point MapLibre at it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'
import type { Bbox, BuildingCollection, BuildingProperties, EpciSummary } from './api-client.ts'
import { h } from './dom.ts'
import { formatArea, formatInteger, usageLabel } from './format.ts'
import { pathForBuilding, pathForCommune, pathForSiren, sirenFromPath } from './router.ts'
import {
  BASEMAP_PREFIX,
  LAYER,
  SOURCE,
  asBasemapStyle,
  buildStyle,
  communesFillColor,
  communesFillOpacity,
  emptyCollection,
  intensityColor,
  statusColor,
  selectedEpciFilter,
  sensorsLayer,
  sensorsSource,
  TOGGLED_LAYERS,
  usageColor,
  waitingStyle,
  withBasemap,
} from './map-style.ts'

maplibregl.setWorkerUrl(workerUrl)

/** Metropolitan France, for when the hub could not say where its territory is. */
const FRANCE: Bbox = [-5.2, 41.3, 9.6, 51.1]
/** Closest zoom a selection fits to: a one-commune EPCI still shows its neighbours. */
const FIT_MAX_ZOOM = 13
/** Zoom for a building chosen in the panel: its footprint and street surroundings. */
const BUILDING_ZOOM = 16
/** How long the map waits for the external basemap's style (showing a plain background) before drawing without it. */
const BASEMAP_TIMEOUT_MS = 5000

/** The external basemap's style URL the hub put in the page (BASEMAP_STYLE_URL, api/web-routes.ts), or null. */
export function pageBasemapStyleUrl(): string | null {
  return document.querySelector<HTMLMetaElement>('meta[name="territoire-basemap-style"]')?.content || null
}

export interface BuildingEntry {
  readonly properties: BuildingProperties
  readonly center: [number, number]
}

export interface TerritoryMapOptions {
  readonly initialBounds: Bbox | null
  /** A tile or source failed to load (the hub went down, a tile errored; `status` 401: the session ended). */
  readonly onLoadError: (error: { readonly message: string; readonly status?: number }) => void
  /** Name of an EPCI by SIREN, for the commune popup's link to its EPCI. */
  readonly epciName: (siren: string) => string | undefined
  /** Whether the caller may open a commune's panel: its popup links to it only then. */
  readonly seesCommune: (siren: string, insee: string) => boolean
  /** A MapLibre style drawn under the map's own layers; null: none (the map needs no internet). */
  readonly basemapStyleUrl: string | null
  /** The basemap could not be fetched or drawn (offline…): the map goes on without it. Called once. */
  readonly onBasemapUnavailable: () => void
}

export class TerritoryMap {
  readonly map: maplibregl.Map
  private readonly loaded: Promise<void>
  private readonly tooltip = new maplibregl.Popup({
    closeButton: false,
    closeOnClick: false,
    focusAfterOpen: false,
    className: 'map-tooltip',
    offset: 12,
    maxWidth: '18rem',
  })
  private popup: maplibregl.Popup | null = null
  private buildings = new Map<string, BuildingEntry>()
  private firstView = true
  private selected: string | null = null
  /** False while the external basemap's style is fetched: the map has only a placeholder (waitingStyle). */
  private hasStyle: boolean
  /**
   * Set while a merged style loads: an error then (MapLibre's validation, all reported at once)
   * means the basemap is unusable, not that a part of the map failed.
   */
  private styleAttempt: ((error: { readonly message: string }) => void) | null = null
  private basemapFailed = false
  /** The sensors' source and layer: absent from the public view, hidden or shown for staff. */
  private sensors: 'absent' | 'hidden' | 'visible' = 'absent'

  constructor(
    container: HTMLElement,
    private readonly options: TerritoryMapOptions,
  ) {
    this.hasStyle = options.basemapStyleUrl === null
    this.map = new maplibregl.Map({
      container,
      // With a basemap, our style is set once its JSON is fetched (startWithBasemap); a map always
      // has a style (deck.gl's overlay reads its projection).
      style: options.basemapStyleUrl === null ? buildStyle(location.origin) : waitingStyle(),
      bounds: options.initialBounds ?? FRANCE,
      fitBoundsOptions: { padding: 24 },
      maplibreLogo: false,
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      // MapLibre's own controls and canvas label, in French.
      locale: {
        'Map.Title': 'Carte des communes, des EPCI et des bâtiments publics',
        'NavigationControl.ZoomIn': 'Zoomer',
        'NavigationControl.ZoomOut': 'Dézoomer',
        'NavigationControl.ResetBearing': 'Réorienter la carte vers le nord',
        'AttributionControl.ToggleAttribution': 'Afficher ou masquer les sources',
        'Popup.Close': 'Fermer',
        'ScaleControl.Meters': 'm',
        'ScaleControl.Kilometers': 'km',
      },
    })
    this.map.touchZoomRotate.disableRotation()
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right')
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left')
    this.map.on('error', (event) => this.onError(event))
    this.loaded = options.basemapStyleUrl === null
      ? new Promise((resolve) => this.map.once('load', () => resolve()))
      : this.startWithBasemap(options.basemapStyleUrl)
    this.bindPointer()
    // Escape closes the popup, for keyboard users who opened one from the panel.
    // The canvas users Tab to is described by the page's text alternative of the map.
    const help = container.getAttribute('aria-describedby')
    if (help) this.map.getCanvas().setAttribute('aria-describedby', help)
    container.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.closePopups()
    })
  }

  /** Nothing selected: every commune equally visible, framed on the whole territory. */
  showOverview(bounds: Bbox | null): void {
    this.applySelection(null, emptyCollection() as BuildingCollection)
    this.fit(bounds ?? FRANCE)
  }

  /** The shown EPCI's buildings again (their live status changed): the same view, no fitting. */
  refreshBuildings(buildings: BuildingCollection): void {
    if (this.selected !== null) this.applySelection(this.selected, buildings)
  }

  showEpci(epci: EpciSummary, buildings: BuildingCollection, fallbackBounds: Bbox | null): void {
    this.applySelection(epci.siren, buildings)
    this.fit(epci.bbox ?? fallbackBounds ?? FRANCE)
  }

  /**
   * Flies to a building and opens its popup (the panel's building list), or only flies to it
   * (`popup` false: the building's own panel is open, and keeps the focus).
   */
  focusBuilding(id: string, popup = true): void {
    const entry = this.buildings.get(id)
    if (!entry) return
    this.map.easeTo({ center: entry.center, zoom: Math.max(this.map.getZoom(), BUILDING_ZOOM), ...this.motion() })
    if (popup) this.openPopup(entry.center, buildingPopup(entry.properties), true)
    else this.closePopups()
  }

  /**
   * Resolves at the next `idle` — style loaded, camera still, every visible tile and the
   * GeoJSON data rendered. Call it after the changes it should wait for.
   */
  async settled(): Promise<void> {
    await this.loaded
    await new Promise<void>((resolve) => {
      this.map.once('idle', () => resolve())
      // An idle map renders no frame, hence no `idle`: ask for one.
      this.map.triggerRepaint()
    })
  }

  /**
   * With the 3D layer on, the map may be tilted and turned (right-drag, or Shift + arrows), and is
   * tilted at once at street zoom; off, it is flat and north up again.
   */
  allowTilt(on: boolean, streetZoom: number): void {
    if (on) {
      this.map.dragRotate.enable()
      if (this.map.getZoom() >= streetZoom) this.map.easeTo({ pitch: 45, ...this.motion() })
    } else {
      this.map.dragRotate.disable()
      this.map.easeTo({ pitch: 0, bearing: 0, ...this.motion() })
    }
  }

  /** Communes coloured by an indicator (INSEE code → colour), or by the selection again (null). */
  setChoropleth(colors: ReadonlyMap<string, string> | null): void {
    const apply = (): void => {
      const base = communesFillColor(this.selected)
      const color = colors === null || colors.size === 0 ? base : (['match', ['get', 'code'], ...[...colors].flat(), base] as unknown as ExpressionSpecification)
      this.map.setPaintProperty(LAYER.communesFill, 'fill-color', color)
    }
    this.whenStyleLoaded(apply)
  }

  /** The buildings with an open alert, ringed in red. */
  setAlertBuildings(ids: readonly string[]): void {
    const apply = (): void => {
      this.map.setFilter(LAYER.alertsRing, ['in', ['get', 'id'], ['literal', [...ids]]] as unknown as ExpressionSpecification)
    }
    this.whenStyleLoaded(apply)
  }

  /**
   * Asks a vector source's tiles again (the sensors' after new readings): the hub answers a tile
   * whose layer changed with new bytes, an unchanged one with a 304 (its ETag), so this is cheap.
   */
  reloadSource(id: string): void {
    if (!this.hasStyle) return
    const source = this.map.getSource(id) as maplibregl.VectorTileSource | undefined
    if (source?.tiles) source.setTiles([...source.tiles])
  }

  /**
   * The sensors' layer: `absent` (the public view: neither its source nor its layer, so no request
   * for its staff-only tiles), or present, hidden or shown. Applied from the latest call, whatever
   * order the style's loading runs them in.
   */
  setSensorsLayer(state: 'absent' | 'hidden' | 'visible'): void {
    this.sensors = state
    this.whenStyleLoaded(() => {
      const present = this.map.getLayer(LAYER.sensorsCircle) !== undefined
      if (this.sensors === 'absent') {
        if (present) this.map.removeLayer(LAYER.sensorsCircle)
        if (this.map.getSource(SOURCE.sensors)) this.map.removeSource(SOURCE.sensors)
        return
      }
      if (!this.map.getSource(SOURCE.sensors)) this.map.addSource(SOURCE.sensors, sensorsSource(location.origin))
      if (!present) this.map.addLayer(sensorsLayer(this.sensors === 'visible'))
      else this.map.setLayoutProperty(LAYER.sensorsCircle, 'visibility', this.sensors === 'visible' ? 'visible' : 'none')
    })
  }

  /** Shows or hides a group of optional layers (« Couches »). */
  setLayersVisible(group: keyof typeof TOGGLED_LAYERS, visible: boolean): void {
    const apply = (): void => {
      for (const id of TOGGLED_LAYERS[group]) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none')
    }
    this.whenStyleLoaded(apply)
  }

  /** Buildings coloured by use (the default) or by energy intensity (with the 3D layer on). */
  setBuildingColors(by: 'usage' | 'intensity' | 'status'): void {
    const apply = (): void => {
      const color = by === 'intensity' ? intensityColor : by === 'status' ? statusColor : usageColor
      this.map.setPaintProperty(LAYER.buildingsFill, 'fill-color', color)
      this.map.setPaintProperty(LAYER.buildingsPoints, 'circle-color', color)
    }
    this.whenStyleLoaded(apply)
  }

  private applySelection(siren: string | null, buildings: BuildingCollection): void {
    this.closePopups()
    this.selected = siren
    this.buildings = indexBuildings(buildings)
    const apply = (): void => {
      this.map.setPaintProperty(LAYER.communesFill, 'fill-color', communesFillColor(siren))
      this.map.setPaintProperty(LAYER.communesFill, 'fill-opacity', communesFillOpacity(siren))
      this.map.setFilter(LAYER.epciSelectedOutline, selectedEpciFilter(siren))
      this.geojsonSource(SOURCE.buildings).setData(buildings)
      this.geojsonSource(SOURCE.buildingPoints).setData(buildingPoints(this.buildings))
    }
    // Style changes need the style loaded; the camera (fit) does not.
    this.whenStyleLoaded(apply)
  }

  /** Runs a style change now if the style is loaded, else once it is. */
  private whenStyleLoaded(apply: () => void): void {
    if (this.hasStyle && this.map.isStyleLoaded()) apply()
    else void this.loaded.then(apply)
  }

  /**
   * Fetches the basemap's style and sets it merged under ours; on any failure (offline, timeout,
   * not a style, refused by MapLibre's validation) sets our own style alone: never a blank map.
   * Resolves once the style is loaded (never rejects): the map's `loaded`.
   */
  private async startWithBasemap(url: string): Promise<void> {
    const own = buildStyle(location.origin)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(BASEMAP_TIMEOUT_MS) })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const basemap = asBasemapStyle(await response.json())
      await this.setStyleOrFail(withBasemap(own, basemap, response.url || url))
    } catch (error) {
      this.styleAttempt = null
      this.basemapUnavailable(error)
      await new Promise<void>((resolve) => {
        this.map.once('style.load', () => resolve())
        this.map.setStyle(own, { diff: false })
      })
    }
    this.hasStyle = true
  }

  /** Sets a style; rejects at an error before it is loaded (MapLibre then leaves it unloaded). */
  private setStyleOrFail(style: StyleSpecification): Promise<void> {
    return new Promise((resolve, reject) => {
      const loaded = (): void => {
        this.styleAttempt = null
        resolve()
      }
      this.styleAttempt = (error) => {
        this.map.off('style.load', loaded)
        reject(new Error(error.message))
      }
      this.map.once('style.load', loaded)
      this.map.setStyle(style, { diff: false })
    })
  }

  private onError(event: maplibregl.ErrorEvent & { readonly sourceId?: string }): void {
    if (this.styleAttempt) return this.styleAttempt(event.error)
    // The basemap's tiles (its server unreachable): said as the basemap's problem, not the hub's.
    if (event.sourceId?.startsWith(BASEMAP_PREFIX)) return this.basemapUnavailable(event.error)
    this.options.onLoadError(event.error)
  }

  private basemapUnavailable(error: unknown): void {
    if (this.basemapFailed) return
    this.basemapFailed = true
    const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error)
    console.warn('basemap:', message)
    this.options.onBasemapUnavailable()
  }

  private fit(bbox: Bbox): void {
    // The first view jumps: nothing to animate from, and `ready` comes sooner.
    const motion = this.firstView ? { animate: false } : this.motion()
    this.firstView = false
    this.map.fitBounds(bbox, { padding: 32, maxZoom: FIT_MAX_ZOOM, ...motion })
  }

  private motion(): { duration: number } | { animate: false } {
    return matchMedia('(prefers-reduced-motion: reduce)').matches ? { animate: false } : { duration: 700 }
  }

  private geojsonSource(id: string): maplibregl.GeoJSONSource {
    const source = this.map.getSource<maplibregl.GeoJSONSource>(id)
    if (!source) throw new Error(`source ${id} is missing from the style`)
    return source
  }

  private bindPointer(): void {
    this.map.on('mousemove', (event) => {
      const hit = this.hitTest(event.point)
      this.map.getCanvas().style.cursor = hit ? 'pointer' : ''
      if (hit?.kind === 'commune') {
        this.tooltip.setLngLat(event.lngLat).setDOMContent(communeTooltip(hit.properties)).addTo(this.map)
      } else {
        this.tooltip.remove()
      }
    })
    this.map.getCanvas().addEventListener('mouseleave', () => this.tooltip.remove())
    // One click handler for all layers, so a building over a commune opens only the building.
    this.map.on('click', (event) => {
      const hit = this.hitTest(event.point)
      if (!hit) return this.closePopups()
      this.tooltip.remove()
      const content =
        hit.kind === 'building' ? buildingPopup(hit.properties) : communePopup(hit.properties, this.selected, this.options)
      this.openPopup(event.lngLat, content, false)
    })
  }

  /** The building (preferred) or commune under a pixel, with a few pixels of slack for the dots. */
  private hitTest(point: maplibregl.Point): Hit | null {
    if (!this.hasStyle || !this.map.isStyleLoaded()) return null
    const slack = 4
    const box: [maplibregl.PointLike, maplibregl.PointLike] = [
      [point.x - slack, point.y - slack],
      [point.x + slack, point.y + slack],
    ]
    const building = this.map.queryRenderedFeatures(box, { layers: [LAYER.buildingsFill, LAYER.buildingsPoints] })[0]
    if (building) return { kind: 'building', properties: building.properties as BuildingProperties }
    const commune = this.map.queryRenderedFeatures(point, { layers: [LAYER.communesFill] })[0]
    if (commune) return { kind: 'commune', properties: commune.properties as CommuneTileProperties }
    return null
  }

  private openPopup(at: maplibregl.LngLatLike, content: HTMLElement, focus: boolean): void {
    this.closePopups()
    this.popup = new maplibregl.Popup({ maxWidth: '20rem', focusAfterOpen: focus, className: 'map-popup' })
      .setLngLat(at)
      .setDOMContent(content)
      .addTo(this.map)
  }

  private closePopups(): void {
    this.tooltip.remove()
    this.popup?.remove()
    this.popup = null
  }
}

type Hit =
  | { readonly kind: 'building'; readonly properties: BuildingProperties }
  | { readonly kind: 'commune'; readonly properties: CommuneTileProperties }

/** Properties of the `communes` vector tile layer. */
interface CommuneTileProperties {
  readonly code: string
  readonly nom: string
  readonly epci?: string
  readonly population?: number
}

function communeTooltip(commune: CommuneTileProperties): HTMLElement {
  return h('div', {}, h('strong', {}, commune.nom), ` — INSEE ${commune.code}`)
}

/** A commune's popup; for a commune of another EPCI, a link that shows that EPCI (handled by main.ts). */
function communePopup(
  commune: CommuneTileProperties,
  selected: string | null,
  options: Pick<TerritoryMapOptions, 'epciName' | 'seesCommune'>,
): HTMLElement {
  const epci = commune.epci
  const name = epci ? options.epciName(epci) : undefined
  return h(
    'div',
    { class: 'popup-body' },
    h('h3', {}, commune.nom),
    h(
      'dl',
      {},
      h('dt', {}, 'Code INSEE'),
      h('dd', {}, commune.code),
      commune.population !== undefined && [h('dt', {}, 'Population'), h('dd', {}, formatInteger(Number(commune.population)))],
      epci !== undefined && [h('dt', {}, 'EPCI'), h('dd', {}, name ?? epci)],
    ),
    epci !== undefined &&
      epci !== selected &&
      name !== undefined &&
      h('p', { class: 'popup-action' }, h('a', { href: pathForSiren(epci), 'data-siren': epci }, `Afficher ${name}`)),
    epci !== undefined && epci === selected && options.seesCommune(epci, commune.code) &&
      h('p', { class: 'popup-action' }, h('a', { href: pathForCommune(epci, commune.code), 'data-commune': commune.code }, 'Voir la commune et ses bâtiments')),
  )
}

export function buildingPopup(building: BuildingProperties, epci: string | null = sirenFromPath()): HTMLElement {
  // Values read back from rendered tiles may come as strings: normalise before formatting.
  const area = building.floor_area_m2 === null || building.floor_area_m2 === undefined ? null : Number(building.floor_area_m2)
  const synthetic = building.synthetic === true || String(building.synthetic) === 'true'
  return h(
    'div',
    { class: 'popup-body' },
    h('h3', {}, building.nom),
    h(
      'dl',
      {},
      h('dt', {}, 'Usage'),
      h('dd', {}, usageLabel(building.usage)),
      h('dt', {}, 'Surface de plancher'),
      h('dd', {}, formatArea(area)),
      h('dt', {}, 'Commune'),
      h('dd', {}, `${building.commune} (${building.commune_insee})`),
      building.construction_year !== null &&
        building.construction_year !== undefined && [
          h('dt', {}, 'Construction'),
          h('dd', {}, String(building.construction_year)),
        ],
    ),
    synthetic && h('p', { class: 'badge badge-synthetic' }, 'Donnée synthétique (démonstration)'),
    epci !== null && h('p', { class: 'popup-action' }, h('a', { href: pathForBuilding(epci, building.id), 'data-building': building.id }, 'Voir le détail du bâtiment')),
  )
}

function indexBuildings(collection: BuildingCollection): Map<string, BuildingEntry> {
  const index = new Map<string, BuildingEntry>()
  for (const feature of collection.features) {
    const center = footprintCenter(feature.geometry)
    if (center) index.set(feature.properties.id, { properties: feature.properties, center })
  }
  return index
}

function buildingPoints(buildings: Map<string, BuildingEntry>): FeatureCollection<Point, BuildingProperties> {
  const features: Feature<Point, BuildingProperties>[] = [...buildings.values()].map((entry) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: entry.center },
    properties: entry.properties,
  }))
  return { type: 'FeatureCollection', features }
}

/** Mean of the outer ring's vertices: good enough for a footprint a few tens of metres wide. */
function footprintCenter(geometry: Polygon | MultiPolygon): [number, number] | null {
  const ring: Position[] | undefined = geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0]?.[0]
  if (!ring || ring.length === 0) return null
  // The closing vertex repeats the first one; leave it out of the mean.
  const vertices = ring.length > 1 ? ring.slice(0, -1) : ring
  let x = 0
  let y = 0
  for (const [lng, lat] of vertices) {
    x += lng ?? 0
    y += lat ?? 0
  }
  return [x / vertices.length, y / vertices.length]
}
