/**
 * The catalogue of open-data collections, built once: for each, the SQL it reads from (table,
 * joins), its feature id, geometry, published properties and the properties a client may filter
 * on (queryables). Everything here is a constant of the code — the request only ever chooses a
 * collection id and values, which are bound — in the manner of pg_featureserv's catalogue and the
 * tile catalogue (api/tiles/tile-source.ts). The OGC API, the downloads, the DCAT catalogue and the
 * OpenAPI document are all derived from this list. Only public attributes are listed: no device
 * names or network identities, nothing about people.
 */

export type PropertyType = 'string' | 'integer' | 'number' | 'boolean' | 'date-time'

export interface CollectionProperty {
  /** Name in GeoJSON properties and CSV headers. */
  readonly name: string
  /** SQL expression over the collection's aliases (a constant, never from input). */
  readonly expr: string
  readonly type: PropertyType
  readonly description: string
  /** Equality filter allowed: `?name=value` on the items. */
  readonly queryable?: boolean
}

export interface Collection {
  /** Path segment: /ogc/collections/{id}, /download/{id}.csv */
  readonly id: string
  readonly title: string
  readonly description: string
  readonly keywords: readonly string[]
  /** The layer_version row whose changed_at dates an import (dct:modified). */
  readonly layer: string
  readonly attribution: string
  /** FROM clause with aliases. */
  readonly from: string
  /** Unique text key: the feature id, and the order of paging. */
  readonly key: string
  /** EPSG:4326 geometry (CRS84 axis order: longitude, latitude). */
  readonly geometry: string
  readonly geometryType: 'MultiPolygon' | 'Point'
  /**
   * Who may read it: `public` collections are open data, the same for everyone (listed in the
   * DCAT catalogue); `staff` ones need a signed-in staff member and hold the caller's scope only.
   */
  readonly access: 'public' | 'staff'
  /** SIREN of the EPCI a feature belongs to: the caller's scope filters on it. */
  readonly scope: string
  /** INSEE code of its commune and id of its building, for scopes that list them (energy managers). */
  readonly scopeCommune?: string
  readonly scopeBuilding?: string
  /** A timestamptz the `datetime` parameter filters on, and the temporal extent; null: none. */
  readonly temporal: string | null
  /** Boolean expression true for synthetic rows; null: real data only. */
  readonly synthetic: string | null
  readonly properties: readonly CollectionProperty[]
}

const ADMIN_EXPRESS = 'Contours : IGN Admin Express COG 2018 — EPCI et communes : INSEE/DGCL COG 2026 (Licence Ouverte)'
const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

export const COLLECTIONS: readonly Collection[] = [
  {
    id: 'epci',
    title: 'EPCI à fiscalité propre',
    description: 'Établissements publics de coopération intercommunale à fiscalité propre du territoire, avec leur contour (union des communes membres chargées).',
    keywords: ['EPCI', 'intercommunalité', 'limites administratives'],
    layer: 'epci',
    attribution: ADMIN_EXPRESS,
    from: 'epci e',
    key: 'e.siren',
    geometry: 'e.geom',
    geometryType: 'MultiPolygon',
    access: 'public',
    scope: 'e.siren',
    temporal: null,
    synthetic: null,
    properties: [
      { name: 'siren', expr: 'e.siren', type: 'string', description: 'SIREN de l’EPCI', queryable: true },
      { name: 'nom', expr: 'e.nom', type: 'string', description: 'Nom', queryable: true },
      { name: 'nature', expr: 'e.nature', type: 'string', description: 'Nature juridique (CA, CC, CU, MET)', queryable: true },
      { name: 'population', expr: 'e.population', type: 'integer', description: 'Population totale (INSEE)' },
      { name: 'membres_total', expr: 'e.members_total', type: 'integer', description: 'Nombre de communes membres' },
    ],
  },
  {
    id: 'communes',
    title: 'Communes',
    description: 'Communes du territoire (code officiel géographique en vigueur), leur EPCI et leur contour.',
    keywords: ['communes', 'limites administratives', 'COG'],
    layer: 'communes',
    attribution: ADMIN_EXPRESS,
    from: 'commune c',
    key: 'c.insee',
    geometry: 'c.geom',
    geometryType: 'MultiPolygon',
    access: 'public',
    scope: 'c.epci_siren',
    temporal: null,
    synthetic: null,
    properties: [
      { name: 'code', expr: 'c.insee', type: 'string', description: 'Code INSEE de la commune', queryable: true },
      { name: 'nom', expr: 'c.nom', type: 'string', description: 'Nom', queryable: true },
      { name: 'epci', expr: 'c.epci_siren', type: 'string', description: 'SIREN de l’EPCI', queryable: true },
      { name: 'departement', expr: 'c.departement', type: 'string', description: 'Code du département', queryable: true },
      { name: 'population', expr: 'c.population', type: 'integer', description: 'Population municipale (INSEE)' },
    ],
  },
  {
    id: 'parcels',
    title: 'Parcelles cadastrales',
    description: 'Parcelles du cadastre (format Etalab) chargées dans le hub.',
    keywords: ['cadastre', 'parcelles', 'foncier'],
    layer: 'parcels',
    attribution: 'Cadastre : DGFiP, Etalab (Licence Ouverte)',
    from: 'parcel p LEFT JOIN commune pc ON pc.insee = p.commune',
    key: 'p.id',
    geometry: 'p.geom',
    geometryType: 'MultiPolygon',
    access: 'public',
    scope: 'pc.epci_siren',
    temporal: null,
    synthetic: null,
    properties: [
      { name: 'id', expr: 'p.id', type: 'string', description: 'Identifiant de la parcelle (14 caractères)' },
      { name: 'commune', expr: 'p.commune', type: 'string', description: 'Code INSEE de la commune', queryable: true },
      { name: 'prefixe', expr: 'p.prefixe', type: 'string', description: 'Préfixe de section (commune absorbée)', queryable: true },
      { name: 'section', expr: 'p.section', type: 'string', description: 'Section cadastrale', queryable: true },
      { name: 'numero', expr: 'p.numero', type: 'string', description: 'Numéro de la parcelle', queryable: true },
      { name: 'contenance_m2', expr: 'p.contenance', type: 'integer', description: 'Contenance cadastrale (m²)' },
    ],
  },
  {
    id: 'buildings',
    title: 'Bâtiments publics',
    description: 'Bâtiments publics suivis par le hub (mairies, écoles, équipements) : usage, surface, année de construction, commune.',
    keywords: ['bâtiments publics', 'patrimoine', 'énergie'],
    layer: 'buildings',
    attribution: 'Bâtiments : collectivités du territoire (démonstration : données synthétiques)',
    from: 'building b JOIN commune bc ON bc.insee = b.commune_insee',
    key: 'b.id',
    geometry: 'b.geom',
    geometryType: 'MultiPolygon',
    access: 'public',
    scope: 'bc.epci_siren',
    temporal: null,
    synthetic: 'b.synthetic',
    properties: [
      { name: 'id', expr: 'b.id', type: 'string', description: 'Identifiant du bâtiment' },
      { name: 'nom', expr: 'b.nom', type: 'string', description: 'Nom du bâtiment' },
      { name: 'usage', expr: 'b.usage', type: 'string', description: 'Usage (mairie, ecole, …)', queryable: true },
      { name: 'surface_m2', expr: 'b.floor_area_m2', type: 'number', description: 'Surface de plancher (m²)' },
      { name: 'annee_construction', expr: 'b.construction_year', type: 'integer', description: 'Année de construction' },
      { name: 'commune', expr: 'b.commune_insee', type: 'string', description: 'Code INSEE de la commune', queryable: true },
      { name: 'epci', expr: 'bc.epci_siren', type: 'string', description: 'SIREN de l’EPCI', queryable: true },
      { name: 'parcelle', expr: 'b.parcel_id', type: 'string', description: 'Identifiant de la parcelle cadastrale' },
      { name: 'synthetic', expr: 'b.synthetic', type: 'boolean', description: 'Donnée synthétique (démonstration)', queryable: true },
    ],
  },
  {
    id: 'sensors',
    title: 'Capteurs et dernières mesures',
    description: 'Capteurs installés dans les bâtiments publics : grandeur mesurée, unité, emplacement du boîtier, dernière valeur et son heure.',
    keywords: ['capteurs', 'IoT', 'mesures', 'qualité de l’air', 'énergie'],
    layer: 'sensors',
    attribution: 'Mesures : capteurs du territoire (démonstration : données synthétiques)',
    // sensor_latest is a view on the newest hourly rollup: one index probe per sensor, never raw readings.
    from: 'sensor s JOIN device d ON d.id = s.device_id LEFT JOIN commune dc ON dc.insee = d.commune_insee LEFT JOIN sensor_latest l ON l.sid = s.sid',
    key: 's.id',
    geometry: 'd.geom',
    geometryType: 'Point',
    // Staff only: a sensor's latest value and its time (CO₂, temperature) tell whether a building is
    // occupied right now. Its daily aggregates stay open (/download/readings/daily).
    access: 'staff',
    scope: 'dc.epci_siren',
    scopeCommune: 'd.commune_insee',
    scopeBuilding: 'd.building_id',
    temporal: 'l.ts',
    synthetic: 'd.synthetic',
    properties: [
      { name: 'id', expr: 's.id', type: 'string', description: 'Identifiant du capteur' },
      { name: 'grandeur', expr: 's.quantity', type: 'string', description: 'Grandeur mesurée (temperature, co2, energy_index, …)', queryable: true },
      { name: 'unite', expr: 's.unit', type: 'string', description: 'Unité SenML (RFC 8428 / RFC 8798 : Cel, ppm, kWh, …)', queryable: true },
      { name: 'type', expr: 's.kind', type: 'string', description: 'gauge (valeur instantanée) ou counter (index cumulé)', queryable: true },
      { name: 'boitier', expr: 's.device_id', type: 'string', description: 'Identifiant du boîtier', queryable: true },
      { name: 'batiment', expr: 'd.building_id', type: 'string', description: 'Identifiant du bâtiment', queryable: true },
      { name: 'commune', expr: 'd.commune_insee', type: 'string', description: 'Code INSEE de la commune', queryable: true },
      { name: 'epci', expr: 'dc.epci_siren', type: 'string', description: 'SIREN de l’EPCI', queryable: true },
      { name: 'derniere_valeur', expr: 'l.value', type: 'number', description: 'Dernière valeur reçue, dans l’unité du capteur' },
      { name: 'derniere_heure', expr: utc('l.ts'), type: 'date-time', description: 'Heure de la dernière valeur (UTC)' },
      { name: 'synthetic', expr: 'd.synthetic', type: 'boolean', description: 'Donnée synthétique (démonstration)', queryable: true },
    ],
  },
]

export function findCollection(id: string): Collection | undefined {
  return COLLECTIONS.find((c) => c.id === id)
}

export function queryables(collection: Collection): readonly CollectionProperty[] {
  return collection.properties.filter((p) => p.queryable)
}
