import { describe, expect, it } from 'vitest'
import { isReferenceYear, isSubjectToDecret, trajectoryStatus, trajectoryTarget } from './decret-tertiaire.ts'

describe('décret tertiaire', () => {
  it('applies to 1,000 m² and more, with a reference year from 2010 to 2019', () => {
    expect([999.9, 1_000, null].map(isSubjectToDecret)).toEqual([false, true, false])
    expect([2009, 2010, 2019, 2020].map(isReferenceYear)).toEqual([false, true, true, false])
  })

  it('targets −40 %, −50 %, −60 % on the straight line from the reference year', () => {
    // Reference 2015: 200,000 kWh. 2030: 120,000; 2040: 100,000; 2050: 80,000.
    // 2025 lies 10/15 of the way to 2030: 200,000 − 80,000 × 10/15 = 146,666.67.
    // 2035 is half way from 2030 to 2040: (120,000 + 100,000) / 2 = 110,000.
    expect(trajectoryTarget(2015, 200_000, 2030)).toBeCloseTo(120_000, 6)
    expect(trajectoryTarget(2015, 200_000, 2040)).toBeCloseTo(100_000, 6)
    expect(trajectoryTarget(2015, 200_000, 2050)).toBeCloseTo(80_000, 6)
    expect(trajectoryTarget(2015, 200_000, 2025)).toBeCloseTo(146_666.666_667, 4)
    expect(trajectoryTarget(2015, 200_000, 2035)).toBeCloseTo(110_000, 6)
    expect(trajectoryTarget(2015, 200_000, 2060)).toBeCloseTo(80_000, 6)
  })

  it('is on track at or under the line, off track above it', () => {
    // 2025 target 146,666.67: 140,000 is on track (−30 %), 160,000 is not (−20 %).
    const on = trajectoryStatus(2015, 200_000, 2025, 140_000)
    expect(on).toMatchObject({ onTrack: true, change: -0.3 })
    const off = trajectoryStatus(2015, 200_000, 2025, 160_000)
    expect(off).toMatchObject({ onTrack: false, change: -0.2 })
    expect(off.milestones.map((m) => m.target)).toEqual([120_000, 100_000, 80_000])
  })
})
