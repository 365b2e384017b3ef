/**
 * The four Etalab cadastre layers (cadastre.data.gouv.fr, data README §6): parcelles, batiments,
 * sections, lieux_dits. Each is written through a staging table (cadastre-load.ts): batches
 * travel as one JSON document each (json_to_recordset: one bound parameter, parsed natively on
 * both sides), geometries are checked with ST_IsValid and repaired with ST_MakeValid only when
 * invalid (polygonal parts kept, as MultiPolygon); at the end of the file the rows are written
 * once, upserted on their key so that importing again updates.
 *
 * Keys: parcels by their 14-character id (given, or commune + prefixe + section padded to 2 +
 * numero padded to 4); sections by their 10-character id (commune + prefixe + code padded to 2).
 * Buildings and lieux-dits have no id upstream: their key is the commune and the md5 of the
 * stored geometry's WKB. The WKB of the repaired MultiPolygon is canonical (the same doubles give
 * the same bytes, whatever the JSON's number formatting), so the same feature imported again
 * finds its row; a building redrawn upstream gets a new key, and its old row is removed with the
 * other rows of the commune the file no longer holds (`StagedLoad.finish`).
 */
import type { FeatureKind } from './feature-kind.ts'
import { cadastreLoad, type CadastreTable } from './cadastre-load.ts'
import {
  COMMUNE_CODE,
  FeatureRejection,
  optionalBoolean,
  optionalDate,
  optionalInteger,
  optionalText,
  requiredText,
  type Properties,
} from './feature-properties.ts'

function cadastreKind<Row extends { commune: string }>(
  name: string,
  title: string,
  layers: readonly string[],
  table: CadastreTable,
  row: (p: Properties, featureId: unknown) => Row,
): FeatureKind<Row> {
  const key = table.computedKey ? {} : { key: (r: Row) => (r as unknown as Record<string, string>)[table.keyColumn]! }
  return { name, title, layers, row, commune: (r) => r.commune, ...key, staged: cadastreLoad<Row>(table) }
}

const DATES = 'created date, updated date'

export interface ParcelRow {
  readonly id: string
  readonly commune: string
  readonly prefixe: string
  readonly section: string
  readonly numero: string
  readonly contenance: number | null
  readonly arpente: boolean | null
  readonly created: string | null
  readonly updated: string | null
}

export const parcelsKind = cadastreKind<ParcelRow>(
  'parcelles',
  'Parcelles cadastrales (Etalab)',
  ['parcels'],
  {
    table: 'parcel',
    record: `id text, commune text, prefixe text, section text, numero text, contenance int, arpente boolean, ${DATES}`,
    columns: ['id', 'commune', 'prefixe', 'section', 'numero', 'contenance', 'arpente', 'created', 'updated'],
    key: 'id',
    keyColumn: 'id',
    computedKey: false,
  },
  (p, featureId) => {
    const given = optionalText(p, 'id', /^[0-9A-Z]{14}$/) ?? (typeof featureId === 'string' && /^[0-9A-Z]{14}$/.test(featureId) ? featureId : null)
    const commune = requiredText(p, 'commune', COMMUNE_CODE)
    const prefixe = optionalText(p, 'prefixe', /^[0-9]{3}$/) ?? given?.slice(5, 8) ?? requiredText(p, 'prefixe')
    const section = requiredText(p, 'section', /^[0-9A-Z]{1,2}$/)
    const numero = requiredText(p, 'numero', /^[0-9]{1,4}$/)
    const id = given ?? `${commune}${prefixe}${section.padStart(2, '0')}${numero.padStart(4, '0')}`
    return {
      id,
      commune,
      prefixe,
      section,
      numero,
      contenance: optionalInteger(p, 'contenance', 0, 2_000_000_000),
      arpente: optionalBoolean(p, 'arpente'),
      created: optionalDate(p, 'created'),
      updated: optionalDate(p, 'updated'),
    }
  },
)

export interface SectionRow {
  readonly id: string
  readonly commune: string
  readonly prefixe: string
  readonly code: string
  readonly created: string | null
  readonly updated: string | null
}

export const sectionsKind = cadastreKind<SectionRow>(
  'sections',
  'Sections cadastrales (Etalab)',
  ['sections'],
  {
    table: 'cadastral_section',
    record: `id text, commune text, prefixe text, code text, ${DATES}`,
    columns: ['id', 'commune', 'prefixe', 'code', 'created', 'updated'],
    key: 'id',
    keyColumn: 'id',
    computedKey: false,
  },
  (p) => {
    const commune = requiredText(p, 'commune', COMMUNE_CODE)
    const prefixe = requiredText(p, 'prefixe', /^[0-9]{3}$/)
    const code = requiredText(p, 'code', /^[0-9A-Z]{1,2}$/)
    const id = optionalText(p, 'id', /^[0-9A-Z]{10}$/) ?? `${commune}${prefixe}${code.padStart(2, '0')}`
    return { id, commune, prefixe, code, created: optionalDate(p, 'created'), updated: optionalDate(p, 'updated') }
  },
)

const GEOMETRY_KEY = `commune || ':' || md5(ST_AsBinary(geom))`

export interface LieuDitRow {
  readonly commune: string
  readonly nom: string | null
  readonly created: string | null
  readonly updated: string | null
}

export const lieuxDitsKind = cadastreKind<LieuDitRow>(
  'lieux_dits',
  'Lieux-dits (Etalab)',
  ['lieux-dits'],
  {
    table: 'lieu_dit',
    record: `commune text, nom text, ${DATES}`,
    columns: ['commune', 'nom', 'created', 'updated'],
    key: GEOMETRY_KEY,
    keyColumn: 'key',
    computedKey: true,
  },
  (p) => ({
    commune: requiredText(p, 'commune', COMMUNE_CODE),
    nom: optionalText(p, 'nom'),
    created: optionalDate(p, 'created'),
    updated: optionalDate(p, 'updated'),
  }),
)

export interface CadastralBuildingRow {
  readonly commune: string
  readonly type: string | null
  readonly nom: string | null
  readonly created: string | null
  readonly updated: string | null
}

export const cadastralBuildingsKind = cadastreKind<CadastralBuildingRow>(
  'batiments',
  'Bâtiments du cadastre (Etalab)',
  ['cadastral-buildings'],
  {
    table: 'cadastral_building',
    record: `commune text, type text, nom text, ${DATES}`,
    columns: ['commune', 'type', 'nom', 'created', 'updated'],
    key: GEOMETRY_KEY,
    keyColumn: 'key',
    computedKey: true,
  },
  (p) => {
    const type = optionalText(p, 'type')
    if (type !== null && type !== '01' && type !== '02') throw new FeatureRejection('invalid_property', `"type" must be "01" (bâti dur) or "02" (bâti léger) (${JSON.stringify(type)})`)
    return {
      commune: requiredText(p, 'commune', COMMUNE_CODE),
      type,
      nom: optionalText(p, 'nom'),
      created: optionalDate(p, 'created'),
      updated: optionalDate(p, 'updated'),
    }
  },
)
