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
  const { rows } = await sql<{ sid: number; epoch: number; day: string; hour: number; weekday: number; last_value: number; min: number; first_value: number; meters: number; occupied: boolean }>`
    WITH meters AS (
      SELECT s.sid FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier k ON k.id = s.carrier
      WHERE d.building_id = ${buildingId} AND s.kind = 'counter' AND k.unit = 'kWh'
    ),
    sched AS (
      SELECT o.weekday, o.opens, o.closes FROM building b JOIN occupancy_schedule o ON o.usage = b.usage
      WHERE b.id = ${buildingId} AND NOT EXISTS (SELECT 1 FROM building_schedule x WHERE x.building_id = b.id)
      UNION ALL
      SELECT weekday, opens, closes FROM building_schedule WHERE building_id = ${buildingId}
    )
    SELECT h.sid, extract(epoch FROM h.hour)::float8 AS epoch, to_char(h.hour AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day,
           extract(hour FROM h.hour AT TIME ZONE ${timeZone})::int AS hour, extract(isodow FROM h.hour AT TIME ZONE ${timeZone})::int AS weekday,
           h.last_value, h.min, h.first_value,
           (SELECT count(*) FROM meters)::int AS meters,
           EXISTS (SELECT 1 FROM sched WHERE sched.weekday = extract(isodow FROM h.hour AT TIME ZONE ${timeZone})
                   AND (h.hour AT TIME ZONE ${timeZone})::time >= sched.opens AND (h.hour AT TIME ZONE ${timeZone})::time < sched.closes)
             AND NOT ((SELECT usage FROM building WHERE id = ${buildingId}) = 'ecole'
                      AND EXISTS (SELECT 1 FROM school_holiday x WHERE (h.hour AT TIME ZONE ${timeZone})::date BETWEEN x.starts AND x.ends)) AS occupied
    FROM reading_hourly h
    WHERE h.sid IN (SELECT sid FROM meters)
      AND h.hour >= ((${from}::date - 1)::timestamp AT TIME ZONE ${timeZone}) AND h.hour < ((${to}::date + 1)::timestamp AT TIME ZONE ${timeZone})
    ORDER BY h.sid, h.hour`.execute(db)
  // Per hour, the sum over meters of the step from the previous hour's last reading.
  const perHour = new Map<number, { kwh: number; meters: number; use: Omit<HourUse, 'kwh'> }>()
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!
    const b = rows[i]!
    if (a.sid !== b.sid || b.epoch - a.epoch !== 3600 || b.day < from) continue
    if (b.min < a.last_value || b.last_value < b.first_value) continue // the index went back: not this hour
    const h = perHour.get(b.epoch) ?? { kwh: 0, meters: 0, use: { hour: b.hour, weekday: b.weekday, occupied: b.occupied } }
    h.kwh += b.last_value - a.last_value
    h.meters++
    perHour.set(b.epoch, h)
  }
  const meters = rows[0]?.meters ?? 0
  const hours: HourUse[] = []
  for (const h of perHour.values()) if (h.meters === meters) hours.push({ ...h.use, kwh: h.kwh }) // a meter silent that hour: its share unknown
  return { from, to, ...baseLoad(hours) }
}
