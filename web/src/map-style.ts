/**
 * The map's style: by default no remote basemap, fonts, glyphs or sprites (users and this hub may
 * be offline), so only fill, line and circle layers over a plain background. An external basemap
 * (BASEMAP_STYLE_URL) is optional: `withBasemap` puts its layers under ours. Layer ids are
 * exported because the end-to-end tests query them (see web/README.md).
 */
import type { FeatureCollection } from 'geojson'
import { INTENSITY_CLASSES, STATUS_CLASSES } from './buildings-3d.ts'
import type { ExpressionSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl'
import type { BuildingUsage } from './api-client.ts'

export const LAYER = {
  background: 'background',
  /** Every commune; the selected EPCI's members highlighted, the others faded. Queried by tests. */
  communesFill: 'communes-fill',
  communesOutline: 'communes-outline',
  epciOutline: 'epci-outline',
  epciSelectedOutline: 'epci-selected-outline',
  /** Demo building footprints, coloured by usage. Queried by tests. */
  buildingsFill: 'buildings-fill',
  buildingsOutline: 'buildings-outline',
  /** A dot per building at low zoom, where a 20 m footprint is smaller than a pixel. */
  buildingsPoints: 'buildings-points',
  /** Layers the user turns on (« Couches »), hidden at first. */
  parcelsLine: 'parcels-line',
  cadastralBuildingsFill: 'cadastral-buildings-fill',
  /** Staff only: added with its source once signed in (sensorsSource, sensorsLayer). */
  sensorsCircle: 'sensors-circle',
  /** A red ring around the buildings with an open alert (always on). */
  alertsRing: 'alerts-ring',
} as const

/** The optional layers of each toggle of « Couches » that every style has (the sensors' come and go with the session). */
export const TOGGLED_LAYERS = {
  cadastre: [LAYER.parcelsLine, LAYER.cadastralBuildingsFill],
} as const

/** From this zoom the cadastre is drawn (a parcel is a few pixels wide at 14). */
export const CADASTRE_MIN_ZOOM = 15

/** Sensor colours: grey when silent for 2 h or never heard; CO₂ and temperature by threshold. */
export const SENSOR_THRESHOLDS = {
  co2: [{ below: 800, color: '#2e8b57', label: '< 800 ppm' }, { below: 1000, color: '#e2c400', label: '800 à 1 000 ppm' }, { below: 1700, color: '#e67e22', label: '1 000 à 1 700 ppm' }, { below: Infinity, color: '#c0392b', label: '> 1 700 ppm' }],
  temperature: [{ below: 19, color: '#2f6fd6', label: '< 19 °C' }, { below: 26.000001, color: '#2e8b57', label: '19 à 26 °C' }, { below: Infinity, color: '#c0392b', label: '> 26 °C' }],
} as const
const SILENT_COLOR = '#9aa5b1'
const OTHER_SENSOR_COLOR = '#5d6d7e'

function steps(thresholds: readonly { below: number; color: string }[]): unknown[] {
  return ['step', ['get', 'value'], thresholds[0]!.color, ...thresholds.slice(1).flatMap((t, i) => [thresholds[i]!.below, t.color])]
}

const sensorColor = [
  'case',
  ['!=', ['get', 'status'], 'ok'], SILENT_COLOR,
  ['==', ['get', 'quantity'], 'co2'], steps(SENSOR_THRESHOLDS.co2),
  ['==', ['get', 'quantity'], 'temperature'], steps(SENSOR_THRESHOLDS.temperature),
  OTHER_SENSOR_COLOR,
] as unknown as ExpressionSpecification

export const SOURCE = {
  communes: 'communes', epci: 'epci', buildings: 'buildings', buildingPoints: 'building-points',
  parcels: 'parcels', cadastralBuildings: 'cadastral-buildings', sensors: 'sensors',
} as const

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const USAGE_COLORS: Record<BuildingUsage, string> = {
  mairie: '#0072B2',
  ecole: '#D55E00',
  gymnase: '#009E73',
  mediatheque: '#CC79A7',
}
const OTHER_USAGE_COLOR = '#555555'

export const COLORS = {
  background: '#dfe5ea',
  selectedCommune: '#fbfaf5',
  otherCommune: '#b9c1ca',
  communeOutline: '#6b7480',
  epciOutline: '#4a5360',
  selectedEpci: '#1b2f80',
  buildingOutline: '#1a1a1a',
  alert: '#c0392b',
} as const

/** Zoom from which footprints are big enough to read; below it the dots show where buildings are. */
export const FOOTPRINT_MIN_ZOOM = 14

const usageColor: ExpressionSpecification = [
  'match',
  ['get', 'usage'],
  ...Object.entries(USAGE_COLORS).flat(),
  OTHER_USAGE_COLOR,
] as unknown as ExpressionSpecification

/**
 * A building's colour by its energy intensity (property `intensity`, kWh/m² since 1 January) on the
 * energy label's classes, grey without data: what the dots and footprints show with the 3D layer on.
 */
export const intensityColor: ExpressionSpecification = [
  'case',
  ['==', ['typeof', ['get', 'intensity']], 'number'],
  ['step', ['get', 'intensity'], rgb(INTENSITY_CLASSES[0]!.color), ...INTENSITY_CLASSES.slice(1).flatMap((c, i) => [INTENSITY_CLASSES[i]!.max + 1e-9, rgb(c.color)])],
  'rgb(154,165,177)',
] as unknown as ExpressionSpecification

/** A building's colour by its live status (property `status`, see buildings-3d.ts's buildingStatus). */
export const statusColor: ExpressionSpecification = [
  'match',
  ['get', 'status'],
  ...Object.entries(STATUS_CLASSES).flatMap(([status, c]) => [status, rgb(c.color)]),
  rgb(STATUS_CLASSES.none.color),
] as unknown as ExpressionSpecification

function rgb(c: readonly [number, number, number]): string {
  return `rgb(${c.join(',')})`
}

export { usageColor }

/** True for features of the selected EPCI. '' (no selection) matches nothing. */
function isSelected(property: 'epci' | 'siren', siren: string | null): ExpressionSpecification {
  return ['==', ['get', property], siren ?? '']
}

/** Paint values that depend on the selection, set again with setPaintProperty/setFilter on each change. */
export function communesFillColor(siren: string | null): ExpressionSpecification {
  // With nothing selected, every commune is drawn as "selectable" rather than faded.
  if (siren === null) return ['literal', COLORS.selectedCommune] as unknown as ExpressionSpecification
  return ['case', isSelected('epci', siren), COLORS.selectedCommune, COLORS.otherCommune]
}

export function communesFillOpacity(siren: string | null): ExpressionSpecification | number {
  return siren === null ? 0.85 : ['case', isSelected('epci', siren), 0.95, 0.55]
}

export function selectedEpciFilter(siren: string | null): ExpressionSpecification {
  return isSelected('siren', siren)
}

/**
 * The map's own style: the public layers (communes, EPCI, cadastre) and the buildings' GeoJSON
 * sources, empty until a signed-in caller's EPCI fills them. No staff-only tile source: the
 * public view asks nothing it would be refused; the sensors' are added once signed in.
 */
export function buildStyle(origin: string): StyleSpecification {
  return {
    version: 8,
    name: 'Territoire — hyperviseur',
    sources: {
      // TileJSON by URL: the hub tells MapLibre the tile URLs, zoom range and bounds.
      [SOURCE.communes]: { type: 'vector', url: `${origin}/tiles/communes.json` },
      [SOURCE.epci]: { type: 'vector', url: `${origin}/tiles/epci.json` },
      // Filled in on selection (setData). Tolerance 0: geojson-vt's default simplification
      // drops footprints smaller than a pixel at EPCI zoom, and they would not be queryable.
      [SOURCE.buildings]: { type: 'geojson', data: emptyCollection(), tolerance: 0 },
      [SOURCE.buildingPoints]: { type: 'geojson', data: emptyCollection() },
      [SOURCE.parcels]: { type: 'vector', url: `${origin}/tiles/parcels.json` },
      [SOURCE.cadastralBuildings]: { type: 'vector', url: `${origin}/tiles/cadastral-buildings.json` },
    },
    layers: [
      { id: LAYER.background, type: 'background', paint: { 'background-color': COLORS.background } },
      {
        id: LAYER.communesFill,
        type: 'fill',
        source: SOURCE.communes,
        'source-layer': 'communes',
        paint: { 'fill-color': communesFillColor(null), 'fill-opacity': communesFillOpacity(null) },
      },
      {
        id: LAYER.communesOutline,
        type: 'line',
        source: SOURCE.communes,
        'source-layer': 'communes',
        paint: {
          'line-color': COLORS.communeOutline,
          'line-opacity': 0.6,
          'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.3, 12, 1],
        },
      },
      {
        id: LAYER.epciOutline,
        type: 'line',
        source: SOURCE.epci,
        'source-layer': 'epci',
        paint: { 'line-color': COLORS.epciOutline, 'line-width': 1.2 },
      },
      {
        id: LAYER.epciSelectedOutline,
        type: 'line',
        source: SOURCE.epci,
        'source-layer': 'epci',
        filter: selectedEpciFilter(null),
        layout: { 'line-join': 'round' },
        paint: { 'line-color': COLORS.selectedEpci, 'line-width': 3.5 },
      },
      {
        // No minzoom: at EPCI zoom a footprint is about a pixel (the dots show it) but stays queryable.
        id: LAYER.buildingsFill,
        type: 'fill',
        source: SOURCE.buildings,
        paint: { 'fill-color': usageColor, 'fill-opacity': 0.9 },
      },
      {
        id: LAYER.buildingsOutline,
        type: 'line',
        source: SOURCE.buildings,
        minzoom: FOOTPRINT_MIN_ZOOM,
        paint: { 'line-color': COLORS.buildingOutline, 'line-width': 1 },
      },
      {
        id: LAYER.buildingsPoints,
        type: 'circle',
        source: SOURCE.buildingPoints,
        maxzoom: FOOTPRINT_MIN_ZOOM + 1,
        paint: {
          'circle-color': usageColor,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3.5, 13, 6],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1.5,
          // Fade out as the footprints become readable.
          'circle-opacity': ['interpolate', ['linear'], ['zoom'], FOOTPRINT_MIN_ZOOM, 1, FOOTPRINT_MIN_ZOOM + 1, 0],
          'circle-stroke-opacity': ['interpolate', ['linear'], ['zoom'], FOOTPRINT_MIN_ZOOM, 1, FOOTPRINT_MIN_ZOOM + 1, 0],
        },
      },
      {
        id: LAYER.alertsRing,
        type: 'circle',
        source: SOURCE.buildingPoints,
        filter: ['in', ['get', 'id'], ['literal', []]],
        paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 7, 16, 14], 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': COLORS.alert, 'circle-stroke-width': 2.5 },
      },
      {
        id: LAYER.cadastralBuildingsFill,
        type: 'fill',
        source: SOURCE.cadastralBuildings,
        'source-layer': 'cadastral-buildings',
        minzoom: CADASTRE_MIN_ZOOM,
        layout: { visibility: 'none' },
        paint: { 'fill-color': '#c9b8a0', 'fill-opacity': 0.8, 'fill-outline-color': '#7a6a55' },
      },
      {
        id: LAYER.parcelsLine,
        type: 'line',
        source: SOURCE.parcels,
        'source-layer': 'parcels',
        minzoom: CADASTRE_MIN_ZOOM,
        layout: { visibility: 'none' },
        paint: { 'line-color': '#8a6d3b', 'line-width': 0.7 },
      },
    ],
  }
}

/** The sensors' vector tiles (staff only: their TileJSON answers 401 to the public). */
export function sensorsSource(origin: string): SourceSpecification {
  return { type: 'vector', url: `${origin}/tiles/sensors.json` }
}

/** The sensors' dots, drawn over everything else. */
export function sensorsLayer(visible: boolean): LayerSpecification {
  return {
    id: LAYER.sensorsCircle,
    type: 'circle',
    source: SOURCE.sensors,
    'source-layer': 'sensors',
    layout: { visibility: visible ? 'visible' : 'none' },
    paint: { 'circle-color': sensorColor, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 3, 16, 7], 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 },
  }
}

export function emptyCollection(): FeatureCollection {
  return { type: 'FeatureCollection', features: [] }
}

/** What the map shows while an external basemap's style is fetched: our background alone. */
export function waitingStyle(): StyleSpecification {
  return { version: 8, sources: {}, layers: [{ id: LAYER.background, type: 'background', paint: { 'background-color': COLORS.background } }] }
}

/** Prefix of the basemap's source and layer ids: none of ours starts with it, so no id can collide. */
export const BASEMAP_PREFIX = 'basemap-'

/**
 * Checks that a fetched JSON is a MapLibre style (spec v8) with sources and layers, throwing
 * otherwise; MapLibre validates the rest when the merged style is set.
 */
export function asBasemapStyle(json: unknown): StyleSpecification {
  const style = json as Partial<StyleSpecification> | null
  if (style === null || typeof style !== 'object' || style.version !== 8) throw new Error('not a MapLibre style (version 8)')
  if (typeof style.sources !== 'object' || style.sources === null || !Array.isArray(style.layers)) throw new Error('style without sources or layers')
  if (!style.layers.every((l) => typeof l?.id === 'string' && typeof l.type === 'string')) throw new Error('style with a layer lacking id or type')
  return style as StyleSpecification
}

/**
 * Our style over a basemap: its sources and layers first (drawn under ours), their ids prefixed;
 * our background dropped (it would hide the basemap); its glyphs and sprite, ours having none.
 * Its relative URLs are resolved against `basemapUrl`, where they were written from.
 */
export function withBasemap(own: StyleSpecification, basemap: StyleSpecification, basemapUrl: string): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {}
  for (const [id, source] of Object.entries(basemap.sources)) sources[BASEMAP_PREFIX + id] = resolveSourceUrls(source, basemapUrl)
  const layers = basemap.layers.map((layer): LayerSpecification => ({
    ...layer,
    id: BASEMAP_PREFIX + layer.id,
    ...('source' in layer && typeof layer.source === 'string' ? { source: BASEMAP_PREFIX + layer.source } : {}),
  }) as LayerSpecification)
  const glyphs = own.glyphs ?? (basemap.glyphs === undefined ? undefined : absoluteUrl(basemap.glyphs, basemapUrl))
  const sprite = own.sprite ?? (basemap.sprite === undefined ? undefined
    : typeof basemap.sprite === 'string' ? absoluteUrl(basemap.sprite, basemapUrl)
      : basemap.sprite.map((s) => ({ id: s.id, url: absoluteUrl(s.url, basemapUrl) })))
  return {
    ...own,
    ...(glyphs === undefined ? {} : { glyphs }),
    ...(sprite === undefined ? {} : { sprite }),
    sources: { ...sources, ...own.sources },
    layers: [...layers, ...own.layers.filter((l) => l.type !== 'background')],
  }
}

function resolveSourceUrls(source: SourceSpecification, base: string): SourceSpecification {
  const resolved: Record<string, unknown> = { ...source }
  if ('url' in source && typeof source.url === 'string') resolved.url = absoluteUrl(source.url, base)
  if ('tiles' in source && Array.isArray(source.tiles)) resolved.tiles = source.tiles.map((t) => absoluteUrl(t, base))
  if ('data' in source && typeof source.data === 'string') resolved.data = absoluteUrl(source.data, base)
  if ('urls' in source && Array.isArray(source.urls)) resolved.urls = source.urls.map((u) => absoluteUrl(u, base))
  return resolved as unknown as SourceSpecification
}

/** A URL (or URL template: `{z}`, `{fontstack}`…) made absolute; absolute ones (any scheme) unchanged. */
function absoluteUrl(url: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url
  // URL() percent-encodes the template's braces: put them back.
  return new URL(url, base).href.replace(/%7B/gi, '{').replace(/%7D/gi, '}')
}
