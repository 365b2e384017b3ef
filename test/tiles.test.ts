/**
 * Vector tiles on the run's engines: a communes tile over Amiens holds Amiens; on real PostGIS
 * ST_AsMVT and the Node encoder (the embedded engine's path) give the same features and attributes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_TERRITORIES, epciScope } from '../core/index.ts'
import type { TileService } from '../api/index.ts'
import type { Database } from '../sql/index.ts'
import { decodeTile, ringArea, type DecodedFeature } from './decode-tile.ts'
import { engines, openDatabase, serve, testApp } from './engines.ts'

let database: Database
let tiles: TileService
let api: { url: string; close: () => Promise<void> }

/** The zoom-9 tile over Amiens (2.2958 E, 49.8941 N). */
const AMIENS_Z9 = { z: 9, x: 259, y: 173 }

beforeAll(async () => {
  database = await openDatabase()
  const built = await testApp(database)
  tiles = built.tiles
  api = await serve(built.app)
})
afterAll(async () => {
  await api.close()
  await database.close()
})

async function fetchTile(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { headers })
  return { response, body: new Uint8Array(await response.arrayBuffer()) }
}

describe('communes and EPCI tiles', () => {
  it('serves a communes tile at zoom 9 over Amiens that holds Amiens (80021) with its attributes', async () => {
    const { response, body } = await fetchTile(`/tiles/communes/${AMIENS_Z9.z}/${AMIENS_Z9.x}/${AMIENS_Z9.y}.mvt`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile')
    const layer = decodeTile(body).communes!
    const amiens = layer.features.find((f) => f.properties.code === '80021')
    expect(amiens?.properties).toEqual({ code: '80021', nom: 'Amiens', epci: '248000531', population: 136449 })
    expect(amiens!.type).toBe(3)
    // Exterior rings are positive in tile coordinates (MVT 2.1), whichever encoder made the tile.
    expect(ringArea(amiens!.geometry[0]!)).toBeGreaterThan(0)
  })

  it('publishes TileJSON 3.0 with bounds, zooms and fields', async () => {
    const tilejson = (await (await fetch(`${api.url}/tiles/communes.json`)).json()) as Record<string, unknown>
    expect(tilejson).toMatchObject({
      tilejson: '3.0.0',
      minzoom: 0,
      maxzoom: 16,
      tiles: [`${api.url}/tiles/communes/{z}/{x}/{y}.mvt`],
      vector_layers: [{ id: 'communes', fields: { code: 'String', nom: 'String', epci: 'String', population: 'Number' } }],
    })
    const [w, s, e, n] = tilejson.bounds as number[]
    expect([w, s, e, n]).toEqual([1.38065, 49.57176, 3.20304, 50.36629])
  })

  it('answers 304 to a matching If-None-Match, 204 for an empty tile, and problem+json for bad addresses', async () => {
    const first = await fetchTile('/tiles/epci/8/129/86.mvt')
    const etag = first.response.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await fetchTile('/tiles/epci/8/129/86.mvt', { 'If-None-Match': etag })
    expect(again.response.status).toBe(304)

    const ocean = await fetchTile('/tiles/communes/9/10/10.mvt')
    expect(ocean.response.status).toBe(204)

    const outside = await fetchTile('/tiles/communes/9/600/1.mvt')
    expect(outside.response.status).toBe(404)
    expect(outside.response.headers.get('content-type')).toMatch(/problem\+json/)
    expect((await fetchTile('/tiles/communes/z/1/1.mvt')).response.status).toBe(400)
    expect((await fetchTile('/tiles/nope/1/1/1.mvt')).response.status).toBe(404)
  })

  it('restricts tiles to the caller scope', async () => {
    const scoped = decodeTile((await tiles.tile('communes', AMIENS_Z9, epciScope(['200071223']))).body).communes!
    expect(scoped.features.length).toBeGreaterThan(0)
    expect(scoped.features.every((f) => f.properties.epci === '200071223')).toBe(true)
  })

  // Only real PostGIS has ST_AsMVT (the embedded one is built without protobuf): this comparison runs in CI's server pass.
  it.runIf(engines() === 'servers')('gives the same features and attributes with ST_AsMVT and with the Node encoder', async () => {
    for (const [layer, address] of [['communes', AMIENS_Z9], ['epci', AMIENS_Z9], ['communes', { z: 12, x: 2074, y: 1387 }], ['epci', { z: 6, x: 32, y: 21 }]] as const) {
      const byPostgis = decodeTile((await tiles.tile(layer, address, ALL_TERRITORIES, 'postgis')).body)[layer]!.features
      const byNode = decodeTile((await tiles.tile(layer, address, ALL_TERRITORIES, 'node')).body)[layer]!.features
      expect(byPostgis.length).toBeGreaterThan(0)
      const key = (f: DecodedFeature) => JSON.stringify(f.properties)
      expect(byNode.map(key).sort()).toEqual(byPostgis.map(key).sort())
      for (const feature of byPostgis) {
        const twin = byNode.find((f) => key(f) === key(feature))!
        expect(twin.type).toBe(feature.type)
        // Same shape: the areas agree within 2 % (both snap to the same grid, vertex choices may differ).
        const area = (f: DecodedFeature) => f.geometry.reduce((sum, ring) => sum + ringArea(ring), 0)
        expect(Math.abs(area(twin) - area(feature))).toBeLessThanOrEqual(Math.max(0.02 * Math.abs(area(feature)), 8))
      }
    }
  })
})
