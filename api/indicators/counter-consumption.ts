/**
 * Daily consumption of a cumulative counter (an energy or water meter's index), from its daily
 * rollups: never from raw readings. A rollup holds the day's first and last reading and the
 * day's minimum and maximum, which is enough to see what a counter did:
 *
 * - **within the day**, a counter that only grows has min = first and max = last, and the day used
 *   `last − first`. An index that went back during the day (a meter replaced, a register reset)
 *   shows as a minimum below the first value and a maximum above the last: the day used what it
 *   climbed before (`max − first`) and after (`last − min`) — not a negative value. When only one
 *   of the two shows, the rollup cannot say where the peak was: the caller gives the day's own
 *   readings' count (`withinDay`, the sum of its rises: the refresher reads those few raw
 *   readings, for that day only). A reset is seen when the index falls below the day's first
 *   value or ends below its peak: two resets the same day, or a replaced meter whose index starts
 *   above the day's first value, look like consumption to any rollup;
 * - **between two days**, the step `first(d) − last(d − 1)` belongs to day d when the readings are
 *   less than `maxGapHours` apart. A step down is a reset at the boundary: 0 is attributed (the
 *   interval between two readings is lost, never invented) — unless the previous index was in
 *   the last tenth of the register (`registerMax`), which is a rollover: the register's wrap is
 *   added back. Readings further apart are a **gap**: its step is reported with its bounds, and
 *   attributed to no day (it is not spread over the days it covers: that would invent a profile).
 */

export interface CounterDay {
  /** Local calendar day, YYYY-MM-DD. */
  readonly day: string
  readonly firstTs: Date
  readonly firstValue: number
  readonly lastTs: Date
  readonly lastValue: number
  readonly min: number
  readonly max: number
  /** The sum of the rises between the day's own readings, for a day whose rollup is ambiguous (needsReadings). */
  readonly withinDay?: number
}

export interface DailyConsumption {
  readonly day: string
  /** In the counter's unit (kWh, m³). */
  readonly consumption: number
  /** Index decreases seen in the day or at its start (resets, replacements, rollovers). */
  readonly resets: number
  /** The step from the previous reading was attributed (false: the day follows a gap, or is the first). */
  readonly joined: boolean
}

export interface CounterGap {
  readonly from: Date
  readonly to: Date
  readonly hours: number
  /** The index step across the gap; null when the index went down meanwhile (unknown). */
  readonly consumption: number | null
}

export interface CounterConsumption {
  readonly days: readonly DailyConsumption[]
  readonly gaps: readonly CounterGap[]
}

export interface CounterOptions {
  /** Readings further apart than this are a gap (default 6 h). */
  readonly maxGapHours?: number
  /** The largest value the register holds (e.g. 99,999,999 for 8 digits): enables rollover detection. */
  readonly registerMax?: number
}

export const DEFAULT_MAX_GAP_HOURS = 6

const HOUR_MS = 3_600_000

/**
 * Whether a day's rollup shows an index that went back without telling where its peak was (a
 * minimum below the first value, or a maximum above the last, but not both): its consumption
 * needs the day's readings (`withinDay`).
 */
export function needsReadings(d: CounterDay): boolean {
  return (d.min < d.firstValue) !== (d.max > d.lastValue)
}

/** The sum of the rises between consecutive readings (values in time order): a day's `withinDay`. */
export function sumOfRises(values: readonly number[]): number {
  let sum = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[i - 1]!) sum += values[i]! - values[i - 1]!
  return sum
}

/** `rollups` in day order, one per day at most (days without readings are simply absent). */
export function counterConsumption(rollups: readonly CounterDay[], options: CounterOptions = {}): CounterConsumption {
  const maxGapMs = (options.maxGapHours ?? DEFAULT_MAX_GAP_HOURS) * HOUR_MS
  const days: DailyConsumption[] = []
  const gaps: CounterGap[] = []
  let previous: CounterDay | null = null
  for (const d of rollups) {
    let consumption = 0
    let resets = 0
    if (d.min < d.firstValue || d.max > d.lastValue) {
      resets++
      if (d.withinDay !== undefined) consumption = d.withinDay
      else if (d.min < d.firstValue && d.max > d.lastValue) consumption = d.max - d.firstValue + (d.lastValue - d.min)
      else throw new Error(`day ${d.day}: the index went back, and only the day's readings can tell by how much (needsReadings)`)
    } else {
      consumption = d.lastValue - d.firstValue
    }
    let joined = false
    if (previous) {
      const step = d.firstValue - previous.lastValue
      const apartMs = d.firstTs.getTime() - previous.lastTs.getTime()
      if (apartMs > maxGapMs) {
        gaps.push({ from: previous.lastTs, to: d.firstTs, hours: apartMs / HOUR_MS, consumption: step >= 0 ? step : null })
      } else {
        joined = true
        if (step >= 0) consumption += step
        else {
          resets++
          const max = options.registerMax
          if (max !== undefined && previous.lastValue > 0.9 * max) consumption += max + 1 - previous.lastValue + d.firstValue
        }
      }
    }
    days.push({ day: d.day, consumption, resets, joined })
    previous = d
  }
  return { days, gaps }
}
