/**
 * What the importer needs to know about one kind of layer: how a feature's properties become a
 * row, how the rows are written (upsert, repair counted), and which published layers change.
 */
import type { Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import type { Properties } from './feature-properties.ts'
import type { RejectionReason } from './import-summary.ts'

/**
 * A row ready to write: the kind's fields, its position in the file (`k`), its geometry (`w`:
 * MultiPolygon WKB, base64) and whether Node closed one of its rings (`closed`: a repair).
 */
export type PreparedRow<Row> = Row & { readonly k: number; readonly w: string; readonly closed: boolean }

/** What happened to one row of a batch, by its position `k`. */
export interface RowOutcome {
  readonly k: number
  /** Valid as given (else repaired by ST_MakeValid). */
  readonly valid: boolean
  /** Nothing polygonal left after repair: rejected. */
  readonly empty: boolean
  /** Another row of the batch had the same key and came later: this one was not written. */
  readonly duplicate: boolean
  /** true inserted, false updated, null not written. */
  readonly inserted: boolean | null
  /** A rejection decided by the database (e.g. the commune is not loaded). */
  readonly rejected?: RejectionReason | null
}

/** What a cadastre load did, once the file's rows are in the table. */
export interface StagedOutcome {
  readonly inserted: number
  readonly updated: number
  /** Written rows whose geometry was repaired (ST_MakeValid, or a ring closed in Node). */
  readonly repaired: number
  /** Rows of the file's communes it no longer holds, deleted. */
  readonly removed: number
  readonly rejections: Partial<Record<RejectionReason, number>>
  /** The first rejected rows, by position in the file. */
  readonly examples: readonly { readonly k: number; readonly reason: RejectionReason }[]
  /** How the table was written (for logs and the benchmark). */
  readonly method: string
}

export interface StagedLoadOptions {
  /**
   * A load of at least this many rows that also at least doubles the table drops its GiST
   * indexes and rebuilds them once written (cadastre-load.ts says why).
   */
  readonly bulkMinRows: number
  /** Forces the choice (tests): true drops and rebuilds the GiST indexes, false keeps them. */
  readonly bulk?: boolean
}

/**
 * How a cadastre file reaches its table, chosen when the file's transaction begins: into an
 * empty table, each batch is written as it comes (`direct`); otherwise batches are staged and
 * the table written once at the end of the file.
 */
export interface StagedLoad<Row> {
  begin(db: Kysely<Schema>, options: StagedLoadOptions): Promise<TableLoad<Row>>
}

/** One file's load into its table, in the file's transaction. */
export interface TableLoad<Row> {
  /** Written batch by batch into a table that was empty: the load keeps the keys it wrote itself. */
  readonly direct: boolean
  /** Checks, repairs and writes (direct) or stages one batch. */
  stage(rows: readonly PreparedRow<Row>[]): Promise<void>
  /**
   * Completes the write (the last feature of a key wins; upsert on the key) and deletes the rows
   * of these communes that the file no longer holds: an Etalab file holds a commune's whole layer.
   * `distinctKeys`: Node saw every staged row's key once (FeatureKind.key), so no need to rank them.
   */
  finish(communes: readonly string[], distinctKeys: boolean): Promise<StagedOutcome>
}

export interface FeatureKind<Row extends object = object> {
  readonly name: string
  readonly title: string
  /** Layer ids bumped in the import's transaction (sql/layer-versions.ts). */
  readonly layers: readonly string[]
  /** Properties (and the feature's top-level id) → a row; throws FeatureRejection. */
  row(properties: Properties, featureId: unknown): Row
  /** The row's key when Node knows it (not computed from the repaired geometry): lets a file of distinct keys skip the ranking. */
  key?(row: Row): string
  /** The commune a row belongs to (staged kinds: whose rows the file replaces). */
  commune?(row: Row): string
  /** Writes one batch into the table, its outcomes at once (kinds without `staged`). */
  write?(db: Kysely<Schema>, rows: readonly PreparedRow<Row>[]): Promise<RowOutcome[]>
  /** Writes the file batch by batch into an empty table, else through a staging table (the cadastre layers). */
  readonly staged?: StagedLoad<Row>
}
