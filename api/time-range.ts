/**
 * The `from`/`to`/`limit` of time-series endpoints, checked once for all: ISO 8601 instants,
 * [from, to) by default the last 24 hours, at most a year, and the link to the next page.
 */
import type { Request } from 'express'
import { InvalidInputError } from '../core/index.ts'
import { instant, integer } from './params.ts'

const DAY_MS = 86_400_000
const MAX_RANGE_DAYS = 366

export interface TimeRange {
  readonly from: Date
  readonly to: Date
  readonly limit: number
}

export function timeRange(req: Request): TimeRange {
  const to = instant(req.query.to, 'to') ?? new Date()
  const from = instant(req.query.from, 'from') ?? new Date(to.getTime() - DAY_MS)
  const limit = integer(req.query.limit, 'limit', 1, 100_000, 10_000)
  if (from >= to) throw new InvalidInputError('from must be before to', 'from')
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new InvalidInputError(`the range may not exceed ${MAX_RANGE_DAYS} days; use the daily aggregates for longer periods`, 'from')
  }
  return { from, to, limit }
}

/** The same request from just after the last reading returned, or null when nothing was cut. */
export function nextPage(path: string, range: TimeRange, lastTime: string | undefined, truncated: boolean): string | null {
  if (!truncated || lastTime === undefined) return null
  const from = new Date(Date.parse(lastTime) + 1).toISOString()
  return `${path}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(range.to.toISOString())}&limit=${range.limit}`
}
