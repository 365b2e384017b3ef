/**
 * ICONE, the indoor-air confinement index of French schools (CSTB, used by the regulatory
 * monitoring of indoor air quality in schools since 2018): from the CO₂ readings taken while the
 * rooms are occupied, `f1` the share between 1,000 and 1,700 ppm and `f2` the share above
 * 1,700 ppm; `ICONE = round(2.5 / log10(2) × log10(1 + f1 + 3 × f2))`, from 0 (no confinement)
 * to 5 (extreme). Counts in, so that hourly counts add up over any period.
 */
export interface Co2Counts {
  /** Occupied-hours readings. */
  readonly n: number
  /** Of which in [1000, 1700] ppm. */
  readonly n1000to1700: number
  /** Of which above 1700 ppm. */
  readonly nAbove1700: number
}

export interface Icone {
  readonly index: number
  readonly f1: number
  readonly f2: number
  readonly readings: number
}

export function icone(counts: Co2Counts): Icone | null {
  if (counts.n <= 0) return null
  const f1 = counts.n1000to1700 / counts.n
  const f2 = counts.nAbove1700 / counts.n
  return { index: Math.round((2.5 / Math.log10(2)) * Math.log10(1 + f1 + 3 * f2)), f1, f2, readings: counts.n }
}

/** The ICONE class of one reading: 0 below 1,000 ppm, 1 in [1000, 1700], 2 above 1,700. */
export function co2Class(ppm: number): 0 | 1 | 2 {
  return ppm > 1700 ? 2 : ppm >= 1000 ? 1 : 0
}
