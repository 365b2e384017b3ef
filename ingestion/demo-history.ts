/**
 * The demo's past: on the first start, the readings the simulated devices would have sent over
 * the last weeks, hourly, written like any batch (ingestion/reading-writer.ts: readings and
 * rollups). Without them a fresh demo has charts of a few minutes, no energy signature and no
 * décret trajectory. The values are the simulator's own (sensors/simulated-values.ts), functions
 * of time only, so the live readings that follow continue the same series.
 *
 * Meters and the weather station get `energyDays` (from late summer, autumn's degree-days make a
 * signature); indoor temperature, humidity and CO₂ get `airDays` (the building panel's charts
 * show 30 days). About 860,000 readings: written in the background on first start.
 */
import { sql, type Kysely } from 'kysely'
import type { Logger } from '../core/index.ts'
import { simulatedBuilding, simulatedValue } from '../sensors/index.ts'
import type { Schema } from '../sql/index.ts'
import { ReadingWriter, type Reading } from './reading-writer.ts'

export const DEMO_HISTORY = { energyDays: 90, airDays: 30 } as const
const HOUR_MS = 3_600_000
/**
 * Readings per written batch: one transaction each, the writer's rollups merged per batch. Small
 * enough that the API's queries, queued behind one on the embedded engine, wait a fraction of a second.
 */
const BATCH = 5_000

export interface DemoHistoryReport {
  readonly readings: number
  readonly sensors: number
  /** The first local day written. */
  readonly fromDay: string
  /** False when stopped (`signal`) before the end. */
  readonly complete: boolean
  readonly ms: number
}

/** Writes the synthetic devices' hourly readings of the past days, up to the hour before `now`. */
export async function writeDemoHistory(
  db: Kysely<Schema>,
  log: Logger,
  options: { readonly now?: Date; readonly timeZone?: string; readonly energyDays?: number; readonly airDays?: number; readonly signal?: AbortSignal } = {},
): Promise<DemoHistoryReport> {
  const started = Date.now()
  const timeZone = options.timeZone ?? 'Europe/Paris'
  const end = Math.floor((options.now ?? new Date()).getTime() / HOUR_MS) * HOUR_MS
  const energyFrom = end - (options.energyDays ?? DEMO_HISTORY.energyDays) * 24 * HOUR_MS
  const airFrom = end - (options.airDays ?? DEMO_HISTORY.airDays) * 24 * HOUR_MS
  const { rows: sensors } = await sql<{ sid: number; device: string; channel: string; quantity: string; unit: string; usage: string | null; floor_area_m2: number | null }>`
    SELECT s.sid, d.id AS device, s.channel, s.quantity, s.unit, b.usage, b.floor_area_m2
    FROM sensor s JOIN device d ON d.id = s.device_id LEFT JOIN building b ON b.id = d.building_id
    WHERE d.synthetic ORDER BY s.sid`.execute(db)
  // Meters and the station from energyFrom, indoor air from airFrom.
  const simulated = sensors.map((s) => ({
    ...s, building: simulatedBuilding(s.device, s.usage, s.floor_area_m2), from: s.quantity === 'energy_index' || s.usage === null ? energyFrom : airFrom,
  }))
  const writer = new ReadingWriter(db, timeZone)
  let batch: Reading[] = []
  let written = 0
  const flush = async () => {
    if (batch.length === 0) return
    await writer.write(batch, [])
    written += batch.length
    batch = []
  }
  // Hour by hour across sensors: each batch is a few hours of the whole demo, the order a live feed has.
  for (let ts = Math.min(energyFrom, airFrom); ts < end; ts += HOUR_MS) {
    for (const s of simulated) {
      if (ts < s.from) continue
      batch.push({ sid: s.sid, ts, value: simulatedValue(s.building, s, ts / 1000, timeZone) })
    }
    if (batch.length >= BATCH) await flush()
    if (options.signal?.aborted) break
  }
  const complete = !options.signal?.aborted
  if (complete) await flush()
  const fromDay = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Math.min(energyFrom, airFrom))
  const report = { readings: written, sensors: sensors.length, fromDay, complete, ms: Date.now() - started }
  log.info(complete ? 'demo history written' : 'demo history stopped before its end', { ...report })
  return report
}
