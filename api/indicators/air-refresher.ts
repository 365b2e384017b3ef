/**
 * Keeps `air_daily`, the counts indoor-air indicators are made of, per sensor and local day, over
 * the occupied hours of the sensor's building (its own weekly schedule, else its use's; schools
 * empty during the school holidays):
 * - CO₂: readings, of which in [1000, 1700] ppm and above 1700 ppm — ICONE's classes
 *   (icone.ts). Counted from the raw readings of the days refreshed, once: a class count cannot
 *   be rebuilt from an hourly mean, and requests then add these counts up;
 * - temperature: occupied hours (by the hour's mean, from the hourly rollups), of which below
 *   19 °C in the heating season (1 October – 20 May) and above 26 °C in summer (1 June –
 *   15 September): the setpoints of the French rules for heating (19 °C, Code de l'énergie
 *   R241-26) and cooling (26 °C, R241-30).
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'

/** The occupied test of a local time `t` in building `b` of use `u` (SQL over sched, school_holiday). */
const OCCUPIED = (t: string, b: string, u: string) => sql.raw(`
  EXISTS (SELECT 1 FROM sched WHERE sched.building_id = ${b} AND sched.weekday = extract(isodow FROM ${t})
          AND ${t}::time >= sched.opens AND ${t}::time < sched.closes)
  AND NOT (${u} = 'ecole' AND EXISTS (SELECT 1 FROM school_holiday h WHERE ${t}::date BETWEEN h.starts AND h.ends))`)

const SCHEDULES = sql`
  sched AS MATERIALIZED (
    SELECT b.id AS building_id, o.weekday, o.opens, o.closes FROM building b JOIN occupancy_schedule o ON o.usage = b.usage
    WHERE NOT EXISTS (SELECT 1 FROM building_schedule x WHERE x.building_id = b.id)
    UNION ALL
    SELECT building_id, weekday, opens, closes FROM building_schedule
  )`

/** `from`: the first local day to recompute; `to`: the last (default: every day since `from`). */
export async function refreshAir(db: Kysely<Schema>, from: string, timeZone: string, to: string | null = null): Promise<{ sensorDays: number }> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('territoire.air_refresh'))`.execute(trx)
    await sql`DELETE FROM air_daily WHERE day >= ${from}::date ${to === null ? sql`` : sql`AND day <= ${to}::date`}`.execute(trx)
    const start = sql`(${from}::date::timestamp AT TIME ZONE ${timeZone})`
    // The end: the next local midnight after `to`, or far enough.
    const end = to === null ? sql`'infinity'::timestamptz` : sql`((${to}::date + 1)::timestamp AT TIME ZONE ${timeZone})`
    const result = await sql`
      WITH ${SCHEDULES},
      co2 AS (
        SELECT s.sid, (r.ts AT TIME ZONE ${timeZone}) AS t, r.value, b.id AS building_id, b.usage
        FROM sensor s JOIN device d ON d.id = s.device_id JOIN building b ON b.id = d.building_id JOIN reading r ON r.sid = s.sid
        WHERE s.quantity = 'co2' AND r.ts >= ${start} AND r.ts < ${end}
      ),
      temperature AS (
        SELECT s.sid, (h.hour AT TIME ZONE ${timeZone}) AS t, h.sum / h.n AS mean, b.id AS building_id, b.usage
        FROM sensor s JOIN device d ON d.id = s.device_id JOIN building b ON b.id = d.building_id JOIN reading_hourly h ON h.sid = s.sid
        WHERE s.quantity = 'temperature' AND h.hour >= ${start} AND h.hour < ${end}
      )
      INSERT INTO air_daily (sid, day, occupied_n, co2_1000_1700, co2_above_1700, occupied_hours, hours_below_19, hours_above_26)
      SELECT sid, t::date, count(*)::int, count(*) FILTER (WHERE value >= 1000 AND value <= 1700)::int, count(*) FILTER (WHERE value > 1700)::int, 0, 0, 0
      FROM co2 WHERE ${OCCUPIED('co2.t', 'co2.building_id', 'co2.usage')}
      GROUP BY 1, 2
      UNION ALL
      SELECT sid, t::date, 0, 0, 0, count(*)::int,
             count(*) FILTER (WHERE mean < 19 AND (to_char(t, 'MM-DD') >= '10-01' OR to_char(t, 'MM-DD') <= '05-20'))::int,
             count(*) FILTER (WHERE mean > 26 AND to_char(t, 'MM-DD') BETWEEN '06-01' AND '09-15')::int
      FROM temperature WHERE ${OCCUPIED('temperature.t', 'temperature.building_id', 'temperature.usage')}
      GROUP BY 1, 2`.execute(trx)
    return { sensorDays: Number(result.numAffectedRows ?? 0) }
  })
}
