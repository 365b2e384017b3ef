/**
 * Reading a feature's properties field by field, strictly: a wrong type or format rejects the
 * feature with the property's name (never a coercion, never a crash in SQL).
 */
import type { RejectionReason } from './import-summary.ts'

/** Thrown inside a kind's `row()` to reject the feature; caught by the importer. */
export class FeatureRejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(detail)
  }
}

export type Properties = Readonly<Record<string, unknown>>

const DATE = /^\d{4}-\d{2}-\d{2}$/

export function requiredText(p: Properties, name: string, pattern?: RegExp): string {
  const value = p[name]
  if (value === undefined || value === null || value === '') throw new FeatureRejection('missing_property', `"${name}" is missing`)
  return checkText(value, name, pattern)
}

export function optionalText(p: Properties, name: string, pattern?: RegExp): string | null {
  const value = p[name]
  if (value === undefined || value === null || value === '') return null
  return checkText(value, name, pattern)
}

function checkText(value: unknown, name: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
    throw new FeatureRejection('invalid_property', `"${name}" is not valid (${JSON.stringify(value)?.slice(0, 40)})`)
  }
  return value
}

export function optionalInteger(p: Properties, name: string, min: number, max: number): number | null {
  const value = p[name]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FeatureRejection('invalid_property', `"${name}" must be an integer between ${min} and ${max} (${JSON.stringify(value)})`)
  }
  return value
}

export function optionalPositive(p: Properties, name: string): number | null {
  const value = p[name]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new FeatureRejection('invalid_property', `"${name}" must be a positive number (${JSON.stringify(value)})`)
  }
  return value
}

export function optionalBoolean(p: Properties, name: string): boolean | null {
  const value = p[name]
  if (value === undefined || value === null) return null
  if (typeof value !== 'boolean') throw new FeatureRejection('invalid_property', `"${name}" must be true or false (${JSON.stringify(value)})`)
  return value
}

/** A `YYYY-MM-DD` date (Etalab's `created` / `updated`), checked to exist. */
export function optionalDate(p: Properties, name: string): string | null {
  const value = optionalText(p, name, DATE)
  if (value !== null && !isCalendarDate(value)) throw new FeatureRejection('invalid_property', `"${name}" is not a date (${value})`)
  return value
}

/** Arithmetic, not `new Date` + toISOString (two per parcel cost 0.8 s of a 200,000-parcel import). */
function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4))
  const month = Number(value.slice(5, 7))
  const day = Number(value.slice(8, 10))
  if (month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return day <= (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31)
}

/** INSEE commune code: 5 characters, Corsica's 2A/2B included. */
export const COMMUNE_CODE = /^[0-9][0-9AB][0-9]{3}$/
