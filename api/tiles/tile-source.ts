/**
 * The catalogue of vector-tile sources, registered at start. As in Martin, a source is either a
 * table (one table, its geometry and columns) or a query (a FROM clause with joins or lateral
 * subqueries, like Martin's function sources): either way its SQL is written here, from the
 * schema, and built once (tile-sql.ts); nothing in it ever comes from a request. Each source says
 *  - where its rows come from (`from`), the EPSG:3857 geometry tiles are cut from, and an
 *    index-friendly filter that keeps the rows near the tile;
 *  - the SIREN of the EPCI each row belongs to, which the caller's scope filters on;
 *  - its published properties (SQL expressions over the FROM clause's aliases);
 *  - how it is simplified, whether it follows the readings (live), and when a row's attributes
 *    change by themselves (a sensor turning silent) so that a cached tile expires then.
 */
import pg from 'pg'

export type FieldType = 'String' | 'Number' | 'Boolean'

export interface TileProperty {
  /** Attribute name in the tile. */
  readonly name: string
  /** SQL expression over the source's FROM clause. */
  readonly expression: string
  readonly type: FieldType
  readonly description: string
}

/**
 * Names the source's SQL may use besides its own aliases: `tile.area` is the tile's envelope
 * widened by the buffer (EPSG:3857), `tile.area_4326` the same in EPSG:4326.
 */
export const TILE_AREA = 'tile.area'
export const TILE_AREA_4326 = 'tile.area_4326'

export interface TileSource {
  readonly id: string
  readonly description: string
  readonly attribution: string
  readonly minzoom: number
  readonly maxzoom: number
  readonly geometryType: 'polygon' | 'point'
  /** FROM clause (tables, joins, lateral subqueries), written from the schema. */
  readonly from: string
  /** EPSG:3857 geometry expression the tiles are cut from. */
  readonly tileGeometry: string
  /** Keeps the rows that may touch the tile, through a spatial index where there is one. */
  readonly tileFilter: string
  /** EPSG:4326 geometry expression the TileJSON bounds are computed from. */
  readonly geometry: string
  /**
   * Who may fetch it: `public` layers (boundaries, cadastre) are open to anyone and the same for
   * all; `staff` layers (public buildings' live indicators, sensors) need a signed-in staff
   * member and show only the rows of the caller's scope.
   */
  readonly access: 'public' | 'staff'
  /** SIREN of the EPCI a row belongs to (null: outside the loaded territory, seen only by `all`). */
  readonly scope: string
  /** INSEE code of the row's commune, and id of its building, for scopes that list them (energy managers). */
  readonly scopeCommune?: string
  readonly scopeBuilding?: string
  readonly properties: readonly TileProperty[]
  /**
   * From this zoom on, polygons are drawn exactly (the cadastre's legal boundaries); below it,
   * they are simplified to half a screen pixel. Null: simplified at every zoom. Points never are.
   */
  readonly exactFromZoom: number | null
  /** Follows the readings (LIVE_LAYERS of sql/layer-versions.ts): answered `Cache-Control: no-cache`. */
  readonly live: boolean
  /**
   * Per row, when its attributes change without any write (a sensor heard recently turns
   * `silent` two hours after its last reading): a cached tile expires at the earliest of them.
   */
  readonly changesAt?: string
}

const id = (name: string) => pg.escapeIdentifier(name)

/** A table source: one table, its geometry columns and its columns (identifiers escaped). */
function tableSource(options: {
  readonly id: string
  readonly description: string
  readonly attribution: string
  readonly minzoom: number
  readonly maxzoom: number
  readonly table: string
  readonly tileGeometry: string
  readonly geometry: string
  /** Column of the EPCI's SIREN, or a join to `commune` through the table's INSEE code column. */
  readonly scope: { readonly column: string } | { readonly communeColumn: string }
  readonly exactFromZoom: number | null
  readonly properties: ReadonlyArray<Omit<TileProperty, 'expression'> & { readonly column: string }>
}): TileSource {
  const t = (column: string) => `t.${id(column)}`
  const viaCommune = 'communeColumn' in options.scope
  return {
    id: options.id,
    description: options.description,
    attribution: options.attribution,
    minzoom: options.minzoom,
    maxzoom: options.maxzoom,
    geometryType: 'polygon',
    // A LEFT JOIN: a cadastre may cover communes outside the loaded territory (seen by `all` only).
    // With the scope `all` the planner removes the join (commune's key is unique, nothing read from it).
    from: `${id(options.table)} AS t${'communeColumn' in options.scope ? ` LEFT JOIN commune AS c ON c.insee = ${t(options.scope.communeColumn)}` : ''}`,
    tileGeometry: t(options.tileGeometry),
    tileFilter: `${t(options.tileGeometry)} && ${TILE_AREA}`,
    geometry: t(options.geometry),
    access: 'public',
    scope: viaCommune ? 'c.epci_siren' : t((options.scope as { column: string }).column),
    exactFromZoom: options.exactFromZoom,
    live: false,
    properties: options.properties.map(({ column, ...p }) => ({ ...p, expression: t(column) })),
  }
}

/** ISO 8601 UTC text of a timestamp (MVT has no date type; the same text from both encoders). */
const isoTime = (expression: string) => `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

/** A sensor is `ok` when heard within this interval, `silent` past it, `never` without reading. */
export const SENSOR_SILENT_AFTER = '2 hours'

const ADMIN_EXPRESS = 'Contours : IGN Admin Express COG 2018, Licence Ouverte — EPCI et communes : INSEE/DGCL COG 2026'
const CADASTRE = 'Cadastre : DGFiP / Etalab (cadastre.data.gouv.fr), Licence Ouverte'
const ASSETS = 'Bâtiments publics et capteurs : Territoire (données de démonstration synthétiques quand indiqué)'

/**
 * Each public building's latest indicators, one lateral probe per building kept by the tile
 * filter: its sensors (through device), and the latest temperature and CO₂ from `sensor_latest`
 * (the newest hourly rollup row of each sensor, by primary key: never a scan of raw readings).
 * With several sensors of a quantity, the most recent reading wins.
 * Energy intensity (kWh/m²/year) joins here in a later issue, as one more lateral column from the
 * daily rollups of the building's energy sensors, published as `energy_intensity`.
 */
const BUILDING_INDICATORS = `
  LEFT JOIN LATERAL (
    SELECT count(*)::int AS sensors,
           (array_agg(l.value ORDER BY l.ts DESC) FILTER (WHERE s.quantity = 'temperature' AND l.ts IS NOT NULL))[1] AS temperature,
           max(l.ts) FILTER (WHERE s.quantity = 'temperature') AS temperature_at,
           (array_agg(l.value ORDER BY l.ts DESC) FILTER (WHERE s.quantity = 'co2' AND l.ts IS NOT NULL))[1] AS co2,
           max(l.ts) FILTER (WHERE s.quantity = 'co2') AS co2_at
    FROM device AS d
    JOIN sensor AS s ON s.device_id = d.id
    LEFT JOIN LATERAL (SELECT sl.ts, sl.value FROM sensor_latest AS sl WHERE sl.sid = s.sid) AS l ON true
    WHERE d.building_id = b.id
  ) AS i ON true`

/** Where a sensor is drawn: its device's location, else its building's centroid. */
const SENSOR_PLACE_4326 = 'COALESCE(d.geom, ST_Centroid(b.geom))'

export const TILE_SOURCES: readonly TileSource[] = [
  tableSource({
    id: 'epci',
    description: 'EPCI à fiscalité propre (contour : union des communes membres chargées)',
    attribution: ADMIN_EXPRESS,
    minzoom: 0,
    maxzoom: 14,
    table: 'epci',
    tileGeometry: 'geom_3857',
    geometry: 'geom',
    scope: { column: 'siren' },
    exactFromZoom: null,
    properties: [
      { name: 'siren', column: 'siren', type: 'String', description: 'SIREN de l’EPCI' },
      { name: 'nom', column: 'nom', type: 'String', description: 'Nom' },
      { name: 'nature', column: 'nature', type: 'String', description: 'Nature juridique (CA, CC, CU, MET)' },
      { name: 'population', column: 'population', type: 'Number', description: 'Population totale (INSEE)' },
    ],
  }),
  tableSource({
    id: 'communes',
    description: 'Communes (COG en vigueur) et leur EPCI',
    attribution: ADMIN_EXPRESS,
    minzoom: 0,
    maxzoom: 16,
    table: 'commune',
    tileGeometry: 'geom_3857',
    geometry: 'geom',
    scope: { column: 'epci_siren' },
    exactFromZoom: null,
    properties: [
      { name: 'code', column: 'insee', type: 'String', description: 'Code INSEE de la commune' },
      { name: 'nom', column: 'nom', type: 'String', description: 'Nom' },
      { name: 'epci', column: 'epci_siren', type: 'String', description: 'SIREN de l’EPCI' },
      { name: 'population', column: 'population', type: 'Number', description: 'Population municipale (INSEE)' },
    ],
  }),
  tableSource({
    id: 'parcels',
    description: 'Parcelles cadastrales',
    attribution: CADASTRE,
    // A zoom-12 tile (≈ 6 km across here, 12 m a screen pixel) holds a town's parcels, each 2 to
    // 3 pixels wide: the texture of the built-up area, simplified to half a pixel; below, a
    // parcel is about a pixel. Clients overzoom past 18 (the 4096 grid is 4 cm there).
    minzoom: 12,
    maxzoom: 18,
    table: 'parcel',
    tileGeometry: 'geom_3857',
    geometry: 'geom',
    scope: { communeColumn: 'commune' },
    exactFromZoom: 17,
    properties: [
      { name: 'id', column: 'id', type: 'String', description: 'Identifiant de la parcelle (14 caractères)' },
      { name: 'commune', column: 'commune', type: 'String', description: 'Code INSEE de la commune' },
      { name: 'prefixe', column: 'prefixe', type: 'String', description: 'Préfixe de section (ancienne commune)' },
      { name: 'section', column: 'section', type: 'String', description: 'Section cadastrale' },
      { name: 'numero', column: 'numero', type: 'String', description: 'Numéro de la parcelle' },
      { name: 'contenance', column: 'contenance', type: 'Number', description: 'Contenance (m²)' },
    ],
  }),
  tableSource({
    id: 'cadastral-buildings',
    description: 'Bâti cadastral (01 dur, 02 léger)',
    attribution: CADASTRE,
    minzoom: 14,
    maxzoom: 18,
    table: 'cadastral_building',
    tileGeometry: 'geom_3857',
    geometry: 'geom',
    scope: { communeColumn: 'commune' },
    exactFromZoom: 17,
    properties: [
      { name: 'id', column: 'id', type: 'Number', description: 'Identifiant interne (le cadastre n’en donne pas)' },
      { name: 'commune', column: 'commune', type: 'String', description: 'Code INSEE de la commune' },
      { name: 'type', column: 'type', type: 'String', description: '01 bâti dur, 02 bâti léger' },
      { name: 'nom', column: 'nom', type: 'String', description: 'Nom' },
    ],
  }),
  {
    id: 'buildings',
    description: 'Bâtiments publics et leurs derniers indicateurs (capteurs, température, CO₂)',
    attribution: ASSETS,
    minzoom: 10,
    maxzoom: 18,
    geometryType: 'polygon',
    from: `building AS b LEFT JOIN commune AS c ON c.insee = b.commune_insee ${BUILDING_INDICATORS}`,
    tileGeometry: 'b.geom_3857',
    tileFilter: `b.geom_3857 && ${TILE_AREA}`,
    geometry: 'b.geom',
    access: 'staff',
    scope: 'c.epci_siren',
    scopeCommune: 'b.commune_insee',
    scopeBuilding: 'b.id',
    exactFromZoom: 17,
    live: true,
    properties: [
      { name: 'id', expression: 'b.id', type: 'String', description: 'Identifiant du bâtiment' },
      { name: 'nom', expression: 'b.nom', type: 'String', description: 'Nom' },
      { name: 'usage', expression: 'b.usage', type: 'String', description: 'Usage (mairie, ecole, gymnase, …)' },
      { name: 'floor_area_m2', expression: 'b.floor_area_m2', type: 'Number', description: 'Surface de plancher (m²)' },
      { name: 'construction_year', expression: 'b.construction_year', type: 'Number', description: 'Année de construction' },
      { name: 'commune', expression: 'b.commune_insee', type: 'String', description: 'Code INSEE de la commune' },
      { name: 'epci', expression: 'c.epci_siren', type: 'String', description: 'SIREN de l’EPCI' },
      { name: 'synthetic', expression: 'b.synthetic', type: 'Boolean', description: 'Donnée de démonstration synthétique' },
      { name: 'sensors', expression: 'i.sensors', type: 'Number', description: 'Nombre de capteurs' },
      { name: 'temperature', expression: 'i.temperature', type: 'Number', description: 'Dernière température (°C)' },
      { name: 'temperature_at', expression: isoTime('i.temperature_at'), type: 'String', description: 'Heure de la dernière température (ISO 8601, UTC)' },
      { name: 'co2', expression: 'i.co2', type: 'Number', description: 'Dernier CO₂ (ppm)' },
      { name: 'co2_at', expression: isoTime('i.co2_at'), type: 'String', description: 'Heure du dernier CO₂ (ISO 8601, UTC)' },
    ],
  },
  {
    id: 'sensors',
    description: 'Capteurs et leur dernière valeur (statut ok : entendu depuis moins de 2 h, silent, never)',
    attribution: ASSETS,
    minzoom: 10,
    maxzoom: 18,
    geometryType: 'point',
    from: `sensor AS s
      JOIN device AS d ON d.id = s.device_id
      LEFT JOIN building AS b ON b.id = d.building_id
      LEFT JOIN commune AS c ON c.insee = COALESCE(d.commune_insee, b.commune_insee)
      LEFT JOIN LATERAL (SELECT sl.ts, sl.value FROM sensor_latest AS sl WHERE sl.sid = s.sid) AS l ON true`,
    tileGeometry: `ST_Transform(${SENSOR_PLACE_4326}, 3857)`,
    // Devices are few (thousands): compared in EPSG:4326 with the tile's area, transformed once.
    tileFilter: `${SENSOR_PLACE_4326} && ${TILE_AREA_4326}`,
    geometry: SENSOR_PLACE_4326,
    access: 'staff',
    scope: 'c.epci_siren',
    scopeCommune: 'c.insee',
    scopeBuilding: 'd.building_id',
    exactFromZoom: null,
    live: true,
    changesAt: `CASE WHEN l.ts >= now() - interval '${SENSOR_SILENT_AFTER}' THEN l.ts + interval '${SENSOR_SILENT_AFTER}' END`,
    properties: [
      { name: 'id', expression: 's.id', type: 'String', description: 'Identifiant du capteur' },
      { name: 'device', expression: 'd.id', type: 'String', description: 'Identifiant de l’appareil' },
      { name: 'building', expression: 'd.building_id', type: 'String', description: 'Identifiant du bâtiment' },
      { name: 'quantity', expression: 's.quantity', type: 'String', description: 'Grandeur (temperature, co2, humidity, energy_index, …)' },
      { name: 'unit', expression: 's.unit', type: 'String', description: 'Unité SenML (Cel, ppm, %RH, kWh, …)' },
      { name: 'value', expression: 'l.value', type: 'Number', description: 'Dernière valeur' },
      { name: 'at', expression: isoTime('l.ts'), type: 'String', description: 'Heure de la dernière valeur (ISO 8601, UTC)' },
      {
        name: 'status',
        expression: `CASE WHEN l.ts IS NULL THEN 'never' WHEN l.ts >= now() - interval '${SENSOR_SILENT_AFTER}' THEN 'ok' ELSE 'silent' END`,
        type: 'String',
        description: 'ok (entendu depuis moins de 2 h), silent, never (aucune mesure)',
      },
      { name: 'commune', expression: 'COALESCE(d.commune_insee, b.commune_insee)', type: 'String', description: 'Code INSEE de la commune' },
      { name: 'synthetic', expression: 'd.synthetic', type: 'Boolean', description: 'Donnée de démonstration synthétique' },
    ],
  },
]

export function findTileSource(id: string): TileSource | undefined {
  return TILE_SOURCES.find((source) => source.id === id)
}
