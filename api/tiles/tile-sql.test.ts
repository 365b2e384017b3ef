import { describe, expect, it } from 'vitest'
import { ALL_TERRITORIES } from '../../core/index.ts'
import { unitMetres } from './tile-coordinates.ts'
import { buildTileSql, tileQuery } from './tile-sql.ts'
import { findTileSource } from './tile-source.ts'

const form = (layer: string, z: number) => {
  const source = findTileSource(layer)!
  const sql = buildTileSql(source)
  const { queries, values } = tileQuery(sql, source, { z, x: 0, y: 0 }, ALL_TERRITORIES)
  return { simplified: queries === sql.simplified, usesSimplify: queries.mvt.includes('ST_Simplify'), tolerance: values[3] as number }
}

describe('tile SQL forms', () => {
  it('simplifies boundaries at every zoom, the cadastre below zoom 17 only, and points never', () => {
    expect(form('communes', 16)).toMatchObject({ simplified: true, usesSimplify: true })
    expect(form('parcels', 16)).toMatchObject({ simplified: true, usesSimplify: true })
    expect(form('parcels', 17)).toMatchObject({ simplified: false, usesSimplify: false })
    expect(form('cadastral-buildings', 18)).toMatchObject({ usesSimplify: false })
    expect(form('sensors', 10)).toMatchObject({ usesSimplify: false })
  })

  it('simplifies to half a screen pixel: 4 tile units of a 4096-unit tile drawn on 512 pixels', () => {
    expect(form('communes', 9).tolerance).toBeCloseTo(4 * unitMetres(9), 9)
  })

  it('takes every value as a parameter, in both forms, whatever the source', () => {
    for (const layer of ['epci', 'communes', 'parcels', 'cadastral-buildings', 'buildings', 'sensors']) {
      const sql = buildTileSql(findTileSource(layer)!)
      for (const text of [sql.simplified.mvt, sql.simplified.features, sql.exact.mvt, sql.exact.features]) {
        for (const p of ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8']) expect(text).toContain(p)
        expect(text).not.toMatch(/\$9/)
      }
    }
  })
})
