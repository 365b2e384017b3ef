/**
 * The demo's past weeks (ingestion/demo-history.ts) on the run's demo territory: every synthetic
 * sensor's hourly readings, the weather station's among them, written like live ones; the meters'
 * days are the simulator's own series, and a heated building's energy signature is the heating
 * the simulator was given. In December 2023, a month no other test writes.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refreshEnergy } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import { writeDemoHistory } from '../ingestion/demo-history.ts'
import { heatingKwhPerDju, simulatedValue, syntheticDegreeDays } from '../sensors/index.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, json, openDatabase, serve, testApp } from './engines.ts'

const NOW = new Date('2024-01-01T00:00:00Z')
const OPTIONS = { now: NOW, energyDays: 20, airDays: 1, timeZone: 'Europe/Paris' } as const
const DAY_S = 86_400

describe('demo history', () => {
  let database: Database
  let api: { url: string; close: () => Promise<void> }
  let sensors: { sid: number; device: string; quantity: string; building: string | null; usage: string | null; floor_area_m2: number | null }[]
  let first: Awaited<ReturnType<typeof writeDemoHistory>>

  beforeAll(async () => {
    database = await openDatabase()
    api = await serve((await testApp(database)).app)
    sensors = (await sql<(typeof sensors)[number]>`
      SELECT s.sid, d.id AS device, s.quantity, b.id AS building, b.usage, b.floor_area_m2
      FROM sensor s JOIN device d ON d.id = s.device_id LEFT JOIN building b ON b.id = d.building_id
      WHERE d.synthetic ORDER BY s.sid`.execute(database.db)).rows
    first = await writeDemoHistory(database.db, silentLogger, OPTIONS)
    await refreshEnergy(database.db, '2023-12-13', OPTIONS.timeZone)
  }, 240_000)
  afterAll(async () => {
    await api?.close()
    await database?.close()
  })

  it('writes every synthetic sensor hourly: meters and the weather station over energyDays, indoor air over airDays', async () => {
    const slow = sensors.filter((s) => s.quantity === 'energy_index' || s.building === null)
    expect(sensors.some((s) => s.building === null && s.quantity === 'temperature')).toBe(true) // the station
    expect(first).toMatchObject({ complete: true, fromDay: '2023-12-12', readings: slow.length * 20 * 24 + (sensors.length - slow.length) * 24 })
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM reading WHERE sid = ANY(${sensors.map((s) => s.sid)}::int[]) AND ts >= '2023-12-12' AND ts < '2024-01-01'`.execute(database.db)
    expect(rows[0]!.n).toBe(first.readings)
  })

  it('can be written again: the same readings, nothing doubled', async () => {
    const again = await writeDemoHistory(database.db, silentLogger, OPTIONS)
    expect(again.readings).toBe(first.readings)
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM reading WHERE sid = ANY(${sensors.map((s) => s.sid)}::int[]) AND ts >= '2023-12-12' AND ts < '2024-01-01'`.execute(database.db)
    expect(rows[0]!.n).toBe(first.readings)
  })

  it('gives each meter the simulator’s consumption of each day', async () => {
    const meter = sensors.find((s) => s.quantity === 'energy_index' && s.building === '80021-mairie')!
    const { rows } = await sql<{ day: string; consumption: number }>`
      SELECT day::text, consumption FROM energy_daily WHERE sid = ${meter.sid} AND day BETWEEN '2023-12-14' AND '2023-12-30' ORDER BY day`.execute(database.db)
    expect(rows).toHaveLength(17)
    const building = { deviceId: meter.device, usage: meter.usage!, floorAreaM2: meter.floor_area_m2! }
    const channel = { channel: 'energy_index', quantity: 'energy_index', unit: 'kWh' }
    for (const { day, consumption } of rows) {
      // A Paris day of December is 23:00 UTC the day before to 23:00; the last reading of the day is at 22:00 UTC.
      const start = Date.parse(`${day}T00:00:00Z`) / 1000 - 3600
      const expected = simulatedValue(building, channel, start + DAY_S - 3600) - simulatedValue(building, channel, start - 3600)
      expect(consumption).toBeCloseTo(expected, 2)
    }
  })

  it('makes an electrically heated building’s signature slope its heating per degree-day, and an unheated one flat', async () => {
    const meters = sensors.filter((s) => s.quantity === 'energy_index' && s.building?.startsWith('80021-'))
    const heating = (s: (typeof meters)[number]) => heatingKwhPerDju({ deviceId: s.device, usage: s.usage!, floorAreaM2: s.floor_area_m2! })
    const heated = meters.find((s) => heating(s) > 20)!
    const unheated = meters.find((s) => heating(s) === 0)!
    const signature = async (building: string) => {
      const body = await json(await adminFetch(`${api.url}/api/buildings/${building}/signature?from=2023-12-13&to=2023-12-31`))
      return body.carriers.find((c: { carrier: string }) => c.carrier === 'electricity')
    }
    const h = await signature(heated.building!)
    expect(h.signature.weather_dependent).toBe(true)
    // The station's DJU come from its readings' daily minimum and maximum: close to the climate's, not equal.
    expect(h.signature.slope_per_dju / heating(heated)).toBeGreaterThan(0.85)
    expect(h.signature.slope_per_dju / heating(heated)).toBeLessThan(1.15)
    expect(h.signature.r2).toBeGreaterThan(0.8) // 19 days of December: a narrow range of DJU
    const u = await signature(unheated.building!)
    expect(u.signature?.weather_dependent ?? false).toBe(false)
    // December is cold in the synthetic climate: degree-days every day.
    const days = Array.from({ length: 19 }, (_, i) => Date.UTC(2023, 11, 13 + i) / 1000 / DAY_S)
    expect(days.every((d) => syntheticDegreeDays(d) > 0)).toBe(true)
  })
})
