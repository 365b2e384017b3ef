/**
 * The catalogue of vector-tile sources. Each source names its table, geometry and published
 * properties from the schema (never from a request); its SQL is built once from this
 * description (tile-sql.ts). Later layers (parcels, buildings, sensors) join the catalogue here.
 */
export type FieldType = 'String' | 'Number' | 'Boolean'

export interface TileProperty {
  /** Attribute name in the tile. */
  readonly name: string
  /** Column of the source table. */
  readonly column: string
  readonly type: FieldType
  readonly description: string
}

export interface TileSource {
  readonly id: string
  readonly description: string
  readonly attribution: string
  readonly minzoom: number
  readonly maxzoom: number
  readonly geometryType: 'polygon' | 'point'
  readonly table: string
  /** EPSG:3857 geometry column the tiles are cut from. */
  readonly tileGeometry: string
  /** EPSG:4326 geometry column the TileJSON bounds are computed from. */
  readonly geometry: string
  /** Column holding the SIREN of the EPCI a feature belongs to: the caller's scope filters on it. */
  readonly scopeColumn: string
  readonly properties: readonly TileProperty[]
}

const ADMIN_EXPRESS = 'Contours : IGN Admin Express COG 2018, Licence Ouverte — EPCI et communes : INSEE/DGCL COG 2026'

export const TILE_SOURCES: readonly TileSource[] = [
  {
    id: 'epci',
    description: 'EPCI à fiscalité propre (contour : union des communes membres chargées)',
    attribution: ADMIN_EXPRESS,
    minzoom: 0,
    maxzoom: 14,
    geometryType: 'polygon',
    table: 'epci',
    tileGeometry: 'geom_3857',
    geometry: 'geom',
    scopeColumn: 'siren',
    properties: [
      { name: 'siren', column: 'siren', type: 'String', description: 'SIREN de l’EPCI' },
      { name: 'nom', column: 'nom', type: 'String', description: 'Nom' },
      { name: 'nature', column: 'nature', type: 'String', description: 'Nature juridique (CA, CC, CU, MET)' },
      { name: 'population', column: 'population', type: 'Number', description: 'Population totale (INSEE)' },
    ],
  },
  {
    id: 'communes',
    description: 'Communes (COG en vigueur) et leur EPCI',
    attribution: ADMIN_EXPRESS,
    minzoom: 0,
    maxzoom: 16,
    geometryType: 'polygon',
    table: 'commune',
    tileGeometry: 'geom_3857',
    geometry: 'geom',
    scopeColumn: 'epci_siren',
    properties: [
      { name: 'code', column: 'insee', type: 'String', description: 'Code INSEE de la commune' },
      { name: 'nom', column: 'nom', type: 'String', description: 'Nom' },
      { name: 'epci', column: 'epci_siren', type: 'String', description: 'SIREN de l’EPCI' },
      { name: 'population', column: 'population', type: 'Number', description: 'Population municipale (INSEE)' },
    ],
  },
]

export function findTileSource(id: string): TileSource | undefined {
  return TILE_SOURCES.find((source) => source.id === id)
}
