/**
 * What the DCAT catalogue states about each dataset, read from the data: extents and covered
 * EPCI (through the collections' own SQL), the last import of each layer (layer_version), the
 * newest reading (sensor_latest: one probe per sensor) and the first and last day of the daily
 * readings.
 */
import { sql, type Kysely } from 'kysely'
import type { Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { readingDays } from '../downloads/index.ts'
import { COLLECTIONS, collectionExtent, coveredEpci, type Collection, type CollectionExtent } from '../ogc/index.ts'

export interface DatasetFacts {
  readonly collection: Collection
  readonly extent: CollectionExtent
  readonly epci: readonly { readonly siren: string; readonly nom: string }[]
  /** ISO 8601; null when unknown. */
  readonly modified: string | null
}

export interface CatalogFacts {
  readonly datasets: readonly DatasetFacts[]
  readonly readings: {
    readonly first: string | null
    readonly last: string | null
    readonly modified: string | null
    readonly sensors: DatasetFacts
  }
}

export async function catalogFacts(db: Kysely<Schema>, scope: Scope): Promise<CatalogFacts> {
  const { rows: versions } = await sql<{ layer: string; changed_at: Date }>`SELECT layer, changed_at FROM layer_version`.execute(db)
  const imported = new Map(versions.map((v) => [v.layer, v.changed_at.toISOString()]))
  // Live layers are bumped by notification only: their data says when they last changed.
  const { rows: latest } = await sql<{ ts: Date | null }>`SELECT max(ts) AS ts FROM sensor_latest`.execute(db)
  const newestReading = latest[0]?.ts?.toISOString() ?? null
  const datasets: DatasetFacts[] = []
  // The open-data catalogue: the public collections only (the staff's are not published).
  for (const collection of COLLECTIONS.filter((c) => c.access === 'public')) {
    const modified = imported.get(collection.layer) ?? null
    datasets.push({ collection, extent: await collectionExtent(db, collection, scope), epci: await coveredEpci(db, collection, scope), modified })
  }
  const days = await readingDays(db, scope)
  // The daily readings are published: their extent and EPCI are the sensors'.
  const sensors = COLLECTIONS.find((c) => c.id === 'sensors')!
  const sensorFacts: DatasetFacts = { collection: sensors, extent: await collectionExtent(db, sensors, scope), epci: await coveredEpci(db, sensors, scope), modified: newestReading ?? imported.get('sensors') ?? null }
  return { datasets, readings: { ...days, modified: newestReading, sensors: sensorFacts } }
}
