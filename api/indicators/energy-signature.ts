/**
 * A building's energy signature: its daily consumption regressed on the day's heating degree-days
 * (ordinary least squares), `E = base + slope × DJU`. The base load is what the building uses
 * whatever the weather (lighting, equipment, hot water); the slope, kWh per degree-day, its
 * heating. With them:
 * - the **climate-corrected** consumption of a period of `days` days is what the building would
 *   have used in a reference climate: `base × days + slope × referenceDju`;
 * - the **share of heating** over the period: `slope × ΣDJU / ΣE`.
 * A slope ≤ 0 (no heating on this carrier, or too little data in the heating season) means no
 * weather dependence: the corrected consumption is the actual one, the heating share 0, and the
 * signature says so (`weatherDependent`). Fewer than MIN_POINTS days: no signature.
 */
export const MIN_SIGNATURE_POINTS = 14

export interface SignaturePoint {
  readonly dju: number
  readonly consumption: number
}

export interface EnergySignature {
  /** Per day, in the consumption's unit (kWh/day). */
  readonly base: number
  /** Per degree-day (kWh/DJU). */
  readonly slope: number
  readonly r2: number
  readonly points: number
  readonly weatherDependent: boolean
}

export function energySignature(points: readonly SignaturePoint[]): EnergySignature | null {
  const n = points.length
  if (n < MIN_SIGNATURE_POINTS) return null
  let sx = 0
  let sy = 0
  for (const p of points) {
    sx += p.dju
    sy += p.consumption
  }
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (const p of points) {
    const dx = p.dju - mx
    const dy = p.consumption - my
    sxx += dx * dx
    sxy += dx * dy
    syy += dy * dy
  }
  // No spread in the degree-days, or none in the consumption but rounding (a flat load): no heating to see.
  if (sxx === 0 || syy <= 1e-12 * Math.max(1, my * my) * n) return { base: my, slope: 0, r2: 0, points: n, weatherDependent: false }
  const slope = sxy / sxx
  if (slope <= 0) return { base: my, slope: 0, r2: 0, points: n, weatherDependent: false }
  const base = my - slope * mx
  // r² = 1 − SSres/SStot; for a least-squares line SSres = syy − slope·sxy.
  const r2 = syy === 0 ? 1 : 1 - (syy - slope * sxy) / syy
  return { base, slope, r2, points: n, weatherDependent: true }
}

/** Consumption of `days` days in a climate of `referenceDju` degree-days. */
export function climateCorrected(signature: EnergySignature, days: number, referenceDju: number): number {
  return signature.base * days + signature.slope * referenceDju
}

/** The share of a period's consumption that went to heating (0 to 1). */
export function heatingShare(signature: EnergySignature, totalDju: number, totalConsumption: number): number {
  if (totalConsumption <= 0) return 0
  return Math.min(1, Math.max(0, (signature.slope * totalDju) / totalConsumption))
}
