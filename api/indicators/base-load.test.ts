import { describe, expect, it } from 'vitest'
import { baseLoad, type HourUse } from './base-load.ts'

describe('baseLoad', () => {
  it('compares the mean power when empty with the mean power in use', () => {
    // A Monday (occupied 09–17: 8 h at 10 kW) and a Saturday (empty: 24 h at 3 kW); Monday's other 16 h at 2 kW.
    const hours: HourUse[] = []
    for (let h = 0; h < 24; h++) hours.push({ hour: h, weekday: 1, occupied: h >= 9 && h < 17, kwh: h >= 9 && h < 17 ? 10 : 2 })
    for (let h = 0; h < 24; h++) hours.push({ hour: h, weekday: 6, occupied: false, kwh: 3 })
    const b = baseLoad(hours)
    // Unoccupied: 16 h × 2 + 24 h × 3 = 104 kWh over 40 h = 2.6 kW; occupied 10 kW: ratio 0.26.
    // Night (00–05): Monday 5 h × 2, Saturday 5 h × 3 → 25 / 10 = 2.5 kW. Weekend: 3 kW.
    expect(b).toEqual({ occupied_kw: 10, unoccupied_kw: 2.6, night_kw: 2.5, weekend_kw: 3, ratio: 0.26, hours: 48 })
  })

  it('has no ratio without occupied hours', () => {
    expect(baseLoad([{ hour: 2, weekday: 7, occupied: false, kwh: 1 }])).toMatchObject({ occupied_kw: null, ratio: null, unoccupied_kw: 1 })
  })
})
