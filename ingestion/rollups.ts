/**
 * The hourly and daily rollups of a batch of new readings, computed in
 * Node (pure): the database then only merges one row per sensor and period, which profiling
 * showed is where the write's time went when it aggregated itself. Hours are UTC; days are
 * local (HUB_TIMEZONE), what an energy manager calls a day.
 */
import type { Reading } from './reading-writer.ts'

export interface Rollup {
  readonly sid: number
  /** Hour start (ms, UTC) or local day ('YYYY-MM-DD'). */
  readonly period: number | string
  n: number
  sum: number
  min: number
  max: number
  firstTs: number
  firstValue: number
  lastTs: number
  lastValue: number
}

export interface BatchRollups {
  readonly hourly: readonly Rollup[]
  readonly daily: readonly Rollup[]
}

const HOUR_MS = 3_600_000
/** Every time zone's offset is a multiple of 15 minutes: the local date is constant within a 15-minute UTC bucket. */
const BUCKET_MS = 15 * 60_000

/** Hours and days since the epoch stay below this for centuries: sid × PERIODS + period is a unique numeric key. */
const PERIODS = 1_000_000

export class RollupCalculator {
  private readonly dayOfBucket = new Map<number, { readonly day: string; readonly index: number }>()
  private readonly format: Intl.DateTimeFormat

  constructor(timeZone: string) {
    // en-CA writes dates as YYYY-MM-DD.
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  }

  /** Rollups of these readings, sorted by key (so that concurrent writers lock rows in the same order). */
  compute(readings: readonly Reading[]): BatchRollups {
    // Numeric keys: string keys per reading showed in the profile.
    const hourly = new Map<number, Rollup>()
    const daily = new Map<number, Rollup>()
    for (const reading of readings) {
      const hourIndex = Math.floor(reading.ts / HOUR_MS)
      add(hourly, reading.sid * PERIODS + hourIndex, reading, hourIndex * HOUR_MS)
      const day = this.localDay(reading.ts)
      add(daily, reading.sid * PERIODS + day.index, reading, day.day)
    }
    return {
      hourly: [...hourly.values()].sort(byKey),
      daily: [...daily.values()].sort(byKey),
    }
  }

  /** The local date of an instant, and its number of days since 1970-01-01 (a key). */
  private localDay(ms: number): { readonly day: string; readonly index: number } {
    const bucket = Math.floor(ms / BUCKET_MS)
    let day = this.dayOfBucket.get(bucket)
    if (day === undefined) {
      if (this.dayOfBucket.size > 100_000) this.dayOfBucket.clear()
      const text = this.format.format(new Date(bucket * BUCKET_MS))
      day = { day: text, index: Date.parse(`${text}T00:00:00Z`) / 86_400_000 }
      this.dayOfBucket.set(bucket, day)
    }
    return day
  }
}

function add(rollups: Map<number, Rollup>, key: number, r: Reading, period: number | string): void {
  const rollup = rollups.get(key)
  if (!rollup) {
    rollups.set(key, { sid: r.sid, period, n: 1, sum: r.value, min: r.value, max: r.value, firstTs: r.ts, firstValue: r.value, lastTs: r.ts, lastValue: r.value })
    return
  }
  rollup.n++
  rollup.sum += r.value
  if (r.value < rollup.min) rollup.min = r.value
  if (r.value > rollup.max) rollup.max = r.value
  if (r.ts < rollup.firstTs) {
    rollup.firstTs = r.ts
    rollup.firstValue = r.value
  }
  if (r.ts > rollup.lastTs) {
    rollup.lastTs = r.ts
    rollup.lastValue = r.value
  }
}

function byKey(a: Rollup, b: Rollup): number {
  return a.sid - b.sid || (a.period < b.period ? -1 : a.period > b.period ? 1 : 0)
}
