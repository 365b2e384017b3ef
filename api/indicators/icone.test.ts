import { describe, expect, it } from 'vitest'
import { co2Class, icone } from './icone.ts'

describe('icone', () => {
  it('is 0 when no occupied reading reaches 1,000 ppm', () => {
    // f1 = f2 = 0: log10(1) = 0 → 0.
    expect(icone({ n: 100, n1000to1700: 0, nAbove1700: 0 })).toEqual({ index: 0, f1: 0, f2: 0, readings: 100 })
  })

  it('gives an intermediate value worked out by hand', () => {
    // f1 = 0.3, f2 = 0.1: 1 + 0.3 + 0.3 = 1.6; log10(1.6) = 0.20412; 2.5 / 0.30103 = 8.30482;
    // 8.30482 × 0.20412 = 1.6952 → 2.
    expect(icone({ n: 100, n1000to1700: 30, nAbove1700: 10 })).toMatchObject({ index: 2, f1: 0.3, f2: 0.1 })
    // f1 = 0.5, f2 = 0.4: 1 + 0.5 + 1.2 = 2.7; log10(2.7) = 0.43136; × 8.30482 = 3.5824 → 4.
    expect(icone({ n: 10, n1000to1700: 5, nAbove1700: 4 })!.index).toBe(4)
  })

  it('is 5 when every occupied reading is above 1,700 ppm', () => {
    // f2 = 1: 1 + 3 = 4; log10(4) / log10(2) = 2; 2.5 × 2 = 5.
    expect(icone({ n: 48, n1000to1700: 0, nAbove1700: 48 })!.index).toBe(5)
  })

  it('has no value without occupied readings, and classes readings at the bounds as the method does', () => {
    expect(icone({ n: 0, n1000to1700: 0, nAbove1700: 0 })).toBeNull()
    expect([999, 1000, 1700, 1701].map(co2Class)).toEqual([0, 1, 1, 2])
  })
})
