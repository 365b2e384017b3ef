/**
 * The period of an indicator request: `year` (a calendar year), or `from` and `to` (local days,
 * both included), checked at the edge. Without any, the current calendar year.
 */
import { InvalidInputError } from '../../core/index.ts'
import { shown } from '../params.ts'

export interface IndicatorPeriod {
  /** First local day, YYYY-MM-DD. */
  readonly from: string
  /** Last local day, included. */
  readonly to: string
  readonly days: number
  /** The calendar year when the period is one (per-year figures: kWh/m²/year, the previous year's). */
  readonly year: number | null
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000
const MAX_DAYS = 3 * 366

export function yearPeriod(year: number): IndicatorPeriod {
  const days = Math.round((Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS)
  return { from: `${year}-01-01`, to: `${year}-12-31`, days, year }
}

export function parseYear(value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d{4}$/.test(value) || Number(value) < 2000 || Number(value) > 2100) {
    throw new InvalidInputError(`year must be a year from 2000 to 2100 (got "${shown(value)}")`, 'year')
  }
  return Number(value)
}

function parseDay(value: unknown, name: string): string {
  if (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new InvalidInputError(`${name} must be a calendar day YYYY-MM-DD (got "${shown(value)}")`, name)
  }
  return value
}

export function indicatorPeriod(query: Record<string, unknown>, today: Date = new Date()): IndicatorPeriod {
  const { year, from, to } = query
  if (year !== undefined && (from !== undefined || to !== undefined)) throw new InvalidInputError('give either year, or from and to', 'year')
  if (from === undefined && to === undefined) return yearPeriod(parseYear(year, today.getUTCFullYear()))
  if (from === undefined || to === undefined) throw new InvalidInputError('from and to go together (local days, both included)', from === undefined ? 'from' : 'to')
  const f = parseDay(from, 'from')
  const t = parseDay(to, 'to')
  const days = Math.round((Date.parse(`${t}T00:00:00Z`) - Date.parse(`${f}T00:00:00Z`)) / DAY_MS) + 1
  if (days < 1) throw new InvalidInputError('from must not be after to', 'from')
  if (days > MAX_DAYS) throw new InvalidInputError(`the period may not exceed ${MAX_DAYS} days`, 'from')
  const calendarYear = f.endsWith('-01-01') && t === `${f.slice(0, 4)}-12-31` ? Number(f.slice(0, 4)) : null
  return { from: f, to: t, days, year: calendarYear }
}
