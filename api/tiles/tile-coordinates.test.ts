import { describe, expect, it } from 'vitest'
import { InvalidInputError, NotFoundError } from '../../core/index.ts'
import { parseTileAddress, unitMetres } from './tile-coordinates.ts'
import { TILE_SOURCES } from './tile-source.ts'

const communes = TILE_SOURCES.find((s) => s.id === 'communes')!

describe('tile addresses', () => {
  it('accepts tiles inside the world and the source zoom range', () => {
    expect(parseTileAddress(communes, '9', '259', '173')).toEqual({ z: 9, x: 259, y: 173 })
    expect(parseTileAddress(communes, '0', '0', '0')).toEqual({ z: 0, x: 0, y: 0 })
  })

  it.each([
    ['-1', '0', '0', InvalidInputError],
    ['9', '1.5', '0', InvalidInputError],
    ['9', 'abc', '0', InvalidInputError],
    ['9', '512', '0', NotFoundError],
    ['9', '0', '512', NotFoundError],
    ['17', '0', '0', NotFoundError],
  ])('refuses %s/%s/%s before any SQL', (z, x, y, error) => {
    expect(() => parseTileAddress(communes, z, x, y)).toThrow(error)
  })

  it.each([
    ['parcels', 11, 12, 18],
    ['cadastral-buildings', 13, 14, 18],
    ['buildings', 9, 10, 18],
    ['sensors', 9, 10, 18],
  ])('refuses %s tiles outside their zooms (below %i; %i to %i served)', (id, below, min, max) => {
    const source = TILE_SOURCES.find((s) => s.id === id)!
    expect(source).toMatchObject({ minzoom: min, maxzoom: max })
    expect(() => parseTileAddress(source, String(below), '0', '0')).toThrow(NotFoundError)
    expect(() => parseTileAddress(source, String(max + 1), '0', '0')).toThrow(NotFoundError)
    expect(parseTileAddress(source, String(min), '0', '0')).toEqual({ z: min, x: 0, y: 0 })
  })

  it('sizes one tile unit from the zoom', () => {
    expect(unitMetres(0) * 4096).toBeCloseTo(40075016.69, 1)
    expect(unitMetres(9)).toBeCloseTo(unitMetres(8) / 2, 9)
  })
})
