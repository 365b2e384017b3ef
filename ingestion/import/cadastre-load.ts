/**
 * How a cadastre file reaches its table: staged, then written once, set-based.
 *
 * While the file is read, each batch goes into a temporary table of the transaction
 * (`import_stage`: no index, not WAL-logged), its geometries decoded from WKB, checked with
 * ST_IsValid, repaired with ST_MakeValid only when invalid, and keyed: that work overlaps the
 * parsing in Node. At the end of the file one INSERT … SELECT writes the table: the last feature
 * of a key wins (file-wide), `ON CONFLICT DO UPDATE` only when some key is already in the table
 * (checked under a lock that keeps other writers out, so a plain INSERT cannot meet a row
 * inserted meanwhile), then the rows of the file's communes it no longer holds are deleted.
 *
 * A bulk load (at least `bulkMinRows` rows, and at least as many as the table holds) drops the
 * table's GiST indexes before writing and builds them again before commit: building an index
 * over N rows costs less than inserting N rows into it one by one (measured on 200,000 parcels,
 * two GiST indexes: 0.9–1.1 s to build against 3–4 s of upsert time saved). The price is an
 * ACCESS EXCLUSIVE lock on the table from the write to the commit (a few seconds per 100,000
 * rows): readers of that layer (tiles, OGC API) wait meanwhile. A smaller load keeps the indexes
 * and only keeps other writers out (SHARE ROW EXCLUSIVE): readers never wait. Measurements and
 * the alternatives: docs/import.md.
 *
 * Every identifier here is a constant of cadastre-importer.ts or comes from the catalog
 * (pg_indexes' own definitions); values travel in the bound JSON document.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import type { PreparedRow, StagedLoad, StagedLoadOptions, StagedOutcome } from './feature-kind.ts'
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

  return {
    async begin(db) {
      await sql`CREATE TEMP TABLE import_stage (
        k int NOT NULL, closed boolean NOT NULL, ${sql.raw(t.record)},
        valid boolean NOT NULL, empty boolean NOT NULL, key text, geom geometry
      ) ON COMMIT DROP`.execute(db)
    },

    async stage(db, rows: readonly PreparedRow<Row>[]) {
      await sql`
        INSERT INTO import_stage (k, closed, ${sql.raw(columns)}, valid, empty, key, geom)
        SELECT k, closed, ${sql.raw(columns)}, valid, empty, CASE WHEN NOT empty THEN ${sql.raw(t.key)} END, geom
        FROM (
          SELECT r.k, r.closed, ${sql.raw(t.columns.map((c) => `r.${c}`).join(', '))}, x.valid, NOT x.valid AND ST_IsEmpty(x.geom) AS empty, x.geom
          FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r (k int, closed boolean, ${sql.raw(t.record)}, w text)
          CROSS JOIN LATERAL (
            SELECT v.valid, CASE WHEN v.valid THEN v.g0 ELSE ${sql.raw(REPAIRED)} END AS geom
            FROM (SELECT p.g0, ST_IsValid(p.g0) AS valid
                  FROM (SELECT ST_GeomFromWKB(decode(r.w, 'base64'), 4326) AS g0 OFFSET 0) AS p OFFSET 0) AS v
          ) AS x
        ) AS s`.execute(db)
    },

    async finish(db, communes, options: StagedLoadOptions): Promise<StagedOutcome> {
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
        const { rows } = await sql<{ name: string; definition: string }>`
          SELECT indexname AS name, indexdef AS definition FROM pg_indexes
          WHERE schemaname = current_schema() AND tablename = ${t.table} AND indexdef ~ ' USING gist '
          ORDER BY indexname`.execute(db)
        indexes = rows.map((r) => r.definition)
        for (const r of rows) await sql`DROP INDEX ${sql.id(r.name)}`.execute(db)
      }
      const { rows: clash } = held === 0 ? { rows: [] } : await sql`
        SELECT 1 FROM import_stage s WHERE NOT s.empty AND EXISTS (SELECT 1 FROM ${table} t WHERE t.${sql.raw(t.keyColumn)} = s.key) LIMIT 1`.execute(db)
      const upsert = clash.length > 0

      const { rows: written } = options.distinctKeys
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

      if (bulk) {
        // More memory for the builds, on a real server only (the embedded engine's memory is the process's).
        await sql`SELECT set_config('maintenance_work_mem', ${INDEX_BUILD_MEMORY}, true)
                  WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(${INDEX_BUILD_MEMORY}) AND version() !~* 'pglite'`.execute(db)
        for (const definition of indexes) await sql.raw(definition).execute(db)
      }
      const method =
        `staged in a temporary table, one ${upsert ? 'INSERT … ON CONFLICT DO UPDATE' : 'plain INSERT'}${options.distinctKeys ? ' (keys distinct: no ranking)' : ''}` +
        (bulk ? `, ${indexes.length} GiST index(es) dropped and rebuilt (bulk load: ${staged} rows, table held ~${Math.round(held)})` : ', indexes kept')
      return { inserted: w.inserted, updated: w.updated, repaired: w.repaired, removed, rejections, examples, method }
    },
  }
}
