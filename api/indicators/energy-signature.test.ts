import { describe, expect, it } from 'vitest'
import { climateCorrected, energySignature, heatingShare } from './energy-signature.ts'

describe('energySignature', () => {
  it('finds the base load and heating slope of a synthetic building, r² = 1 without noise', () => {
    // A building using 120 kWh a day plus 15 kWh per degree-day, over 20 days of DJU 0, 1, …, 19.
    const points = Array.from({ length: 20 }, (_, i) => ({ dju: i, consumption: 120 + 15 * i }))
    const s = energySignature(points)!
    expect(s.base).toBeCloseTo(120, 9)
    expect(s.slope).toBeCloseTo(15, 9)
    expect(s.r2).toBeCloseTo(1, 9)
    expect(s.weatherDependent).toBe(true)
    // A year (365 days) in a reference climate of 2,500 DJU: 120 × 365 + 15 × 2,500 = 43,800 + 37,500 = 81,300 kWh.
    expect(climateCorrected(s, 365, 2_500)).toBeCloseTo(81_300, 6)
    // Over the 20 days: ΣDJU = 190, ΣE = 120 × 20 + 15 × 190 = 2,400 + 2,850 = 5,250: heating 2,850 / 5,250 = 0.542857…
    expect(heatingShare(s, 190, 5_250)).toBeCloseTo(2_850 / 5_250, 12)
  })

  it('gives r² below 1 with noise, computed by hand on 14 points', () => {
    // x = 0…13, y = 10 + 2x + e with e alternating +1, −1: the fitted line stays close to 10 + 2x.
    // mean x = 6.5, Sxx = Σ(x − 6.5)² = 227.5; Sxy = 2 × 227.5 + Σ(x − 6.5)e = 455 + (−7) = 448
    //   (Σ(x − 6.5)e over pairs (2k, 2k+1): (2k − 6.5) − (2k + 1 − 6.5) = −1 each, 7 pairs → −7)
    // slope = 448 / 227.5 = 1.969230…; mean y = 10 + 13 + 0 = 23; base = 23 − 1.969230… × 6.5 = 10.2
    // Syy = 4 × 227.5 + 2 × 2 × (−7) + 14 = 910 − 28 + 14 = 896; r² = slope × Sxy / Syy = 1.969230… × 448 / 896 = 0.984615…
    const points = Array.from({ length: 14 }, (_, x) => ({ dju: x, consumption: 10 + 2 * x + (x % 2 === 0 ? 1 : -1) }))
    const s = energySignature(points)!
    expect(s.slope).toBeCloseTo(448 / 227.5, 12)
    expect(s.base).toBeCloseTo(10.2, 12)
    expect(s.r2).toBeCloseTo(((448 / 227.5) * 448) / 896, 12)
  })

  it('says so when consumption does not follow the weather, and needs 14 days', () => {
    const flat = Array.from({ length: 20 }, (_, i) => ({ dju: i, consumption: 100 - i }))
    expect(energySignature(flat)).toMatchObject({ slope: 0, weatherDependent: false, base: 100 - 9.5 })
    expect(energySignature(flat.slice(0, 13))).toBeNull()
  })

  it('sees no heating in a flat load whose days differ by rounding only (sums of floating-point readings)', () => {
    // 147.096 kWh a day, as summed from a meter's index: the last bits differ from day to day.
    const days = Array.from({ length: 19 }, (_, i) => ({ dju: 10 + (i % 5), consumption: 147.096 + 1e-13 * (i % 5) }))
    expect(energySignature(days)).toMatchObject({ slope: 0, r2: 0, weatherDependent: false })
    expect(energySignature(days)!.base).toBeCloseTo(147.096, 9)
  })
})
