/**
 * Writes one batch in one transaction: the readings (a re-delivered reading leaves exactly one
 * row), the hourly and daily rollups and each sensor's latest value (kept current here so that
 * no reader ever scans raw readings), and the batch's dead letters. Bulk rows travel as arrays
 * through `unnest`, which works the same on the embedded engine (no COPY there).
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Schema } from '../sql/index.ts'

export interface Reading {
  readonly sid: number
  /** Milliseconds since the epoch. */
  readonly ts: number
  readonly value: number
}

export interface DeadLetter {
  readonly topic: string
  readonly payload: Buffer
  readonly reason: string
  readonly detail: string
  readonly receivedAt: Date
}

export interface WriteResult {
  readonly inserted: number
  readonly duplicates: number
  readonly deadLettered: number
}

/**
 * Readings whose (sensor, time) is already stored with a different value. The transaction was
 * rolled back: the caller refuses the messages that carried them and writes the rest again.
 */
export class ConflictingReadings extends Error {
  constructor(readonly keys: readonly { readonly sid: number; readonly ts: number }[]) {
    super(`${keys.length} reading(s) conflict with stored values`)
    this.name = 'ConflictingReadings'
  }
}



export class ReadingWriter {
  /** Months (UTC, 'YYYY-MM') whose partition is known to exist. */
  private readonly partitions = new Set<string>()

  constructor(
    private readonly db: Kysely<Schema>,
    /** IANA zone of a "day" in the daily rollup. */
    private readonly timeZone: string,
  ) {}

  /**
   * Writes readings (unique by sensor and time within the call) and dead letters; `alsoIn` runs
   * more statements in the same transaction (the replay marks its dead letters there).
   */
  async write(readings: readonly Reading[], deadLetters: readonly DeadLetter[], alsoIn?: (trx: Transaction<Schema>) => Promise<void>): Promise<WriteResult> {
    const months = new Set(readings.map((r) => new Date(r.ts).toISOString().slice(0, 7)))
    const newMonths = [...months].filter((m) => !this.partitions.has(m))

    const inserted = await this.db.transaction().execute(async (trx) => {
      for (const month of newMonths) {
        await sql`SELECT ensure_reading_partition(${`${month}-01`}::date)`.execute(trx)
      }
      let count = 0
      if (readings.length > 0) {
        const { rows } = await sql<{ inserted: number; conflicts: Array<{ sid: number; ms: number }> | null }>`
          WITH input AS MATERIALIZED (
            SELECT sid, to_timestamp(ms / 1000.0) AS ts, value
            FROM unnest(${readings.map((r) => r.sid)}::int[], ${readings.map((r) => r.ts)}::float8[], ${readings.map((r) => r.value)}::float8[])
              AS input (sid, ms, value)
          ),
          inserted AS (
            INSERT INTO reading (sid, ts, value) SELECT sid, ts, value FROM input
            ON CONFLICT (sid, ts) DO NOTHING
            RETURNING sid, ts, value
          ),
          -- Not inserted: already stored. The same value is a harmless re-delivery; another value is a conflict.
          repeated AS MATERIALIZED (
            SELECT i.sid, i.ts, i.value FROM input i LEFT JOIN inserted x ON x.sid = i.sid AND x.ts = i.ts WHERE x.sid IS NULL
          ),
          conflicts AS (
            SELECT r.sid, r.ts FROM repeated r JOIN reading stored ON stored.sid = r.sid AND stored.ts = r.ts
            WHERE stored.value <> r.value
          ),
          hourly AS (
            INSERT INTO reading_hourly AS h (sid, hour, n, sum, min, max, first_ts, first_value, last_ts, last_value)
            SELECT sid, date_trunc('hour', ts, 'UTC'), count(*), sum(value), min(value), max(value),
                   min(ts), (array_agg(value ORDER BY ts))[1], max(ts), (array_agg(value ORDER BY ts DESC))[1]
            FROM inserted GROUP BY 1, 2
            ON CONFLICT (sid, hour) DO UPDATE SET ${mergeRollup('h')}
          ),
          daily AS (
            INSERT INTO reading_daily AS d (sid, day, n, sum, min, max, first_ts, first_value, last_ts, last_value)
            SELECT sid, (ts AT TIME ZONE ${this.timeZone})::date, count(*), sum(value), min(value), max(value),
                   min(ts), (array_agg(value ORDER BY ts))[1], max(ts), (array_agg(value ORDER BY ts DESC))[1]
            FROM inserted GROUP BY 1, 2
            ON CONFLICT (sid, day) DO UPDATE SET ${mergeRollup('d')}
          ),
          latest AS (
            INSERT INTO sensor_latest AS l (sid, ts, value)
            SELECT DISTINCT ON (sid) sid, ts, value FROM inserted ORDER BY sid, ts DESC
            ON CONFLICT (sid) DO UPDATE SET ts = excluded.ts, value = excluded.value, received_at = now()
            WHERE excluded.ts > l.ts
          )
          SELECT (SELECT count(*)::int FROM inserted) AS inserted,
                 (SELECT json_agg(json_build_object('sid', sid, 'ms', extract(epoch FROM ts) * 1000)) FROM conflicts) AS conflicts`.execute(trx)
        if (rows[0]?.conflicts) throw new ConflictingReadings(rows[0].conflicts.map((c) => ({ sid: c.sid, ts: c.ms })))
        count = rows[0]?.inserted ?? 0
      }
      if (deadLetters.length > 0) {
        await sql`
          INSERT INTO dead_letter (received_at, topic, payload, reason, detail)
          SELECT * FROM unnest(${deadLetters.map((d) => d.receivedAt)}::timestamptz[], ${deadLetters.map((d) => d.topic)}::text[],
                               ${deadLetters.map((d) => d.payload)}::bytea[], ${deadLetters.map((d) => d.reason)}::text[],
                               ${deadLetters.map((d) => d.detail)}::text[])`.execute(trx)
      }
      await alsoIn?.(trx)
      return count
    })
    for (const month of newMonths) this.partitions.add(month)
    return { inserted, duplicates: readings.length - inserted, deadLettered: deadLetters.length }
  }
}

/** Combine a stored rollup row (alias) with the batch's (excluded). */
function mergeRollup(alias: 'h' | 'd') {
  const t = sql.table(alias)
  return sql`
    n = ${t}.n + excluded.n, sum = ${t}.sum + excluded.sum,
    min = least(${t}.min, excluded.min), max = greatest(${t}.max, excluded.max),
    first_value = CASE WHEN excluded.first_ts < ${t}.first_ts THEN excluded.first_value ELSE ${t}.first_value END,
    first_ts = least(${t}.first_ts, excluded.first_ts),
    last_value = CASE WHEN excluded.last_ts > ${t}.last_ts THEN excluded.last_value ELSE ${t}.last_value END,
    last_ts = greatest(${t}.last_ts, excluded.last_ts)`
}
