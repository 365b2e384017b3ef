import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../core/index.ts'
import { parseYear } from './indicators/indicator-period.ts'
import { instant, integer, siren } from './params.ts'

describe('instant', () => {
  it('reads an ISO 8601 date-time with an offset, or a date at UTC midnight', () => {
    expect(instant('2026-11-22T08:00:00+01:00', 'from')).toEqual(new Date('2026-11-22T07:00:00Z'))
    expect(instant('2024-02-29', 'from')).toEqual(new Date('2024-02-29T00:00:00Z'))
    expect(instant(undefined, 'from')).toBeUndefined()
  })

  // Found by api/params.property.test.ts: Date() rolled these over instead of refusing them.
  it.each(['2026-02-31', '2026-02-29T08:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00Z'])('refuses %s, which is not a real instant', (value) => {
    expect(() => instant(value, 'from')).toThrow(InvalidInputError)
  })
})

describe('parameters given as objects without a prototype', () => {
  // Found by api/params.property.test.ts: quoting the value in the message threw a TypeError (a 500).
  const bare = Object.create(null) as unknown
  it.each([
    ['siren', () => siren(bare)],
    ['instant', () => instant(bare, 'from')],
    ['integer', () => integer(bare, 'limit', 1, 10, 5)],
    ['year', () => parseYear(bare, 2026)],
    ['repeated', () => siren([bare])],
  ])('%s: a 400, not a TypeError', (_name, parse) => {
    expect(parse).toThrow(InvalidInputError)
  })
})
