/**
 * Days that depart from a building's own expected consumption, by a robust score: the modified
 * z-score of Iglewicz and Hoaglin (1993), `M = 0.6745 × (r − median(r)) / MAD`, where r are the
 * residuals (actual − expected) and MAD their median absolute deviation. Median and MAD are not
 * pulled by the anomalies themselves, as a mean and a standard deviation would be. A day with
 * |M| above 3.5 (their recommended threshold) is an anomaly: over-consumption when positive.
 * Fewer than MIN_ANOMALY_DAYS residuals, or a MAD of 0 (a flat series): no score.
 *
 * A day must also be material: at least MIN_RELATIVE_DEPARTURE away from its expected value. A
 * well-regulated building's residuals are tiny, and so is their MAD: without this, the 25-hour
 * day of the October clock change (4 % more) scored 95 and raised an alert on every building.
 */
export const ANOMALY_THRESHOLD = 3.5
export const MIN_ANOMALY_DAYS = 14
export const MIN_RELATIVE_DEPARTURE = 0.1

export interface Residual {
  readonly day: string
  readonly actual: number
  readonly expected: number
}

export interface Anomaly extends Residual {
  readonly score: number
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The days whose modified z-score exceeds `threshold` in absolute value and that depart by `minRelative` of their expected value, with their score. */
export function robustAnomalies(residuals: readonly Residual[], threshold = ANOMALY_THRESHOLD, minRelative = MIN_RELATIVE_DEPARTURE): Anomaly[] {
  if (residuals.length < MIN_ANOMALY_DAYS) return []
  const r = residuals.map((d) => d.actual - d.expected)
  const m = median(r)
  const mad = median(r.map((v) => Math.abs(v - m)))
  if (mad === 0) return []
  const anomalies: Anomaly[] = []
  residuals.forEach((d, i) => {
    const score = (0.6745 * (r[i]! - m)) / mad
    const material = Math.abs(d.actual - d.expected) >= minRelative * Math.abs(d.expected)
    if (Math.abs(score) > threshold && material) anomalies.push({ ...d, score })
  })
  return anomalies
}
