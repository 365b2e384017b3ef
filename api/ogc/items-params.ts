/**
 * The parameters of `/collections/{id}/items`, checked at the edge: `bbox` (four numbers, CRS84),
 * `limit`, `offset`, `datetime`, and equality filters on the collection's queryables. Any other
 * parameter is refused (400), as OGC API – Features recommends: a misspelt filter silently
 * ignored would return the whole collection.
 */
import { InvalidInputError } from '../../core/index.ts'
import { instant, integer } from '../params.ts'
import { queryables, type Collection } from './collections.ts'
import type { Bbox, FeatureFilter } from './feature-queries.ts'

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 10_000
const STANDARD_PARAMETERS = ['bbox', 'limit', 'offset', 'datetime'] as const

export interface ItemsQuery {
  readonly filter: FeatureFilter
  readonly limit: number
  readonly offset: number
}

type Query = Readonly<Record<string, unknown>>

export function itemsQuery(collection: Collection, query: Query): ItemsQuery {
  return {
    filter: featureFilter(collection, query, STANDARD_PARAMETERS),
    limit: integer(query.limit, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: integer(query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0),
  }
}

/** bbox, datetime and queryables, refusing any parameter outside `known` and the queryables. */
export function featureFilter(collection: Collection, query: Query, known: readonly string[]): FeatureFilter {
  const filters = queryables(collection)
  for (const name of Object.keys(query)) {
    if (!known.includes(name) && !filters.some((p) => p.name === name)) {
      const allowed = [...known, ...filters.map((p) => p.name)].join(', ')
      throw new InvalidInputError(`unknown parameter ${name}; the parameters of ${collection.id} are ${allowed}`, name)
    }
  }
  const equals = filters
    .filter((p) => query[p.name] !== undefined)
    .map((property) => ({ property, value: filterValue(property.name, property.type, query[property.name]) }))
  return {
    ...(query.bbox !== undefined ? { bbox: bbox(query.bbox) } : {}),
    ...(query.datetime !== undefined ? { datetime: datetime(query.datetime) } : {}),
    equals,
  }
}

function single(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${name} must be given once`, name)
  return value
}

function filterValue(name: string, type: string, raw: unknown): string | number | boolean {
  const value = single(raw, name)
  if (value.length > 200) throw new InvalidInputError(`${name} is too long`, name)
  if (type === 'boolean') {
    if (value !== 'true' && value !== 'false') throw new InvalidInputError(`${name} must be true or false (got "${value}")`, name)
    return value === 'true'
  }
  if (type === 'integer') {
    if (!/^-?\d{1,15}$/.test(value)) throw new InvalidInputError(`${name} must be an integer (got "${value}")`, name)
    return Number(value)
  }
  return value
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/** Four numbers, CRS84: west, south, east, north (west > east crosses the antimeridian). */
export function bbox(raw: unknown): Bbox {
  const value = single(raw, 'bbox')
  const parts = value.split(',')
  if (parts.length === 6) throw new InvalidInputError('bbox with heights (6 numbers) is not supported: give west,south,east,north in CRS84', 'bbox')
  if (parts.length !== 4 || !parts.every((p) => NUMBER.test(p.trim()))) {
    throw new InvalidInputError(`bbox must be four numbers west,south,east,north in CRS84 longitude/latitude (got "${value}")`, 'bbox')
  }
  const [w, s, e, n] = parts.map(Number) as [number, number, number, number]
  if ([w, e].some((x) => x < -180 || x > 180) || [s, n].some((y) => y < -90 || y > 90)) {
    throw new InvalidInputError('bbox is outside longitude -180..180, latitude -90..90 (CRS84: longitude first)', 'bbox')
  }
  if (s > n) throw new InvalidInputError('bbox south must not be greater than north', 'bbox')
  return [w, s, e, n]
}

/** An instant or an interval `start/end` with `..` (or nothing) for an open end (RFC 3339). */
export function datetime(raw: unknown): { start: Date | null; end: Date | null } {
  const value = single(raw, 'datetime')
  const bound = (part: string): Date | null => (part === '..' || part === '' ? null : instant(part, 'datetime')!)
  if (!value.includes('/')) {
    const at = instant(value, 'datetime')!
    return { start: at, end: at }
  }
  const [start, end, ...rest] = value.split('/')
  if (rest.length > 0 || (bound(start!) === null && bound(end!) === null)) {
    throw new InvalidInputError(`datetime must be an instant or an interval start/end, with .. for an open end (got "${value}")`, 'datetime')
  }
  const interval = { start: bound(start!), end: bound(end!) }
  if (interval.start && interval.end && interval.start > interval.end) throw new InvalidInputError('datetime interval ends before it starts', 'datetime')
  return interval
}
