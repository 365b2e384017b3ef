/**
 * Imports one GeoJSON FeatureCollection (a file, or a request body) of one kind, streaming: bytes
 * are gunzipped and scanned as they come, features checked in Node and sent in batches of
 * IMPORT_BATCH_SIZE while the next batch is parsed (one batch in the database, one being read:
 * bounded memory whatever the size of the file). The cadastre kinds write each batch into an
 * empty table, else stage their batches and write their table once at the end of the file
 * (cadastre-load.ts); the others write each batch.
 *
 * One transaction per file: a file refused half-way (truncated gzip, invalid JSON at the end, a
 * projected coordinate) is rolled back whole, so nothing of a refused file is ever kept; a
 * re-run is an upsert. The file's layers are bumped (markLayersChanged) in that transaction, so
 * the tile cache hears of the change exactly when it commits.
 */
import { sql, type Kysely } from 'kysely'
import { markLayersChanged, type Schema } from '../../sql/index.ts'
import { BULK_MIN_ROWS } from './cadastre-load.ts'
import type { FeatureKind, PreparedRow, RowOutcome } from './feature-kind.ts'
import { checkPolygonal, multiPolygonWkb } from './feature-geometry.ts'
import { FeatureRejection, type Properties } from './feature-properties.ts'
import { decompressed, readFeatureBatches } from './geojson-stream.ts'
import { addRejections, emptySummary, recordRejection, type ImportSummary } from './import-summary.ts'
import type { ImportProgress } from './import-progress.ts'

/** Rows per INSERT statement. */
export const IMPORT_BATCH_SIZE = 2_000

/** Keys kept in Node to spare the database its ranking (~150 MB at most). */
const DISTINCT_KEYS_MAX = 1_000_000

export interface FeatureSource {
  /** For messages: a file name, or "request body". */
  readonly name: string
  /** The bytes as stored (gzip or not). */
  readonly bytes: AsyncIterable<Buffer>
  readonly gzip: boolean
}

export interface FeatureImportOptions {
  readonly batchSize?: number
  readonly progress?: ImportProgress
  /** Cadastre kinds: the rows from which a load that also at least doubles the table rebuilds its GiST indexes (BULK_MIN_ROWS). */
  readonly bulkMinRows?: number
  /** Cadastre kinds: force (true) or forbid (false) the bulk load, whatever the sizes (tests). */
  readonly bulk?: boolean
  /** Told how the table was written (cadastre kinds). */
  readonly onMethod?: (method: string) => void
}

/** Imports one source in its own transaction; its figures, once committed. */
export async function importFeatureSource(db: Kysely<Schema>, kind: FeatureKind, source: FeatureSource, options: FeatureImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE
  const progress = options.progress
  const summary = emptySummary(kind.name, kind.layers)
  summary.files = 1
  const started = Date.now()
  const name = source.name

  await db.transaction().execute(async (trx) => {
    // The PostGIS functions' declared costs make every batch statement look expensive: PostgreSQL
    // would JIT-compile each one (measured: 0.8 s of a 1 s batch of 2,000 parcels). No JIT here.
    await sql`SET LOCAL jit = off`.execute(trx)
    const write = kind.write
    const load = kind.staged
      ? await kind.staged.begin(trx, { bulkMinRows: options.bulkMinRows ?? BULK_MIN_ROWS, ...(options.bulk === undefined ? {} : { bulk: options.bulk }) })
      : null
    if (!load && !write) throw new Error(`import kind ${kind.name} has no writer`)
    const communes = new Set<string>()
    const closedRings = new Set<number>()
    // The keys staged so far, while none repeats and they are at most DISTINCT_KEYS_MAX (then
    // forgotten: the database ranks them). About 150 bytes of RSS a key, for 0.6–1.2 s less of
    // write per 200,000 parcels (cadastre-load.ts, docs/import.md). A direct load keeps its own.
    let keys: Set<string> | null = load && !load.direct && kind.key ? new Set<string>() : null
    let batch: PreparedRow<object>[] = []
    let inFlight: Promise<void> | null = null

    const apply = (rows: readonly PreparedRow<object>[], outcomes: readonly RowOutcome[]) => {
      for (const o of outcomes) {
        const k = Number(o.k)
        if (o.empty) recordRejection(summary, { file: name, feature: k, reason: 'unrepairable_geometry', detail: 'nothing polygonal left after ST_MakeValid' })
        else if (o.rejected) recordRejection(summary, { file: name, feature: k, reason: o.rejected, detail: rejectionDetail(rows, k, o.rejected) })
        else if (o.duplicate) recordRejection(summary, { file: name, feature: k, reason: 'duplicate', detail: 'a later feature has the same key' })
        else {
          if (o.inserted) summary.inserted++
          else summary.updated++
          if (!o.valid || closedRings.has(k)) summary.repaired++
        }
      }
    }
    const flush = async () => {
      if (inFlight) await inFlight
      inFlight = null
      if (batch.length === 0) return
      const rows = batch
      batch = []
      const pending: Promise<void> = load ? load.stage(rows) : write!(trx, rows).then((outcomes) => apply(rows, outcomes))
      pending.catch(() => undefined) // awaited at the next flush; never an unhandled rejection meanwhile
      inFlight = pending
    }

    const counted = countBytes(source.bytes, progress)
    for await (const features of readFeatureBatches(decompressed(counted, source.gzip, name), name)) for (const raw of features) {
      summary.features++
      const feature = raw.value as { type?: unknown; geometry?: unknown; properties?: unknown; id?: unknown } | null
      if (feature === null || typeof feature !== 'object' || Array.isArray(feature) || feature.type !== 'Feature') {
        recordRejection(summary, { file: name, feature: raw.index, reason: 'not_a_feature', detail: 'not an object with "type": "Feature"' })
        continue
      }
      const geometry = checkPolygonal(feature.geometry, `${name} feature ${raw.index}`)
      if (!geometry.ok) {
        recordRejection(summary, { file: name, feature: raw.index, reason: geometry.reason, detail: geometry.detail })
        continue
      }
      const properties = feature.properties ?? {}
      let row: object
      try {
        if (typeof properties !== 'object' || Array.isArray(properties)) throw new FeatureRejection('invalid_property', '"properties" is not an object')
        row = kind.row(properties as Properties, feature.id)
      } catch (error) {
        if (!(error instanceof FeatureRejection)) throw error
        recordRejection(summary, { file: name, feature: raw.index, reason: error.reason, detail: error.detail })
        continue
      }
      if (geometry.closedRings > 0) closedRings.add(raw.index)
      if (kind.commune) communes.add(kind.commune(row))
      if (keys) {
        const key = kind.key!(row)
        if (keys.has(key) || keys.size >= DISTINCT_KEYS_MAX) keys = null
        else keys.add(key)
      }
      batch.push({ ...row, k: raw.index, w: multiPolygonWkb(geometry.geometry), closed: geometry.closedRings > 0 })
      if (batch.length >= batchSize) await flush()
      if ((raw.index & 1023) === 0) progress?.features(summary.features)
    }
    await flush()
    await flush()
    if (load) {
      const outcome = await load.finish([...communes], keys !== null)
      summary.inserted += outcome.inserted
      summary.updated += outcome.updated
      summary.repaired += outcome.repaired
      summary.removed = outcome.removed
      addRejections(summary, outcome.rejections, outcome.examples.map((e) => ({ file: name, feature: e.k, reason: e.reason, detail: STAGED_DETAILS[e.reason] ?? e.reason })))
      options.onMethod?.(outcome.method)
    }
    await markLayersChanged(trx, kind.layers)
  })
  progress?.features(summary.features)
  summary.ms = Date.now() - started
  return summary
}

const STAGED_DETAILS: Partial<Record<string, string>> = {
  unrepairable_geometry: 'nothing polygonal left after ST_MakeValid',
  duplicate: 'a later feature has the same key',
}

function rejectionDetail(rows: readonly PreparedRow<object>[], k: number, reason: string): string {
  const row = rows.find((r) => r.k === k) as { commune?: unknown } | undefined
  return reason === 'commune_not_loaded' && typeof row?.commune === 'string' ? `commune ${row.commune}` : 'no commune loaded under the footprint'
}

async function* countBytes(source: AsyncIterable<Buffer>, progress: ImportProgress | undefined): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    progress?.bytes(chunk.length)
    yield chunk
  }
}
