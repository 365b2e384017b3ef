/**
 * How a cadastre file reaches its table, decided when its transaction begins.
 *
 * **Into an empty table** (a first load: a département's cadastre), with the key known in Node
 * (parcels, sections), each batch is written into the table as it comes (`direct`): decoded from
 * WKB, checked with ST_IsValid, repaired with ST_MakeValid only when invalid, in one statement
 * that overlaps the parsing of the next batch in Node. Other writers wait from the start (a lock
 * that lets readers go on); the load keeps the keys it wrote, so that a key repeated in a later
 * batch is upserted (the last feature of a key wins) and counted as a duplicate. Once
 * `bulkMinRows` rows are written, the GiST indexes are dropped and built again before commit.
 *
 * **Otherwise** each batch goes into a temporary table of the transaction (`import_stage`: no
 * index, not WAL-logged) with the same checks, and at the end of the file one INSERT … SELECT
 * writes the table: the last feature of a key wins (file-wide), `ON CONFLICT DO UPDATE` only when
 * some key is already in the table (checked under a lock that keeps other writers out, so a plain
 * INSERT cannot meet a row inserted meanwhile), then the rows of the file's communes it no longer
 * holds are deleted.
 *
 * A bulk load (at least `bulkMinRows` rows, and at least as many as the table holds) drops the
 * table's GiST indexes before writing and builds them again before commit: building an index
 * over N rows costs less than inserting N rows into it one by one (measured on 200,000 parcels,
 * two GiST indexes: 0.9–1.1 s to build against 3–4 s of upsert time saved). The price is an
 * ACCESS EXCLUSIVE lock on the table from the drop to the commit: readers of that layer (tiles,
 * OGC API) wait meanwhile. A smaller load keeps the indexes and only keeps other writers out
 * (SHARE ROW EXCLUSIVE): readers never wait. Measurements and the alternatives: docs/import.md.
 *
 * Every identifier here is a constant of cadastre-importer.ts or comes from the catalog
 * (pg_indexes' own definitions); values travel in the bound JSON document.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import type { PreparedRow, StagedLoad, StagedLoadOptions, StagedOutcome, TableLoad } from './feature-kind.ts'
import type { RejectionReason } from './import-summary.ts'

/** How one cadastre table is written. */
export interface CadastreTable {
  readonly table: 'parcel' | 'cadastral_section' | 'lieu_dit' | 'cadastral_building'
  /** json_to_recordset's record definition of the row's fields (without k, closed and w). */
  readonly record: string
  /** Columns written from the record. */
  readonly columns: readonly string[]
  /** The key as an SQL expression over the record's columns and the repaired `geom`. */
  readonly key: string
  /** The unique column of the key (upsert target). */
  readonly keyColumn: 'id' | 'key'
  /** Whether the key column is computed (written from `key`) rather than one of `columns`. */
  readonly computedKey: boolean
}

/** Rows of a load from which dropping and rebuilding the GiST indexes pays (with the table at most doubled). */
export const BULK_MIN_ROWS = 10_000
/** For the index builds of a bulk load (the server's default is often 64 MB). */
const INDEX_BUILD_MEMORY = '256MB'
const EXAMPLES = 20
/** Keys a direct load remembers (~100 bytes each); past that, every batch is upserted. */
const DISTINCT_KEYS_MAX = 1_000_000

/** An invalid geometry made valid, its polygonal parts kept, as MultiPolygon (empty when none). */
const REPAIRED = 'ST_Multi(ST_CollectionExtract(ST_MakeValid(v.g0), 3))'

export function cadastreLoad<Row>(t: CadastreTable): StagedLoad<Row> {
  const columns = t.columns.join(', ')
  const target = t.computedKey ? `key, ${columns}` : columns
  const updates = [...t.columns.filter((c) => c !== t.keyColumn), 'geom', 'imported_at'].map((c) => `${c} = excluded.${c}`).join(', ')

  /**
   * The write when Node saw every key once (StagedLoadOptions.distinctKeys): no ranking of the
   * keys (a sort of the whole file: 0.6–1.2 s of a 3.6–4.8 s write, 200,000 parcels), and a plain
   * INSERT counts its rows without RETURNING.
   */
  const writeDistinct = async (db: Kysely<Schema>, upsert: boolean) => {
    let inserted = 0
    let updated = 0
    if (upsert) {
      const { rows } = await sql<{ inserted: number; updated: number }>`
        WITH written AS (
          INSERT INTO ${sql.raw(t.table)} (${sql.raw(target)}, geom, imported_at)
          SELECT ${sql.raw(target)}, geom, now() FROM import_stage WHERE NOT empty
          ON CONFLICT (${sql.raw(t.keyColumn)}) DO UPDATE SET ${sql.raw(updates)}
          RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`.execute(db)
      inserted = rows[0]?.inserted ?? 0
      updated = rows[0]?.updated ?? 0
    } else {
      const result = await sql`
        INSERT INTO ${sql.raw(t.table)} (${sql.raw(target)}, geom, imported_at)
        SELECT ${sql.raw(target)}, geom, now() FROM import_stage WHERE NOT empty`.execute(db)
      inserted = Number(result.numAffectedRows ?? 0)
    }
    const { rows } = await sql<{ repaired: number; empty: number }>`
      SELECT count(*) FILTER (WHERE NOT empty AND (NOT valid OR closed))::int AS repaired, count(*) FILTER (WHERE empty)::int AS empty
      FROM import_stage`.execute(db)
    return { rows: [{ inserted, updated, repaired: rows[0]?.repaired ?? 0, duplicates: 0, empty: rows[0]?.empty ?? 0 }] }
  }

  /** A batch's rows decoded, checked and repaired: k, closed, the record's columns, valid, empty, geom. */
  const checked = (rows: readonly PreparedRow<Row>[]) => sql`
    SELECT r.k, r.closed, ${sql.raw(t.columns.map((c) => `r.${c}`).join(', '))}, x.valid, NOT x.valid AND ST_IsEmpty(x.geom) AS empty, x.geom
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r (k int, closed boolean, ${sql.raw(t.record)}, w text)
    CROSS JOIN LATERAL (
      SELECT v.valid, CASE WHEN v.valid THEN v.g0 ELSE ${sql.raw(REPAIRED)} END AS geom
      FROM (SELECT p.g0, ST_IsValid(p.g0) AS valid
            FROM (SELECT ST_GeomFromWKB(decode(r.w, 'base64'), 4326) AS g0 OFFSET 0) AS p OFFSET 0) AS v
    ) AS x`

  const gistIndexes = async (db: Kysely<Schema>) =>
    (await sql<{ name: string; definition: string }>`
      SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = ${t.table} AND indexdef ~ ' USING gist '
      ORDER BY indexname`.execute(db)).rows

  const rebuild = async (db: Kysely<Schema>, definitions: readonly string[]) => {
    // More memory for the builds, on a real server only (the embedded engine's memory is the process's).
    await sql`SELECT set_config('maintenance_work_mem', ${INDEX_BUILD_MEMORY}, true)
              WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(${INDEX_BUILD_MEMORY}) AND version() !~* 'pglite'`.execute(db)
    for (const definition of definitions) await sql.raw(definition).execute(db)
  }

  /** The key of a row, known in Node (kinds whose key is not computed from the geometry). */
  const keyOf = (row: PreparedRow<Row>) => (row as unknown as Record<string, string>)[t.keyColumn]!

  /**
   * Each batch written into the table, which was empty when the file began (and stays locked
   * against other writers). Repeated keys: within a batch the last non-empty feature is written
   * (DISTINCT ON); across batches, a batch holding a key written before is upserted, and the
   * earlier feature is counted as the duplicate (its position kept in `written`).
   */
  const directLoad = (db: Kysely<Schema>, options: StagedLoadOptions, dropNow: string[] | null): TableLoad<Row> => {
    /** Key → position of the feature written under it; null past DISTINCT_KEYS_MAX (then every batch is upserted). */
    let written: Map<string, number> | null = new Map()
    let count = 0
    const repairedKeys = new Set<string>()
    let duplicates = 0
    let duplicateExamples: number[] = []
    let empty = 0
    const emptyExamples: number[] = []
    let upserted = 0
    let dropped: string[] | null = dropNow
    let droppedAt = 0
    const key = sql.raw(t.key)

    return {
      direct: true,
      async stage(rows) {
        const last = new Map<string, number>()
        for (const row of rows) last.set(keyOf(row), row.k)
        const repeats = last.size < rows.length
        const upsert = written === null || [...last.keys()].some((k) => written!.has(k))
        const { rows: result } = await sql<{ empty: number[]; repaired: string[]; replaced: string[]; n: number }>`
          WITH s AS MATERIALIZED (${checked(rows)}),
          chosen AS (${repeats ? sql`SELECT DISTINCT ON (${key}) * FROM s WHERE NOT empty ORDER BY ${key}, k DESC` : sql`SELECT * FROM s WHERE NOT empty`}),
          w AS (
            INSERT INTO ${sql.raw(t.table)} (${sql.raw(columns)}, geom, imported_at)
            SELECT ${sql.raw(columns)}, geom, now() FROM chosen
            ${upsert ? sql.raw(`ON CONFLICT (${t.keyColumn}) DO UPDATE SET ${updates}`) : sql``}
            RETURNING ${sql.raw(t.keyColumn)} AS key, (xmax = 0) AS inserted
          )
          SELECT (SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM s WHERE empty) AS empty,
                 (SELECT coalesce(array_agg(${key}), '{}') FROM chosen WHERE NOT valid OR closed) AS repaired,
                 (SELECT coalesce(array_agg(key), '{}') FROM w WHERE NOT inserted) AS replaced,
                 (SELECT count(*)::int FROM w) AS n`.execute(db)
        const r = result[0]!
        const emptyAt = new Set(r.empty)
        empty += r.empty.length
        for (const k of r.empty) if (emptyExamples.length < EXAMPLES) emptyExamples.push(k)
        // The feature written for each key of the batch: its last non-empty one; the others are duplicates.
        const chosen = new Map<string, number>()
        for (const row of rows) if (!emptyAt.has(row.k)) {
          const k = keyOf(row)
          const before = chosen.get(k)
          if (before !== undefined) duplicateAt(before)
          chosen.set(k, row.k)
        }
        for (const k of r.replaced) {
          // A key written by an earlier batch: that earlier feature is the duplicate (unknown past DISTINCT_KEYS_MAX: the later one is named).
          duplicateAt(written?.get(k) ?? chosen.get(k)!)
          repairedKeys.delete(k)
        }
        for (const k of r.repaired) repairedKeys.add(k)
        if (upsert) upserted++
        count += r.n - r.replaced.length
        if (written) {
          for (const [k, at] of chosen) written.set(k, at)
          if (written.size > DISTINCT_KEYS_MAX) written = null
        }
        if (dropped === null && options.bulk !== false && count >= options.bulkMinRows) {
          // Enough rows that building the GiST indexes once costs less than inserting into them.
          await sql`LOCK TABLE ${sql.raw(t.table)} IN ACCESS EXCLUSIVE MODE`.execute(db)
          const indexes = await gistIndexes(db)
          for (const index of indexes) await sql`DROP INDEX ${sql.id(index.name)}`.execute(db)
          dropped = indexes.map((i) => i.definition)
          droppedAt = count
        }
      },

      async finish() {
        if (dropped) await rebuild(db, dropped)
        const rejections: Partial<Record<RejectionReason, number>> = {}
        if (empty > 0) rejections.unrepairable_geometry = empty
        if (duplicates > 0) rejections.duplicate = duplicates
        const examples = [
          ...emptyExamples.map((k) => ({ k, reason: 'unrepairable_geometry' as const })),
          ...duplicateExamples.map((k) => ({ k, reason: 'duplicate' as const })),
        ].sort((a, b) => a.k - b.k).slice(0, EXAMPLES)
        const method =
          `written batch by batch into the empty table (plain INSERT${upserted > 0 ? `; ${upserted} batch(es) upserted for keys repeated across batches` : ''})` +
          (dropped ? `, ${dropped.length} GiST index(es) dropped${droppedAt > 0 ? ` after ${droppedAt} rows` : ''} and rebuilt` : ', indexes kept')
        return { inserted: count, updated: 0, repaired: repairedKeys.size, removed: 0, rejections, examples, method }
      },
    }

    function duplicateAt(k: number) {
      duplicates++
      duplicateExamples.push(k)
      if (duplicateExamples.length > 4 * EXAMPLES) duplicateExamples = duplicateExamples.sort((a, b) => a - b).slice(0, EXAMPLES)
    }
  }

  /** Batches staged in a temporary table, the table written once at the end of the file. */
  const stagedLoad = async (db: Kysely<Schema>, options: StagedLoadOptions): Promise<TableLoad<Row>> => {
    await sql`CREATE TEMP TABLE import_stage (
      k int NOT NULL, closed boolean NOT NULL, ${sql.raw(t.record)},
      valid boolean NOT NULL, empty boolean NOT NULL, key text, geom geometry
    ) ON COMMIT DROP`.execute(db)
    return {
      direct: false,
      async stage(rows) {
        await sql`
          INSERT INTO import_stage (k, closed, ${sql.raw(columns)}, valid, empty, key, geom)
          SELECT k, closed, ${sql.raw(columns)}, valid, empty, CASE WHEN NOT empty THEN ${sql.raw(t.key)} END, geom
          FROM (${checked(rows)}) AS s`.execute(db)
      },
      finish: (communes, distinctKeys) => finishStaged(db, communes, options, distinctKeys),
    }
  }

  const finishStaged = async (db: Kysely<Schema>, communes: readonly string[], options: StagedLoadOptions, distinctKeys: boolean): Promise<StagedOutcome> => {
    const table = sql.raw(t.table)
    const { rows: sized } = await sql<{ staged: number; estimate: number }>`
      SELECT (SELECT count(*) FROM import_stage WHERE NOT empty)::int AS staged,
             (SELECT reltuples FROM pg_class WHERE oid = ${t.table}::regclass)::float8 AS estimate`.execute(db)
    const staged = sized[0]?.staged ?? 0
    let held = sized[0]?.estimate ?? -1
    if (held < 0) {
      // Never analysed (a new table): count it; it is small or was just loaded.
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${table}`.execute(db)
      held = rows[0]?.n ?? 0
    }
    const bulk = options.bulk ?? (staged >= options.bulkMinRows && staged >= held)

    // Other writers wait from here (a plain INSERT must not meet a key inserted meanwhile);
    // readers too in a bulk load, whose indexes are dropped.
    await sql`LOCK TABLE ${table} IN ${sql.raw(bulk ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE')} MODE`.execute(db)
    let indexes: string[] = []
    if (bulk) {
      const rows = await gistIndexes(db)
      indexes = rows.map((r) => r.definition)
      for (const r of rows) await sql`DROP INDEX ${sql.id(r.name)}`.execute(db)
    }
    const { rows: clash } = held === 0 ? { rows: [] } : await sql`
      SELECT 1 FROM import_stage s WHERE NOT s.empty AND EXISTS (SELECT 1 FROM ${table} t WHERE t.${sql.raw(t.keyColumn)} = s.key) LIMIT 1`.execute(db)
    const upsert = clash.length > 0

    const { rows: written } = distinctKeys
      ? await writeDistinct(db, upsert)
      : await sql<{ inserted: number; updated: number; repaired: number; duplicates: number; empty: number }>`
      WITH chosen AS (
        SELECT k FROM (SELECT k, row_number() OVER (PARTITION BY key ORDER BY k DESC) AS n FROM import_stage WHERE NOT empty) AS d WHERE n = 1
      ), written AS (
        INSERT INTO ${table} (${sql.raw(target)}, geom, imported_at)
        SELECT ${sql.raw(target)}, geom, now() FROM import_stage JOIN chosen USING (k)
        ${upsert ? sql.raw(`ON CONFLICT (${t.keyColumn}) DO UPDATE SET ${updates}`) : sql``}
        RETURNING (xmax = 0) AS inserted
      )
      SELECT (SELECT count(*) FROM written WHERE inserted)::int AS inserted,
             (SELECT count(*) FROM written WHERE NOT inserted)::int AS updated,
             (SELECT count(*) FROM import_stage JOIN chosen USING (k) WHERE NOT valid OR closed)::int AS repaired,
             (SELECT count(*) FROM import_stage WHERE NOT empty)::int - (SELECT count(*) FROM chosen)::int AS duplicates,
             (SELECT count(*) FROM import_stage WHERE empty)::int AS empty`.execute(db)
    const w = written[0] ?? { inserted: 0, updated: 0, repaired: 0, duplicates: 0, empty: 0 }

    const rejections: Partial<Record<RejectionReason, number>> = {}
    if (w.empty > 0) rejections.unrepairable_geometry = w.empty
    if (w.duplicates > 0) rejections.duplicate = w.duplicates
    let examples: { k: number; reason: RejectionReason }[] = []
    if (w.empty + w.duplicates > 0) {
      const { rows } = await sql<{ k: number; empty: boolean }>`
        SELECT s.k, s.empty FROM import_stage s
        WHERE s.empty OR EXISTS (SELECT 1 FROM import_stage l WHERE l.key = s.key AND l.k > s.k AND NOT l.empty)
        ORDER BY s.k LIMIT ${EXAMPLES}`.execute(db)
      examples = rows.map((r) => ({ k: r.k, reason: r.empty ? 'unrepairable_geometry' : 'duplicate' }))
    }

    let removed = 0
    if (communes.length > 0) {
      const result = await sql`DELETE FROM ${table} WHERE commune = ANY(${communes}::text[]) AND imported_at < now()`.execute(db)
      removed = Number(result.numAffectedRows ?? 0)
    }

    if (bulk) await rebuild(db, indexes)
    const method =
      `staged in a temporary table, one ${upsert ? 'INSERT … ON CONFLICT DO UPDATE' : 'plain INSERT'}${distinctKeys ? ' (keys distinct: no ranking)' : ''}` +
      (bulk ? `, ${indexes.length} GiST index(es) dropped and rebuilt (bulk load: ${staged} rows, table held ~${Math.round(held)})` : ', indexes kept')
    return { inserted: w.inserted, updated: w.updated, repaired: w.repaired, removed, rejections, examples, method }
  }

  return {
    async begin(db, options) {
      if (!t.computedKey) {
        // Empty? Checked again under the lock that keeps other writers out until commit.
        const isEmpty = async () => (await sql<{ empty: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM ${sql.raw(t.table)}) AS empty`.execute(db)).rows[0]!.empty
        if (await isEmpty()) {
          await sql`LOCK TABLE ${sql.raw(t.table)} IN ${sql.raw(options.bulk === true ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE')} MODE`.execute(db)
          if (await isEmpty()) {
            let dropNow: string[] | null = null
            if (options.bulk === true) {
              const indexes = await gistIndexes(db)
              for (const index of indexes) await sql`DROP INDEX ${sql.id(index.name)}`.execute(db)
              dropNow = indexes.map((i) => i.definition)
            }
            return directLoad(db, options, dropNow)
          }
        }
      }
      return stagedLoad(db, options)
    },
  }
}
