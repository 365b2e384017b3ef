/**
 * Readings for a demo building, so its panel and its commune's ranking have a consumption to
 * show: the simulator's own hourly values (sensors/simulated-values.ts) of its electricity index
 * and indoor temperature over the last days, and the demo weather station's outdoor temperature
 * (its degree-days: a signature from 14 days on), then the daily energy rollup refreshed.
 */
import { localDay, refreshEnergy } from '../api/index.ts'
import { ReadingWriter, type Reading } from '../ingestion/index.ts'
import { simulatedBuilding, simulatedValue } from '../sensors/index.ts'
import type { Database } from '../sql/index.ts'

const HOUR_MS = 3_600_000
const TZ = 'Europe/Paris'

export async function writeDemoReadings(database: Database, buildingId: string, days = 10): Promise<void> {
  const { rows } = await database.pool.query<{ sid: number; device: string; quantity: string; usage: string | null; floor_area_m2: number | null }>(
    `SELECT s.sid, d.id AS device, s.quantity, b.usage, b.floor_area_m2
     FROM sensor s JOIN device d ON d.id = s.device_id LEFT JOIN building b ON b.id = d.building_id
     WHERE (d.building_id = $1 AND s.quantity IN ('energy_index', 'temperature')) OR (d.synthetic AND d.building_id IS NULL AND s.quantity = 'temperature')`,
    [buildingId])
  // Each caller's station readings at its own second of the hour: two test files never write the same reading.
  const offset = ([...buildingId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 3_000, 7) + 1) * 1000
  const readings: Reading[] = []
  const start = Math.floor((Date.now() - days * 86_400_000) / HOUR_MS) * HOUR_MS
  for (const r of rows) {
    const station = r.usage === null
    const building = simulatedBuilding(r.device, r.usage, r.floor_area_m2)
    for (let t = start + (station ? offset : 0); t < Date.now() - HOUR_MS; t += HOUR_MS) {
      readings.push({ sid: r.sid, ts: t, value: simulatedValue(building, { channel: r.quantity, quantity: r.quantity, unit: '' }, t / 1000, TZ) })
    }
  }
  // Readings of the simulator, or of another test file, may exist: conflicting ones are refused, the rest written.
  await new ReadingWriter(database.db, TZ).write(readings, []).catch(() => undefined)
  await refreshEnergy(database.db, localDay(new Date(start), TZ), TZ)
}
