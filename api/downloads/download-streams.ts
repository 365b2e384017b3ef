/**
 * The downloads as lazy sequences of text chunks, one page of rows each: a collection as CSV or
 * GeoJSON, daily aggregates per sensor or per building as CSV or GeoJSON. The next page is asked
 * of the database only when the previous chunk has been taken (stream-chunks.ts waits for the
 * socket to drain before taking it).
 */
import type { Kysely } from 'kysely'
import type { Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { featuresAfter, type Collection, type FeatureFilter } from '../ogc/index.ts'
import { csvLine, type CsvDialect, type CsvValue } from './csv-dialect.ts'
import { buildingDaysAfter, sensorDaysAfter, type BuildingDay, type DayRange, type SensorDay } from './daily-queries.ts'

/** Rows per database round trip. */
export const DOWNLOAD_PAGE_ROWS = 500

export type DownloadFormat = 'csv' | 'geojson'

/** A source of rows, page after page, each row with a GeoJSON geometry text and its CSV/properties values. */
interface RowSource<Row> {
  readonly columns: readonly string[]
  values(row: Row): readonly CsvValue[]
  geometry(row: Row): string | null
  id?(row: Row): string
  pages(): AsyncIterable<readonly Row[]>
}

async function* paged<Row, Key>(fetch: (after: Key | null) => Promise<readonly Row[]>, keyOf: (row: Row) => Key): AsyncIterable<readonly Row[]> {
  let after: Key | null = null
  for (;;) {
    const rows = await fetch(after)
    if (rows.length > 0) yield rows
    if (rows.length < DOWNLOAD_PAGE_ROWS) return
    after = keyOf(rows.at(-1)!)
  }
}

export async function* render<Row>(source: RowSource<Row>, format: DownloadFormat, dialect: CsvDialect): AsyncIterable<string> {
  if (format === 'csv') {
    yield dialect.preamble + csvLine(source.columns, dialect)
    for await (const rows of source.pages()) yield rows.map((row) => csvLine(source.values(row), dialect)).join('')
    return
  }
  yield '{"type":"FeatureCollection","features":['
  let first = true
  for await (const rows of source.pages()) {
    const features = rows.map((row) => {
      const properties: Record<string, CsvValue> = {}
      const values = source.values(row)
      source.columns.forEach((name, i) => (properties[name] = values[i] ?? null))
      const id = source.id ? `"id":${JSON.stringify(source.id(row))},` : ''
      return `{"type":"Feature",${id}"geometry":${source.geometry(row) ?? 'null'},"properties":${JSON.stringify(properties)}}`
    })
    yield (first ? '' : ',') + features.join(',')
    first = false
  }
  yield ']}'
}

/** A collection: its published properties, and in CSV a representative point (longitude, latitude). */
export function collectionSource(db: Kysely<Schema>, collection: Collection, filter: FeatureFilter, scope: Scope, format: DownloadFormat) {
  type Row = Awaited<ReturnType<typeof featuresAfter>>[number]
  const names = collection.properties.map((p) => p.name)
  return {
    columns: format === 'csv' ? [...names, 'longitude', 'latitude'] : names,
    values: (row: Row) => {
      const properties = JSON.parse(row.properties) as Record<string, CsvValue>
      const values = names.map((name) => properties[name])
      return format === 'csv' ? [...values, row.longitude, row.latitude] : values
    },
    geometry: (row: Row) => row.geometry,
    id: (row: Row) => row.id,
    pages: () => paged((after: string | null) => featuresAfter(db, collection, filter, scope, after, DOWNLOAD_PAGE_ROWS), (row) => row.id),
  } satisfies RowSource<Row>
}

export const SENSOR_DAY_COLUMNS = [
  'jour', 'capteur', 'grandeur', 'unite', 'n', 'moyenne', 'min', 'max', 'somme',
  'premiere_heure', 'premiere_valeur', 'derniere_heure', 'derniere_valeur', 'augmentation',
] as const

export function sensorDaysSource(db: Kysely<Schema>, scope: Scope, sid: number | null, range: DayRange) {
  return {
    columns: SENSOR_DAY_COLUMNS,
    values: (r: SensorDay) => [r.day, r.sensor, r.quantity, r.unit, r.n, r.mean, r.min, r.max, r.sum, r.first_time, r.first_value, r.last_time, r.last_value, r.increase],
    geometry: (r: SensorDay) => r.geometry,
    pages: () => paged((after: { key: number; day: string } | null) => sensorDaysAfter(db, scope, sid, range, after, DOWNLOAD_PAGE_ROWS), (r) => ({ key: r.key, day: r.day })),
  } satisfies RowSource<SensorDay>
}

export const BUILDING_DAY_COLUMNS = ['jour', 'batiment', 'grandeur', 'unite', 'capteurs', 'n', 'moyenne', 'min', 'max', 'augmentation'] as const

export function buildingDaysSource(db: Kysely<Schema>, building: string, range: DayRange) {
  return {
    columns: BUILDING_DAY_COLUMNS,
    values: (r: BuildingDay) => [r.day, r.building, r.quantity, r.unit, r.sensors, r.n, r.mean, r.min, r.max, r.increase],
    geometry: (r: BuildingDay) => r.geometry,
    pages: () =>
      paged(
        (after: { day: string; quantity: string; unit: string } | null) => buildingDaysAfter(db, building, range, after, DOWNLOAD_PAGE_ROWS),
        (r) => ({ day: r.day, quantity: r.quantity, unit: r.unit }),
      ),
  } satisfies RowSource<BuildingDay>
}
