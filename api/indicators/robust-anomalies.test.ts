import { describe, expect, it } from 'vitest'
import { median, robustAnomalies } from './robust-anomalies.ts'

describe('robustAnomalies (modified z-score, median/MAD)', () => {
  it('flags the day that departs from the building’s expected value, with its score', () => {
    // 15 days expected 100 kWh; residuals −2, −1, 0, 1, 2 repeated three times, except the last day, 160 (+60).
    // Residuals: −2,−1,0,1,2, −2,−1,0,1,2, −2,−1,0,1, 60 → median 0; |r − 0|: 2,1,0,1,2,2,1,0,1,2,2,1,0,1,60
    // sorted: 0,0,0,1,1,1,1,1,2,2,2,2,2,2,60 → MAD = 1 (8th of 15). Score of day 15: 0.6745 × 60 / 1 = 40.47.
    // Day of residual 2: 0.6745 × 2 = 1.349 < 3.5: not flagged.
    const pattern = [-2, -1, 0, 1, 2]
    const residuals = Array.from({ length: 15 }, (_, i) => ({ day: `2026-02-${String(i + 1).padStart(2, '0')}`, actual: 100 + (i === 14 ? 60 : pattern[i % 5]!), expected: 100 }))
    const found = robustAnomalies(residuals)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ day: '2026-02-15', actual: 160, expected: 100 })
    expect(found[0]!.score).toBeCloseTo(40.47, 10)
  })

  it('needs 14 days and some spread', () => {
    const flat = Array.from({ length: 20 }, (_, i) => ({ day: String(i), actual: i === 3 ? 500 : 100, expected: 100 }))
    expect(robustAnomalies(flat)).toEqual([]) // MAD 0: no score, rather than an infinite one
    expect(robustAnomalies(flat.slice(0, 13))).toEqual([])
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })

  it('leaves out a day that scores high but departs by less than 10 % (a 25-hour day of a steady building)', () => {
    // Residuals ±0.01 kWh on 150 kWh days (MAD 0.01), then the clock change: 156 for 150 (+4 %, score 0.6745 × 6 / 0.01 ≈ 405).
    const residuals = Array.from({ length: 15 }, (_, i) => ({ day: String(i), actual: 150 + (i === 14 ? 6 : i % 2 ? 0.01 : -0.01), expected: 150 }))
    expect(robustAnomalies(residuals, 3.5, 0)).toHaveLength(1) // without the floor: flagged
    expect(robustAnomalies(residuals)).toEqual([])
    // 20 % more is material: flagged.
    expect(robustAnomalies(residuals.map((d, i) => (i === 14 ? { ...d, actual: 180 } : d)))).toHaveLength(1)
  })
})
