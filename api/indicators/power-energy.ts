/**
 * Energy from a power series (a meter reporting kW or W), from its hourly rollups: each hour with
 * readings contributes its mean power over the hour (`sum / n`); an hour without readings
 * contributes nothing and lowers the day's coverage, which is reported rather than filled in.
 */
export interface PowerHour {
  /** Local calendar day of the hour, YYYY-MM-DD. */
  readonly day: string
  readonly n: number
  readonly sum: number
}

export interface PowerDay {
  readonly day: string
  /** kWh when the power is in kW (W gives Wh: the caller converts by the unit). */
  readonly energy: number
  /** Hours with readings, of the day's 24 (23 or 25 on clock changes). */
  readonly hours: number
}

export function powerEnergy(hours: readonly PowerHour[]): PowerDay[] {
  const days = new Map<string, { energy: number; hours: number }>()
  for (const h of hours) {
    if (h.n <= 0) continue
    const d = days.get(h.day) ?? { energy: 0, hours: 0 }
    d.energy += h.sum / h.n
    d.hours++
    days.set(h.day, d)
  }
  return [...days].map(([day, d]) => ({ day, energy: d.energy, hours: d.hours }))
}
