import { describe, expect, it } from 'vitest'
import { decodeTile, ringArea } from '../../test/decode-tile.ts'
import { encodeMvt } from './mvt-encoder.ts'

const square = (x0: number, y0: number, size: number, clockwiseOnScreen: boolean) => {
  const ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
  return clockwiseOnScreen ? ring : ring.reverse()
}

describe('Node MVT encoder', () => {
  it('encodes attributes, omits nulls, and writes exterior rings positive and holes negative whatever the input winding', () => {
    const polygon = { type: 'Polygon', coordinates: [square(0, 0, 100, false), square(25, 25, 50, true)] }
    const body = encodeMvt('communes', [{ geom: JSON.stringify(polygon), code: '80021', population: 136449, epci: null, flag: true }])
    const layer = decodeTile(body).communes!
    expect(layer.extent).toBe(4096)
    expect(layer.features).toHaveLength(1)
    const [feature] = layer.features
    expect(feature!.type).toBe(3)
    expect(feature!.properties).toEqual({ code: '80021', population: 136449, flag: true })
    expect(feature!.geometry.map((ring) => Math.sign(ringArea(ring)))).toEqual([1, -1])
    expect(Math.abs(ringArea(feature!.geometry[0]!))).toBe(100 * 100)
  })

  it('keeps every polygon of a multipolygon and drops degenerate rings', () => {
    const multi = {
      type: 'MultiPolygon',
      coordinates: [[square(0, 0, 10, true)], [square(20, 20, 10, true)], [[[5, 5], [6, 6], [5, 5], [5, 5]]]],
    }
    const [feature] = decodeTile(encodeMvt('x', [{ geom: JSON.stringify(multi) }])).x!.features
    expect(feature!.geometry).toHaveLength(2)
  })

  it('answers an empty buffer for no feature (the route turns it into 204)', () => {
    expect(encodeMvt('x', [])).toHaveLength(0)
    expect(encodeMvt('x', [{ geom: JSON.stringify({ type: 'GeometryCollection', geometries: [] }) }])).toHaveLength(0)
  })

  it('encodes points', () => {
    const [feature] = decodeTile(encodeMvt('s', [{ geom: JSON.stringify({ type: 'Point', coordinates: [10, 20] }), id: 'a' }])).s!.features
    expect(feature!.type).toBe(1)
    expect(feature!.geometry).toEqual([[{ x: 10, y: 20 }]])
  })
})
