/**
 * Writes one batch in one transaction: the readings (a re-delivered reading leaves exactly one
 * row), the hourly and daily rollups and each sensor's latest value (kept current here so that
 * no reader ever scans raw readings), and the batch's dead letters. Bulk rows travel as arrays
 * through `unnest`, which works the same on the embedded engine (no COPY there).
 */
import { sql, type Kysely } from 'kysely'
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

export class ReadingWriter {
  /** Months (UTC, 'YYYY-MM') whose partition is known to exist. */
  private readonly partitions = new Set<string>()

  constructor(
    private readonly db: Kysely<Schema>,
    /** IANA zone of a "day" in the daily rollup. */
    private readonly timeZone: string,
  ) {}

  async write(readings: readonly Reading[], deadLetters: readonly DeadLetter[]): Promise<WriteResult> {
    const months = new Set(readings.map((r) => new Date(r.ts).toISOString().slice(0, 7)))
    const newMonths = [...months].filter((m) => !this.partitions.has(m))

    const inserted = await this.db.transaction().execute(async (trx) => {
      for (const month of newMonths) {
        await sql`SELECT ensure_reading_partition(${`${month}-01`}::date)`.execute(trx)
      }
      let count = 0
      if (readings.length > 0) {
        const { rows } = await sql<{ inserted: number }>`
          WITH inserted AS (
            INSERT INTO reading (sid, ts, value)
            SELECT sid, to_timestamp(ms / 1000.0), value
            FROM unnest(${readings.map((r) => r.sid)}::int[], ${readings.map((r) => r.ts)}::float8[], ${readings.map((r) => r.value)}::float8[])
              AS input (sid, ms, value)
            ON CONFLICT (sid, ts) DO NOTHING
            RETURNING sid, ts, value
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
          SELECT count(*)::int AS inserted FROM inserted`.execute(trx)
        count = rows[0]?.inserted ?? 0
      }
      if (deadLetters.length > 0) {
        await sql`
          INSERT INTO dead_letter (received_at, topic, payload, reason, detail)
          SELECT * FROM unnest(${deadLetters.map((d) => d.receivedAt)}::timestamptz[], ${deadLetters.map((d) => d.topic)}::text[],
                               ${deadLetters.map((d) => d.payload)}::bytea[], ${deadLetters.map((d) => d.reason)}::text[],
                               ${deadLetters.map((d) => d.detail)}::text[])`.execute(trx)
      }
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
