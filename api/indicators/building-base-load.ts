/**
 * A building's base load over recent weeks (base-load.ts), from the hourly rollups of its energy
 * meters (kWh carriers): an hour counts when every meter has a reading in it and in the hour
 * before, the index not going down; its energy is the step between the two hours' last readings.
 * Hours are classified occupied or not by the building's schedule (its own, else its use's;
 * schools empty in the school holidays), in local time.
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { baseLoad, type BaseLoad, type HourUse } from './base-load.ts'

export const BASE_LOAD_DAYS = 28
const DAY_MS = 86_400_000

export interface BuildingBaseLoad extends BaseLoad {
  readonly from: string
  readonly to: string
}

/** Over the BASE_LOAD_DAYS local days ending with `to` (included). */
export async function buildingBaseLoad(db: Kysely<Schema>, buildingId: string, to: string, timeZone: string): Promise<BuildingBaseLoad> {
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (BASE_LOAD_DAYS - 1) * DAY_MS).toISOString().slice(0, 10)
  const { rows } = await sql<{ sid: number; epoch: number; day: string; hour: number; weekday: number; last_value: number; min: number; first_value: number }>`
    SELECT h.sid, extract(epoch FROM h.hour)::float8 AS epoch, l.t::date::text AS day,
           extract(hour FROM l.t)::int AS hour, extract(isodow FROM l.t)::int AS weekday,
           h.last_value, h.min, h.first_value
    FROM reading_hourly h CROSS JOIN LATERAL (SELECT h.hour AT TIME ZONE ${timeZone} AS t) AS l -- one time-zone conversion a row
    WHERE h.sid IN (
        SELECT s.sid FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier k ON k.id = s.carrier
        WHERE d.building_id = ${buildingId} AND s.kind = 'counter' AND k.unit = 'kWh')
      AND h.hour >= ((${from}::date - 1)::timestamp AT TIME ZONE ${timeZone}) AND h.hour < ((${to}::date + 1)::timestamp AT TIME ZONE ${timeZone})
    ORDER BY h.sid, h.hour`.execute(db)
  const { rows: meterRows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier k ON k.id = s.carrier
    WHERE d.building_id = ${buildingId} AND s.kind = 'counter' AND k.unit = 'kWh'`.execute(db)
  const occupied = await occupancyOf(db, buildingId, from, to)
  // Per hour, the sum over meters of the step from the previous hour's last reading.
  const perHour = new Map<number, { kwh: number; meters: number; use: Omit<HourUse, 'kwh'> }>()
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!
    const b = rows[i]!
    if (a.sid !== b.sid || b.epoch - a.epoch !== 3600 || b.day < from) continue
    if (b.min < a.last_value || b.last_value < b.first_value) continue // the index went back: not this hour
    const h = perHour.get(b.epoch) ?? { kwh: 0, meters: 0, use: { hour: b.hour, weekday: b.weekday, occupied: occupied(b.day, b.weekday, b.hour) } }
    h.kwh += b.last_value - a.last_value
    h.meters++
    perHour.set(b.epoch, h)
  }
  const meters = meterRows[0]?.n ?? 0
  const hours: HourUse[] = []
  for (const h of perHour.values()) if (h.meters === meters) hours.push({ ...h.use, kwh: h.kwh }) // a meter silent that hour: its share unknown
  return { from, to, ...baseLoad(hours) }
}

/**
 * Whether the building is occupied in the local hour starting at `hour`:00 of `day` (ISO weekday):
 * its schedule (its own rows, else its use's), schools empty during the school holidays.
 */
export async function occupancyOf(db: Kysely<Schema>, buildingId: string, from: string, to: string): Promise<(day: string, weekday: number, hour: number) => boolean> {
  const { rows: schedule } = await sql<{ weekday: number; opens: string; closes: string }>`
    SELECT weekday, opens::text, closes::text FROM building_schedule WHERE building_id = ${buildingId}
    UNION ALL
    SELECT o.weekday, o.opens::text, o.closes::text FROM building b JOIN occupancy_schedule o ON o.usage = b.usage
    WHERE b.id = ${buildingId} AND NOT EXISTS (SELECT 1 FROM building_schedule x WHERE x.building_id = b.id)`.execute(db)
  const { rows: holidays } = await sql<{ starts: string; ends: string }>`
    SELECT h.starts::text, h.ends::text FROM school_holiday h, building b
    WHERE b.id = ${buildingId} AND b.usage = 'ecole' AND h.ends >= ${from}::date AND h.starts <= ${to}::date`.execute(db)
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))
  const slots = schedule.map((s) => ({ weekday: s.weekday, opens: minutes(s.opens), closes: minutes(s.closes) }))
  return (day, weekday, hour) =>
    !holidays.some((h) => day >= h.starts && day <= h.ends) && slots.some((s) => s.weekday === weekday && hour * 60 >= s.opens && hour * 60 < s.closes)
}
