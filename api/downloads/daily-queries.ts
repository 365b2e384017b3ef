/**
 * Daily aggregates of readings, read from the daily rollup (`reading_daily`, local days of
 * HUB_TIMEZONE) and never from raw readings, page by page in key order (keyset paging: each page
 * a short statement of its own, nothing held open while the client reads).
 *
 * Per sensor: the day's count, mean, min, max, sum, first and last reading; for a counter (an
 * energy index) the day's increase, last − first value of the day. Per building, by quantity and
 * unit over its sensors: the mean of the sensors' means weighted by their counts (Σ sum / Σ n),
 * the min of mins, the max of maxes, and for counters the sum of the sensors' daily increases.
 * A daily increase leaves out what happened between the previous day's last reading and the
 * day's first one (at most one reading interval).
 */
import { sql, type Kysely } from 'kysely'
import { NotFoundError, scopeCondition, type Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'

/** [from, to) as local days 'YYYY-MM-DD'; null bounds are open. */
export interface DayRange {
  readonly from: string | null
  readonly to: string | null
}

export interface SensorDay {
  readonly key: number
  readonly day: string
  readonly sensor: string
  readonly quantity: string
  readonly unit: string
  readonly n: number
  readonly mean: number
  readonly min: number
  readonly max: number
  readonly sum: number
  readonly first_time: string
  readonly first_value: number
  readonly last_time: string
  readonly last_value: number
  readonly increase: number | null
  readonly geometry: string | null
}

export interface BuildingDay {
  readonly day: string
  readonly building: string
  readonly quantity: string
  readonly unit: string
  readonly sensors: number
  readonly n: number
  readonly mean: number
  readonly min: number
  readonly max: number
  readonly increase: number | null
  readonly geometry: string | null
}

const utc = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)

/** The scope over a sensor's device (d) and its commune (c). */
function sensorInScope(scope: Scope) {
  return scopeCondition(scope, { epci: 'c.epci_siren', commune: 'c.insee', building: 'd.building_id' })
}

function dayConditions(range: DayRange) {
  return sql`${range.from === null ? sql`true` : sql`r.day >= ${range.from}::date`} AND ${range.to === null ? sql`true` : sql`r.day < ${range.to}::date`}`
}

/** The internal key of a published sensor within the scope. */
export async function sensorKey(db: Kysely<Schema>, scope: Scope, id: string): Promise<number> {
  const { rows } = await sql<{ sid: number }>`
    SELECT s.sid FROM sensor s JOIN device d ON d.id = s.device_id LEFT JOIN commune c ON c.insee = d.commune_insee
    WHERE s.id = ${id} AND ${sensorInScope(scope)}`.execute(db)
  if (!rows[0]) throw new NotFoundError(`no sensor ${id}`)
  return rows[0].sid
}

export async function assertBuilding(db: Kysely<Schema>, scope: Scope, id: string): Promise<void> {
  const { rows } = await sql<{ id: string }>`
    SELECT b.id FROM building b JOIN commune c ON c.insee = b.commune_insee WHERE b.id = ${id} AND ${scopeCondition(scope, { epci: 'c.epci_siren', commune: 'c.insee', building: 'b.id' })}`.execute(db)
  if (!rows[0]) throw new NotFoundError(`no building ${id}`)
}

/** Sensor-days after `after` in (sensor key, day) order: one sensor's, or every sensor's in the scope. */
export async function sensorDaysAfter(
  db: Kysely<Schema>,
  scope: Scope,
  sid: number | null,
  range: DayRange,
  after: { key: number; day: string } | null,
  limit: number,
): Promise<SensorDay[]> {
  const { rows } = await sql<SensorDay>`
    SELECT r.sid AS key, to_char(r.day, 'YYYY-MM-DD') AS day, s.id AS sensor, s.quantity, s.unit,
      r.n, r.sum / r.n AS mean, r.min, r.max, r.sum,
      ${utc('r.first_ts')} AS first_time, r.first_value, ${utc('r.last_ts')} AS last_time, r.last_value,
      CASE WHEN s.kind = 'counter' THEN r.last_value - r.first_value END AS increase,
      ST_AsGeoJSON(d.geom, 6) AS geometry
    FROM reading_daily r
    JOIN sensor s ON s.sid = r.sid
    JOIN device d ON d.id = s.device_id
    LEFT JOIN commune c ON c.insee = d.commune_insee
    WHERE ${sid === null ? sql`true` : sql`r.sid = ${sid}`} AND ${dayConditions(range)} AND ${sensorInScope(scope)}
      AND ${after === null ? sql`true` : sql`(r.sid, r.day) > (${after.key}::int, ${after.day}::date)`}
    ORDER BY r.sid, r.day
    LIMIT ${limit}`.execute(db)
  return rows
}

/** A building's days after `after` in (day, quantity, unit) order, aggregated over its sensors. */
export async function buildingDaysAfter(
  db: Kysely<Schema>,
  building: string,
  range: DayRange,
  after: { day: string; quantity: string; unit: string } | null,
  limit: number,
): Promise<BuildingDay[]> {
  const { rows } = await sql<BuildingDay>`
    SELECT to_char(r.day, 'YYYY-MM-DD') AS day, ${building}::text AS building, s.quantity, s.unit,
      count(*)::int AS sensors, sum(r.n)::int AS n, sum(r.sum) / sum(r.n) AS mean, min(r.min) AS min, max(r.max) AS max,
      sum(r.last_value - r.first_value) FILTER (WHERE s.kind = 'counter') AS increase,
      (SELECT ST_AsGeoJSON(ST_PointOnSurface(b.geom), 6) FROM building b WHERE b.id = ${building}) AS geometry
    FROM reading_daily r
    JOIN sensor s ON s.sid = r.sid
    JOIN device d ON d.id = s.device_id
    WHERE d.building_id = ${building} AND ${dayConditions(range)}
      AND ${after === null ? sql`true` : sql`(r.day, s.quantity, s.unit) > (${after.day}::date, ${after.quantity}::text, ${after.unit}::text)`}
    GROUP BY r.day, s.quantity, s.unit
    ORDER BY r.day, s.quantity, s.unit
    LIMIT ${limit}`.execute(db)
  return rows
}

/** First and last day with readings, by one probe of each sensor's end of the daily rollup's key. */
export async function readingDays(db: Kysely<Schema>, scope: Scope): Promise<{ first: string | null; last: string | null }> {
  const { rows } = await sql<{ first: string | null; last: string | null }>`
    SELECT to_char(min(f.day), 'YYYY-MM-DD') AS first, to_char(max(l.day), 'YYYY-MM-DD') AS last
    FROM sensor s JOIN device d ON d.id = s.device_id LEFT JOIN commune c ON c.insee = d.commune_insee
    CROSS JOIN LATERAL (SELECT day FROM reading_daily r WHERE r.sid = s.sid ORDER BY day LIMIT 1) f
    CROSS JOIN LATERAL (SELECT day FROM reading_daily r WHERE r.sid = s.sid ORDER BY day DESC LIMIT 1) l
    WHERE ${sensorInScope(scope)}`.execute(db)
  return rows[0] ?? { first: null, last: null }
}
