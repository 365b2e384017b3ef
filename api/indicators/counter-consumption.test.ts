import { describe, expect, it } from 'vitest'
import { counterConsumption, needsReadings, sumOfRises, type CounterDay } from './counter-consumption.ts'

/** A day's rollup: readings at 00:00 and 23:45 local (UTC here), with min/max. */
const day = (date: string, first: number, last: number, min = first, max = last, firstTime = '00:00', lastTime = '23:45'): CounterDay => ({
  day: date, firstTs: new Date(`${date}T${firstTime}:00Z`), firstValue: first, lastTs: new Date(`${date}T${lastTime}:00Z`), lastValue: last, min, max,
})

describe('counterConsumption', () => {
  it('takes the index difference within a day and the step from the previous day’s last reading', () => {
    // Day 1: 1000 → 1100 = 100. Day 2: step 1100 → 1102 (15 min apart) = 2, then 1102 → 1200 = 98: 100.
    const { days, gaps } = counterConsumption([day('2026-01-05', 1000, 1100), day('2026-01-06', 1102, 1200)])
    expect(days).toEqual([
      { day: '2026-01-05', consumption: 100, resets: 0, joined: false },
      { day: '2026-01-06', consumption: 100, resets: 0, joined: true },
    ])
    expect(gaps).toEqual([])
  })

  it('counts a reset within a day from what the index climbed before and after it, never a negative value', () => {
    // Meter replaced at noon: 5000 → 5040 (max), then the new meter 0 (min) → 30. 40 + 30 = 70, one reset.
    const { days } = counterConsumption([day('2026-01-05', 4990, 5000), day('2026-01-06', 5000, 30, 0, 5040)])
    expect(days[1]).toEqual({ day: '2026-01-06', consumption: 70, resets: 1, joined: true })
  })

  it('asks for the day’s readings when the rollup cannot place the peak, and uses their rises', () => {
    // 32 → 98, reset to 7, → 196: max (196) is the last value, so the pre-reset peak is unknown.
    const ambiguous = day('2026-01-06', 32, 196, 7, 196)
    expect(needsReadings(ambiguous)).toBe(true)
    expect(needsReadings(day('2026-01-06', 5000, 30, 0, 5040))).toBe(false)
    expect(() => counterConsumption([ambiguous])).toThrow(/needsReadings/)
    // The readings 32, 60, 98, 7, 150, 196: rises 28 + 38 + 143 + 46 = 255.
    expect(sumOfRises([32, 60, 98, 7, 150, 196])).toBe(255)
    expect(counterConsumption([{ ...ambiguous, withinDay: 255 }]).days[0]).toEqual({ day: '2026-01-06', consumption: 255, resets: 1, joined: false })
  })

  it('attributes 0 to a reset between two days (one reading interval lost, not invented)', () => {
    // Day 2 starts at 12 after a day that ended at 5000: the step is negative → reset, 0; then 12 → 52 = 40.
    const { days } = counterConsumption([day('2026-01-05', 4900, 5000), day('2026-01-06', 12, 52)])
    expect(days[1]).toEqual({ day: '2026-01-06', consumption: 40, resets: 1, joined: true })
  })

  it('adds the register’s wrap back on a rollover', () => {
    // 8-digit register wrapping between the days: 99,999,999 + 1 − 99,999,990 + 5 = 15 at the
    // boundary, then 5 → 25 = 20 within the day: 35.
    const { days } = counterConsumption([day('2026-01-05', 99_999_900, 99_999_990), day('2026-01-06', 5, 25)], { registerMax: 99_999_999 })
    expect(days[1]).toEqual({ day: '2026-01-06', consumption: 35, resets: 1, joined: true })
  })

  it('reports a gap with its step and its bounds, attributed to no day', () => {
    // Readings stop on the 5th at 10:00 (index 1040) and resume on the 8th at 06:00 (index 1400):
    // 68 h apart > 6 h. The 360 between them are reported, not spread over the 6th and 7th.
    const { days, gaps } = counterConsumption([
      day('2026-01-05', 1000, 1040, 1000, 1040, '00:00', '10:00'),
      day('2026-01-08', 1400, 1450, 1400, 1450, '06:00', '23:45'),
    ])
    expect(days).toEqual([
      { day: '2026-01-05', consumption: 40, resets: 0, joined: false },
      { day: '2026-01-08', consumption: 50, resets: 0, joined: false },
    ])
    expect(gaps).toEqual([{ from: new Date('2026-01-05T10:00:00Z'), to: new Date('2026-01-08T06:00:00Z'), hours: 68, consumption: 360 }])
  })

  it('reports an unknown step when the index went down during a gap', () => {
    const { gaps } = counterConsumption([day('2026-01-05', 1000, 1040), day('2026-01-09', 3, 10)])
    expect(gaps[0]!.consumption).toBeNull()
  })
})
