/**
 * Waste signals of a building: its mean power (kW, = kWh per hour) during occupied hours, and its
 * base load when empty — all unoccupied hours, the night (00:00–05:00) and the weekend's
 * unoccupied hours. A building that draws at night half of what it draws when in use leaves
 * something on (heating, ventilation, lighting, equipment): the ratio is the signal, and
 * BASE_LOAD_SIGNAL the share from which the refresher raises it (a rule of thumb of energy audits,
 * to be tuned by the energy manager: the figures are always given).
 */
export const BASE_LOAD_SIGNAL = 0.5

export interface HourUse {
  /** Local hour of day, 0–23. */
  readonly hour: number
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  readonly weekday: number
  readonly occupied: boolean
  /** Energy over the hour (kWh), i.e. its mean power in kW. */
  readonly kwh: number
}

export interface BaseLoad {
  readonly occupied_kw: number | null
  readonly unoccupied_kw: number | null
  readonly night_kw: number | null
  readonly weekend_kw: number | null
  /** unoccupied / occupied mean power; null without both. */
  readonly ratio: number | null
  readonly hours: number
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((a, v) => a + v, 0) / values.length)

export function baseLoad(hours: readonly HourUse[]): BaseLoad {
  const occupied = mean(hours.filter((h) => h.occupied).map((h) => h.kwh))
  const unoccupied = mean(hours.filter((h) => !h.occupied).map((h) => h.kwh))
  return {
    occupied_kw: occupied,
    unoccupied_kw: unoccupied,
    night_kw: mean(hours.filter((h) => !h.occupied && h.hour < 5).map((h) => h.kwh)),
    weekend_kw: mean(hours.filter((h) => !h.occupied && h.weekday >= 6).map((h) => h.kwh)),
    ratio: occupied && unoccupied !== null ? unoccupied / occupied : null,
    hours: hours.length,
  }
}
