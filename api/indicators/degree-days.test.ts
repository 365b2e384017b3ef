import { describe, expect, it } from 'vitest'
import { degreeDays } from './degree-days.ts'

describe('degreeDays (base 18 °C, Météo method)', () => {
  it('sums a week of DJU worked out by hand', () => {
    // (Tn, Tx) → 18 − mean, floored at 0:
    //  (−2, 6)  → 18 − 2    = 16
    //  (0, 8)   → 18 − 4    = 14
    //  (3, 11)  → 18 − 7    = 11
    //  (5.5, 12.5) → 18 − 9 = 9
    //  (10, 20) → 18 − 15   = 3
    //  (14, 24) → 18 − 19   = −1 → 0
    //  (16, 21) → 18 − 18.5 = −0.5 → 0
    // week: 16 + 14 + 11 + 9 + 3 + 0 + 0 = 53
    const week: [number, number][] = [[-2, 6], [0, 8], [3, 11], [5.5, 12.5], [10, 20], [14, 24], [16, 21]]
    const values = week.map(([n, x]) => degreeDays(n, x))
    expect(values).toEqual([16, 14, 11, 9, 3, 0, 0])
    expect(values.reduce((a, b) => a! + b!, 0)).toBe(53)
  })

  it('has no value without both temperatures', () => {
    expect(degreeDays(null, 10)).toBeNull()
    expect(degreeDays(2, Number.NaN)).toBeNull()
  })
})
