import { describe, expect, it } from 'vitest'
import { powerEnergy } from './power-energy.ts'

describe('powerEnergy', () => {
  it('integrates the hourly mean power and reports the hours covered, without filling the missing ones', () => {
    // Day 1: 2 hours, means 4 kW (readings 3, 5) and 6 kW (one reading): 10 kWh over 2 hours.
    // Day 2: one hour of four readings summing 10 → mean 2.5 kW: 2.5 kWh; an empty hour is ignored.
    expect(powerEnergy([
      { day: '2026-01-05', n: 2, sum: 8 },
      { day: '2026-01-05', n: 1, sum: 6 },
      { day: '2026-01-06', n: 4, sum: 10 },
      { day: '2026-01-06', n: 0, sum: 0 },
    ])).toEqual([{ day: '2026-01-05', energy: 10, hours: 2 }, { day: '2026-01-06', energy: 2.5, hours: 1 }])
  })
})
