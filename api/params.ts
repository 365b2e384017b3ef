/**
 * Request parameters, parsed and checked at the edge: each parser returns a typed value or
 * throws an InvalidInputError naming the parameter, which becomes a 400 problem.
 */
import { InvalidInputError } from '../core/index.ts'

export function siren(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{9}$/.test(value)) {
    throw new InvalidInputError(`siren must be the 9-digit SIREN of an EPCI (got "${shown(value)}")`, 'siren')
  }
  return value
}

export function insee(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9][0-9AB][0-9]{3}$/.test(value)) {
    throw new InvalidInputError(`insee must be the 5-character INSEE code of a commune (got "${shown(value)}")`, 'insee')
  }
  return value
}

export function identifier(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(value)) {
    throw new InvalidInputError(`${name} is not a valid identifier (letters, digits, dot, dash, underscore)`, name)
  }
  return value
}

/** An ISO 8601 date-time with an explicit offset (or a date, taken at UTC midnight). */
export function instant(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value)) {
    throw new InvalidInputError(`${name} must be an ISO 8601 date-time with a time zone, e.g. 2026-11-22T08:00:00Z (got "${shown(value)}")`, name)
  }
  const date = new Date(value)
  // Date() rolls 2026-02-31 over to March 3 and 24:00 over to the next day: refuse both.
  const day = value.slice(0, 10)
  const realDay = Number.isFinite(new Date(`${day}T00:00:00Z`).getTime()) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day
  if (Number.isNaN(date.getTime()) || !realDay || Number(value.slice(11, 13)) > 23) {
    throw new InvalidInputError(`${name} is not a real date (got "${value}")`, name)
  }
  return date
}

export function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidInputError(`${name} must be an integer from ${min} to ${max} (got "${shown(value)}")`, name)
  }
  return Number(value)
}

/** A value as an error message may quote it; String() throws on an object without a prototype. */
export function shown(value: unknown): string {
  try {
    return String(value)
  } catch {
    return typeof value
  }
}
