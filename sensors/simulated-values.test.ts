import { describe, expect, it } from 'vitest'
import { heatingKwhPerDju, isOccupied, normalYearDegreeDays, OUTDOOR_USAGE, simulatedValue, syntheticDegreeDays } from './simulated-values.ts'
import { simulatedPack } from './simulator.ts'

const school = { deviceId: '80021-ecole-1-compteur', usage: 'ecole', floorAreaM2: 1200 }
const energy = { channel: 'energie', quantity: 'energy_index', unit: 'kWh' }
const co2 = { channel: 'co2', quantity: 'co2', unit: 'ppm' }
const temperature = { channel: 'temperature', quantity: 'temperature', unit: 'Cel' }
/** Tuesday 2026-11-17, 10:00 in Paris (09:00 UTC). */
const TUESDAY_10H = Date.UTC(2026, 10, 17, 9) / 1000

describe('simulated building', () => {
  it('keeps the energy index strictly increasing, including across any restart (a function of time only)', () => {
    let previous = -Infinity
    for (let t = TUESDAY_10H; t < TUESDAY_10H + 3 * 86_400; t += 900) {
      const value = simulatedValue(school, energy, t)
      expect(value).toBeGreaterThan(previous)
      previous = value
    }
    expect(simulatedValue(school, energy, TUESDAY_10H)).toBe(simulatedValue(school, energy, TUESDAY_10H))
  })

  it('consumes floor area × load over a day (8 W/m² for a school), plus its electric heating × the day’s degree-days', () => {
    const day = simulatedValue(school, energy, TUESDAY_10H + 86_400) - simulatedValue(school, energy, TUESDAY_10H)
    // From 09:00 UTC to 09:00 the next day: 15 hours of the first day's degree-days, 9 of the next one's.
    const utcDay = Math.floor(TUESDAY_10H / 86_400)
    const dju = (15 / 24) * syntheticDegreeDays(utcDay) + (9 / 24) * syntheticDegreeDays(utcDay + 1)
    expect(heatingKwhPerDju(school)).toBeGreaterThan(0) // this meter heats with electricity
    expect(day).toBeCloseTo((1200 * 8 * 24) / 1000 + heatingKwhPerDju(school) * dju, 0)
    const unheated = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => ({ ...school, deviceId: `${k}-compteur` })).find((b) => heatingKwhPerDju(b) === 0)!
    expect(simulatedValue(unheated, energy, TUESDAY_10H + 86_400) - simulatedValue(unheated, energy, TUESDAY_10H)).toBeCloseTo((1200 * 8 * 24) / 1000, 0)
  })

  it('gives the outdoor station an Amiens-like climate: cold in January, mild in July, degree-days in winter only', () => {
    const station = { deviceId: 'demo-meteo-amiens', usage: OUTDOOR_USAGE, floorAreaM2: 0 }
    const mean = (month: number) => {
      let sum = 0
      for (let d = 0; d < 28; d++) for (let h = 0; h < 24; h++) sum += simulatedValue(station, temperature, Date.UTC(2026, month, 1 + d, h) / 1000)
      return sum / (28 * 24)
    }
    expect(mean(0)).toBeGreaterThan(0)
    expect(mean(0)).toBeLessThan(8)
    expect(mean(6)).toBeGreaterThan(14)
    expect(mean(6)).toBeLessThan(22)
    expect(normalYearDegreeDays()).toBeGreaterThan(2_000) // Amiens' normal is about 2,700 at base 18 °C
    expect(normalYearDegreeDays()).toBeLessThan(3_000)
  })

  it('follows French school hours: no class on Wednesday afternoon or at the weekend', () => {
    expect(isOccupied('ecole', 2, 10)).toBe(true)
    expect(isOccupied('ecole', 3, 10)).toBe(true)
    expect(isOccupied('ecole', 3, 14)).toBe(false)
    expect(isOccupied('ecole', 6, 10)).toBe(false)
    expect(isOccupied('mairie', 6, 10)).toBe(true)
  })

  it('raises CO₂ in occupied classrooms and keeps it near outdoor level at night, temperature and humidity plausible', () => {
    const day = simulatedValue(school, co2, TUESDAY_10H + 3600)
    const night = simulatedValue(school, co2, TUESDAY_10H + 14 * 3600)
    expect(day).toBeGreaterThan(700)
    expect(night).toBeLessThan(500)
    const rh = simulatedValue(school, { channel: 'humidity', quantity: 'humidity', unit: '%RH' }, TUESDAY_10H)
    expect(rh).toBeGreaterThan(30)
    expect(rh).toBeLessThan(60)
    const t = simulatedValue(school, temperature, TUESDAY_10H)
    expect(t).toBeGreaterThan(15)
    expect(t).toBeLessThan(23)
  })

  it('publishes a SenML pack with the device base name on the first record', () => {
    const pack = simulatedPack({ id: 'd1', senmlBaseName: 'urn:dev:territoire:d1:', usage: 'ecole', floorAreaM2: 500, channels: [temperature, co2] }, TUESDAY_10H)
    expect(pack).toEqual([
      { bn: 'urn:dev:territoire:d1:', bt: TUESDAY_10H, n: 'temperature', u: 'Cel', v: expect.any(Number) },
      { n: 'co2', u: 'ppm', v: expect.any(Number) },
    ])
  })
})
