/**
 * Keeps the energy rollups the indicators read (migration 0012) from the ingestion's rollups:
 * `energy_daily` and `energy_gap` per meter — an index from the daily rollups
 * (counterConsumption), a power from the hourly ones (powerEnergy) — then `energy_monthly`
 * per building, carrier and month. A refresh recomputes every day from `from` on, for every meter
 * (each meter's last day before `from` is read too: it gives the first day its step, or a gap);
 * the hub runs it every
 * INDICATOR_REFRESH_S over the last days, and over the current and previous years at start.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { counterConsumption, needsReadings, sumOfRises, type CounterDay } from './counter-consumption.ts'
import { powerEnergy } from './power-energy.ts'

export interface EnergyRefresh {
  readonly meters: number
  readonly days: number
  readonly gaps: number
  readonly months: number
}

interface DailyRow {
  sid: number
  day: string
  first_ts: Date
  first_value: number
  last_ts: Date
  last_value: number
  min: number
  max: number
  register_max: number | null
}

/** `from`: the first local day to recompute (YYYY-MM-DD). */
export async function refreshEnergy(db: Kysely<Schema>, from: string, timeZone: string): Promise<EnergyRefresh> {
  return db.transaction().execute(async (trx) => {
    // One refresh at a time, in whichever process (the hub, a command): each rewrites the days from `from`.
    await sql`SELECT pg_advisory_xact_lock(hashtext('territoire.energy_refresh'))`.execute(trx)
    const { rows } = await sql<DailyRow>`
      SELECT s.sid, d.day::text AS day, d.first_ts, d.first_value, d.last_ts, d.last_value, d.min, d.max, s.max_value AS register_max
      FROM sensor s
      CROSS JOIN LATERAL (
        (SELECT * FROM reading_daily p WHERE p.sid = s.sid AND p.day < ${from}::date ORDER BY p.day DESC LIMIT 1)
        UNION ALL
        (SELECT * FROM reading_daily r WHERE r.sid = s.sid AND r.day >= ${from}::date)
      ) AS d
      WHERE s.carrier IS NOT NULL AND s.kind = 'counter'
      ORDER BY s.sid, d.day`.execute(trx)

    // Days whose rollup cannot tell where a reset's peak was: their own raw readings (a few, rarely).
    const ambiguous = rows.filter((r) => needsReadings({ day: r.day, firstTs: r.first_ts, firstValue: r.first_value, lastTs: r.last_ts, lastValue: r.last_value, min: r.min, max: r.max }))
    const withinDay = new Map<string, number>()
    if (ambiguous.length > 0) {
      const { rows: raw } = await sql<{ sid: number; day: string; values: number[] }>`
        SELECT a.sid, a.day::text AS day, array_agg(r.value ORDER BY r.ts) AS values
        FROM unnest(${ambiguous.map((r) => r.sid)}::int[], ${ambiguous.map((r) => r.day)}::date[]) AS a (sid, day)
        JOIN reading r ON r.sid = a.sid AND r.ts >= (a.day::timestamp AT TIME ZONE ${timeZone}) AND r.ts < ((a.day + 1)::timestamp AT TIME ZONE ${timeZone})
        GROUP BY 1, 2`.execute(trx)
      for (const r of raw) withinDay.set(`${r.sid}/${r.day}`, sumOfRises(r.values))
    }

    const out = { sid: [] as number[], day: [] as string[], consumption: [] as number[], resets: [] as number[], joined: [] as boolean[] }
    const gaps = { sid: [] as number[], from: [] as Date[], to: [] as Date[], consumption: [] as (number | null)[] }
    const meters = new Set<number>()
    for (let i = 0; i < rows.length; ) {
      const sid = rows[i]!.sid
      const series: CounterDay[] = []
      const registerMax = rows[i]!.register_max
      for (; i < rows.length && rows[i]!.sid === sid; i++) {
        const r = rows[i]!
        const within = withinDay.get(`${sid}/${r.day}`)
        series.push({ day: r.day, firstTs: r.first_ts, firstValue: r.first_value, lastTs: r.last_ts, lastValue: r.last_value, min: r.min, max: r.max, ...(within === undefined ? {} : { withinDay: within }) })
      }
      meters.add(sid)
      const result = counterConsumption(series, registerMax === null ? {} : { registerMax })
      for (const d of result.days) {
        if (d.day < from) continue // the last day before `from`: read for its last index only
        out.sid.push(sid)
        out.day.push(d.day)
        out.consumption.push(d.consumption)
        out.resets.push(d.resets)
        out.joined.push(d.joined)
      }
      for (const g of result.gaps) {
        gaps.sid.push(sid)
        gaps.from.push(g.from)
        gaps.to.push(g.to)
        gaps.consumption.push(g.consumption)
      }
    }

    // Power meters (a gauge in W or kW): each day's energy from its hourly means (power-energy.ts);
    // a day is complete (`joined`) when every one of its hours has readings.
    const { rows: power } = await sql<{ sid: number; unit: string; day: string; n: number; sum: number; day_hours: number }>`
      SELECT h.sid, s.unit, to_char(h.hour AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, h.n, h.sum,
             extract(epoch FROM ((((h.hour AT TIME ZONE ${timeZone})::date + 1)::timestamp AT TIME ZONE ${timeZone})
                                 - (((h.hour AT TIME ZONE ${timeZone})::date)::timestamp AT TIME ZONE ${timeZone}))) / 3600 AS day_hours
      FROM sensor s JOIN reading_hourly h ON h.sid = s.sid
      WHERE s.carrier IS NOT NULL AND s.kind = 'gauge' AND s.unit IN ('W', 'kW') AND h.hour >= (${from}::date::timestamp AT TIME ZONE ${timeZone})
      ORDER BY h.sid, h.hour`.execute(trx)
    for (let i = 0; i < power.length; ) {
      const { sid, unit } = power[i]!
      const hours: { day: string; n: number; sum: number }[] = []
      const dayHours = new Map<string, number>()
      for (; i < power.length && power[i]!.sid === sid; i++) {
        hours.push(power[i]!)
        dayHours.set(power[i]!.day, Number(power[i]!.day_hours))
      }
      meters.add(sid)
      for (const d of powerEnergy(hours)) {
        out.sid.push(sid)
        out.day.push(d.day)
        out.consumption.push(unit === 'W' ? d.energy / 1000 : d.energy)
        out.resets.push(0)
        out.joined.push(d.hours === dayHours.get(d.day))
      }
    }

    await sql`DELETE FROM energy_daily WHERE day >= ${from}::date`.execute(trx)
    if (out.sid.length > 0) {
      await sql`
        INSERT INTO energy_daily (sid, day, consumption, resets, joined)
        SELECT * FROM unnest(${out.sid}::int[], ${out.day}::date[], ${out.consumption}::float8[], ${out.resets}::int[], ${out.joined}::boolean[])`.execute(trx)
    }
    // Gaps ending on or after `from` were all seen again.
    await sql`DELETE FROM energy_gap WHERE (to_ts AT TIME ZONE ${timeZone})::date >= ${from}::date`.execute(trx)
    if (gaps.sid.length > 0) {
      await sql`
        INSERT INTO energy_gap (sid, from_ts, to_ts, consumption)
        SELECT * FROM unnest(${gaps.sid}::int[], ${gaps.from}::timestamptz[], ${gaps.to}::timestamptz[], ${gaps.consumption}::float8[])
        ON CONFLICT (sid, from_ts) DO UPDATE SET to_ts = excluded.to_ts, consumption = excluded.consumption`.execute(trx)
    }

    const month = sql`date_trunc('month', ${from}::date)::date`
    await sql`DELETE FROM energy_monthly WHERE month >= ${month}`.execute(trx)
    const written = await sql`
      INSERT INTO energy_monthly (building_id, carrier, month, consumption, days)
      SELECT d.building_id, s.carrier, date_trunc('month', e.day)::date, sum(e.consumption), count(DISTINCT e.day)::int
      FROM energy_daily e JOIN sensor s ON s.sid = e.sid JOIN device d ON d.id = s.device_id
      WHERE e.day >= ${month} AND d.building_id IS NOT NULL AND s.carrier IS NOT NULL
      GROUP BY 1, 2, 3`.execute(trx)
    return { meters: meters.size, days: out.sid.length, gaps: gaps.sid.length, months: Number(written.numAffectedRows ?? 0) }
  })
}
