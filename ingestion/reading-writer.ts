/**
 * Writes one batch in one transaction: the readings (a re-delivered reading leaves exactly one
 * row; another value at a stored time is a conflict, and the transaction is rolled back), the
 * hourly and daily rollups (kept current here so that no reader ever scans raw readings — each
 * sensor's latest value is its newest hourly row, the view sensor_latest; aggregated in Node by
 * rollups.ts, merged here), a notification for the live layers' caches, and the batch's dead
 * letters. Bulk rows travel as arrays through `unnest`, which works the same on the embedded
 * engine (no COPY there).
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import { LAYER_CHANNEL, LIVE_LAYERS, type Schema } from '../sql/index.ts'
import { RollupCalculator, type BatchRollups, type Rollup } from './rollups.ts'

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

  private readonly rollups: RollupCalculator

  constructor(
    private readonly db: Kysely<Schema>,
    /** IANA zone of a "day" in the daily rollup. */
    timeZone: string,
  ) {
    this.rollups = new RollupCalculator(timeZone)
  }

  /**
   * Writes readings (unique by sensor and time within the call) and dead letters; `alsoIn` runs
   * more statements in the same transaction (the replay marks its dead letters there).
   *
   * First as a plain INSERT: `ON CONFLICT` makes PostgreSQL insert each row speculatively, which
   * measured half again as costly per reading, for repeats that are rare. Only if some reading is
   * already stored (a re-delivery, or a replay) is the batch written again, row by row careful.
   */
  async write(readings: readonly Reading[], deadLetters: readonly DeadLetter[], alsoIn?: (trx: Transaction<Schema>) => Promise<void>): Promise<WriteResult> {
    try {
      return await this.writeOnce(readings, deadLetters, alsoIn, 'plain')
    } catch (error) {
      if (!isStoredAlready(error)) throw error
      return this.writeOnce(readings, deadLetters, alsoIn, 'careful')
    }
  }

  private async writeOnce(
    readings: readonly Reading[],
    deadLetters: readonly DeadLetter[],
    alsoIn: ((trx: Transaction<Schema>) => Promise<void>) | undefined,
    mode: 'plain' | 'careful',
  ): Promise<WriteResult> {
    const months = new Set<string>()
    let lastDay = NaN
    for (const r of readings) {
      const day = Math.floor(r.ts / 86_400_000)
      if (day !== lastDay) months.add(new Date(day * 86_400_000).toISOString().slice(0, 7))
      lastDay = day
    }
    const newMonths = [...months].filter((m) => !this.partitions.has(m))

    const inserted = await this.db.transaction().execute(async (trx) => {
      for (const month of newMonths) {
        await sql`SELECT ensure_reading_partition(${`${month}-01`}::date)`.execute(trx)
      }
      let count = 0
      if (readings.length > 0 && mode === 'plain') {
        await sql`
          INSERT INTO reading (sid, ts, value)
          SELECT sid, to_timestamp(ms / 1000.0), value
          FROM unnest(${numbers(readings.map((r) => r.sid))}::int[], ${numbers(readings.map((r) => r.ts))}::float8[], ${numbers(readings.map((r) => r.value))}::float8[])
            AS input (sid, ms, value)`.execute(trx)
        count = readings.length
        await this.mergeRollups(trx, this.rollups.compute(readings))
      } else if (readings.length > 0) {
        const { rows } = await sql<{ inserted: number; repeated: Array<{ sid: number; ms: number; conflict: boolean }> | null }>`
          WITH input AS MATERIALIZED (
            SELECT sid, to_timestamp(ms / 1000.0) AS ts, value
            FROM unnest(${numbers(readings.map((r) => r.sid))}::int[], ${numbers(readings.map((r) => r.ts))}::float8[], ${numbers(readings.map((r) => r.value))}::float8[])
              AS input (sid, ms, value)
          ),
          inserted AS (
            INSERT INTO reading (sid, ts, value) SELECT sid, ts, value FROM input
            ON CONFLICT (sid, ts) DO NOTHING
            RETURNING sid, ts
          ),
          -- Not inserted: already stored. The same value is a harmless re-delivery; another value is a conflict.
          repeated AS MATERIALIZED (
            SELECT i.sid, i.ts, i.value FROM input i LEFT JOIN inserted x ON x.sid = i.sid AND x.ts = i.ts WHERE x.sid IS NULL
          )
          SELECT counted.inserted,
                 -- Only looked at when some row was not inserted: the usual batch pays nothing for it.
                 CASE WHEN counted.inserted = ${readings.length} THEN NULL ELSE
                   (SELECT json_agg(json_build_object('sid', r.sid, 'ms', extract(epoch FROM r.ts) * 1000, 'conflict', stored.value <> r.value))
                    FROM repeated r JOIN reading stored ON stored.sid = r.sid AND stored.ts = r.ts) END AS repeated
          FROM (SELECT count(*)::int AS inserted FROM inserted) AS counted`.execute(trx)
        const repeated = rows[0]?.repeated ?? []
        const conflicts = repeated.filter((r) => r.conflict)
        if (conflicts.length > 0) throw new ConflictingReadings(conflicts.map((c) => ({ sid: c.sid, ts: c.ms })))
        count = rows[0]?.inserted ?? 0
        const already = new Set(repeated.map((r) => readingKey(r.sid, r.ms)))
        const fresh = already.size === 0 ? readings : readings.filter((r) => !already.has(readingKey(r.sid, r.ts)))
        if (fresh.length > 0) await this.mergeRollups(trx, this.rollups.compute(fresh))
      }
      // The live layers' caches, in whichever process serves them, hear of the new readings at commit.
      if (count > 0) await sql`SELECT pg_notify(${LAYER_CHANNEL}, layer) FROM unnest(${LIVE_LAYERS}::text[]) AS layer`.execute(trx)
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

  /** Merges the batch's hourly and daily rollups into the stored ones, in one statement. */
  private async mergeRollups(trx: Transaction<Schema>, { hourly, daily }: BatchRollups): Promise<void> {
    const columns = (rows: readonly Rollup[]) => [
      rows.map((r) => r.sid), rows.map((r) => r.n), rows.map((r) => r.sum), rows.map((r) => r.min), rows.map((r) => r.max),
      rows.map((r) => r.firstTs), rows.map((r) => r.firstValue), rows.map((r) => r.lastTs), rows.map((r) => r.lastValue),
    ].map(numbers)
    const [hs, hn, hsum, hmin, hmax, hft, hfv, hlt, hlv] = columns(hourly)
    const [ds, dn, dsum, dmin, dmax, dft, dfv, dlt, dlv] = columns(daily)
    await sql`
      WITH hourly AS (
        INSERT INTO reading_hourly AS h (sid, hour, n, sum, min, max, first_ts, first_value, last_ts, last_value)
        SELECT sid, to_timestamp(hour / 1000.0), n, sum, min, max, to_timestamp(first_ms / 1000.0), first_value, to_timestamp(last_ms / 1000.0), last_value
        FROM unnest(${hs}::int[], ${numbers(hourly.map((r) => r.period as number))}::float8[], ${hn}::int[], ${hsum}::float8[], ${hmin}::float8[], ${hmax}::float8[],
                    ${hft}::float8[], ${hfv}::float8[], ${hlt}::float8[], ${hlv}::float8[])
          AS r (sid, hour, n, sum, min, max, first_ms, first_value, last_ms, last_value)
        ON CONFLICT (sid, hour) DO UPDATE SET ${mergeRollup('h')}
      )
      INSERT INTO reading_daily AS d (sid, day, n, sum, min, max, first_ts, first_value, last_ts, last_value)
      SELECT sid, day::date, n, sum, min, max, to_timestamp(first_ms / 1000.0), first_value, to_timestamp(last_ms / 1000.0), last_value
      FROM unnest(${ds}::int[], ${daily.map((r) => r.period)}::text[], ${dn}::int[], ${dsum}::float8[], ${dmin}::float8[], ${dmax}::float8[],
                  ${dft}::float8[], ${dfv}::float8[], ${dlt}::float8[], ${dlv}::float8[])
        AS r (sid, day, n, sum, min, max, first_ms, first_value, last_ms, last_value)
      ON CONFLICT (sid, day) DO UPDATE SET ${mergeRollup('d')}`.execute(trx)
  }
}

/**
 * A PostgreSQL array literal of finite numbers. node-postgres escapes array elements one by one,
 * which profiling showed costs more than the rest of a batch's preparation; numbers need none.
 */
function numbers(values: readonly number[]): string {
  return `{${values.join(',')}}`
}

/** A unique violation on the readings table (a partition's primary key): some reading is stored already. */
function isStoredAlready(error: unknown): boolean {
  const { code, table } = error as { code?: unknown; table?: unknown }
  return code === '23505' && typeof table === 'string' && /^reading(_|$)/.test(table)
}

/** (sensor, time) to the microsecond, the resolution of a PostgreSQL timestamp. */
export function readingKey(sid: number, ms: number): string {
  return `${sid}:${Math.round(ms * 1000)}`
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
