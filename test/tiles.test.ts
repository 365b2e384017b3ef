/**
 * Vector tiles on the run's engines: communes and EPCI over Amiens; parcels, cadastral buildings,
 * public buildings and sensors compared with the SQL truth for fixtures placed in a zoom-16 tile
 * of Amiens drawn at random for this run (so that runs on a kept database never meet); on real
 * PostGIS, ST_AsMVT and the Node encoder give the same features. The cache: a tile is served from
 * it (hit counter), then an import (markLayersChanged) or a reading through the ingestion changes
 * the tile's content and ETag — heard by LISTEN on a real server, in process on the embedded one.
 */
import http from 'node:http'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { sql } from 'kysely'
import mqtt, { type MqttClient } from 'mqtt'
import { ALL_TERRITORIES, epciScope } from '../core/index.ts'
import { TILE_SOURCES, TileService } from '../api/index.ts'
import { buildTileSql, tileQuery } from '../api/tiles/tile-sql.ts'
import { IngestionPipeline, parseDeviceSpec, provisionDevices } from '../ingestion/index.ts'
import { detectCapabilities, markLayersChanged, type Database } from '../sql/index.ts'
import { decodeTile, ringArea, type DecodedFeature } from './decode-tile.ts'
import { adminFetch, engines, INGESTION_WAIT, mqttUrl, openDatabase, pipelineOptions, serve, testApp, uniqueName } from './engines.ts'

let database: Database
let tiles: TileService
let api: { url: string; close: () => Promise<void> }
let publisher: MqttClient
let pipeline: IngestionPipeline

/** The zoom-9 tile over Amiens (2.2958 E, 49.8941 N). */
const AMIENS_Z9 = { z: 9, x: 259, y: 173 }
const AMIENS = { insee: '80021', epci: '248000531' }

/** This run's tile: zoom 16, somewhere in Amiens. */
const Z = 16
const TILE = { z: Z, x: 33_179 + Math.floor(Math.random() * 12), y: 22_256 + Math.floor(Math.random() * 12) }
const run = uniqueName('tiles').replace(/[^a-z0-9]/gi, '').slice(-10)
/** This run's parcels: a prefix and section no parcel uses yet (the servers' database may hold the real cadastre). */
let prefixe = ''
let section = ''
const parcelId = (n: number, commune = AMIENS.insee) => `${commune}${prefixe}${section}${String(n).padStart(4, '0')}`
const BUILDING = `b-${run}`
const DEVICES = { located: `d-${run}-a`, unlocated: `d-${run}-b` }
const topicPrefix = uniqueName('test-tiles')

/** Longitude/latitude of a fraction (fx, fy) of a tile, from its north-west corner. */
function lonLat(tile: { z: number; x: number; y: number }, fx: number, fy: number): [number, number] {
  const n = 2 ** tile.z
  const lon = ((tile.x + fx) / n) * 360 - 180
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * (tile.y + fy)) / n))) * 180) / Math.PI
  return [lon, lat]
}
const square = (tile: typeof TILE, fx: number, fy: number, size: number) => {
  const ring = [[fx, fy], [fx + size, fy], [fx + size, fy + size], [fx, fy + size], [fx, fy]].map(([a, b]) => lonLat(tile, a!, b!))
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] })
}
/** A square whose south edge zigzags by about 20 cm: detail that simplification removes below z17. */
function zigzagSquare(tile: typeof TILE, fx: number, fy: number, size: number): string {
  const steps = 12
  const ring: [number, number][] = [lonLat(tile, fx, fy)]
  const tileMetres = 40_075_016.69 / 2 ** tile.z
  const jag = 0.2 / tileMetres / Math.cos((49.9 * Math.PI) / 180)
  for (let i = 1; i < steps; i++) ring.push(lonLat(tile, fx + (size * i) / steps, fy + size + (i % 2 ? jag : 0)))
  ring.splice(1, 0, lonLat(tile, fx, fy + size))
  ring.push(lonLat(tile, fx + size, fy + size), lonLat(tile, fx + size, fy), lonLat(tile, fx, fy))
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] })
}

async function fetchTile(path: string, headers: Record<string, string> = {}) {
  const response = await adminFetch(`${api.url}${path}`, { headers })
  return { response, body: new Uint8Array(await response.arrayBuffer()) }
}
const tilePath = (layer: string, t: { z: number; x: number; y: number }) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`
async function layerOf(layer: string, t = TILE) {
  const { response, body } = await fetchTile(tilePath(layer, t))
  return { response, features: response.status === 204 ? [] : decodeTile(body)[layer]!.features }
}
/** A tile's features with properties, sorted by id, as the tile carries them (null attributes omitted). */
const byId = (features: readonly DecodedFeature[], ids?: ReadonlySet<unknown>) =>
  features.filter((f) => !ids || ids.has(f.properties.id)).map((f) => f.properties).sort((a, b) => String(a.id).localeCompare(String(b.id)))
const withoutNulls = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null))

let otherCommune: { insee: string; epci: string }

beforeAll(async () => {
  database = await openDatabase()
  const capabilities = await detectCapabilities(database.pool)
  tiles = new TileService(database.pool, capabilities.mvt ? 'postgis' : 'node', { cacheBytes: 8 * 1024 * 1024 })
  // As the hub does: LISTEN on a real server; on the embedded engine, where notifications do not
  // cross connections, in-process calls (the pipeline's onWritten below) and a poll of the versions.
  await tiles.followChanges(engines() === 'servers' ? { kind: 'listen' } : { kind: 'in-process', pollMs: 100 })
  api = await serve((await testApp(database, { tiles })).app)
  do {
    prefixe = String(Math.floor(Math.random() * 1000)).padStart(3, '0')
    section = String.fromCharCode(65 + Math.floor(Math.random() * 26), 65 + Math.floor(Math.random() * 26))
  } while ((await database.pool.query('SELECT 1 FROM parcel WHERE prefixe = $1 AND section = $2 LIMIT 1', [prefixe, section])).rowCount)

  const { rows } = await database.pool.query<{ insee: string; epci: string }>(
    'SELECT insee, epci_siren AS epci FROM commune WHERE epci_siren <> $1 ORDER BY insee LIMIT 1', [AMIENS.epci])
  otherCommune = rows[0]!
  // Parcels: three of Amiens and one of another EPCI in the tile, one of a commune outside the
  // territory (seen by `all` only), one in a tile further east, one with a zigzag edge.
  const parcels: Array<[string, string, string, number | null]> = [
    [parcelId(1), AMIENS.insee, square(TILE, 0.1, 0.1, 0.2), 1200],
    [parcelId(2), AMIENS.insee, square(TILE, 0.4, 0.1, 0.2), null],
    [parcelId(3), AMIENS.insee, zigzagSquare(TILE, 0.03, 0.53, 0.19), 800],
    [parcelId(4, otherCommune.insee), otherCommune.insee, square(TILE, 0.7, 0.1, 0.2), 50],
    [parcelId(5, '99999'), '99999', square(TILE, 0.7, 0.5, 0.2), 75],
    [parcelId(6), AMIENS.insee, square({ ...TILE, x: TILE.x + 2 }, 0.4, 0.4, 0.2), 10],
  ]
  await database.pool.query(
    `INSERT INTO parcel (id, commune, prefixe, section, numero, contenance, geom)
     SELECT id, commune, $5, $6, right(id, 4), contenance, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geom), 4326))
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS p (id, commune, geom, contenance)`,
    [parcels.map((p) => p[0]), parcels.map((p) => p[1]), parcels.map((p) => p[2]), parcels.map((p) => p[3]), prefixe, section],
  )
  // Cadastral buildings: the importer's natural key (migration 0011) where it exists.
  const { rows: keyed } = await database.pool.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'cadastral_building' AND column_name = 'key'")
  await database.pool.query(
    `INSERT INTO cadastral_building (commune, type, nom, geom${keyed.length ? ', key' : ''})
     SELECT commune, type, nom, g${keyed.length ? `, commune || ':${run}:' || type` : ''}
     FROM (SELECT commune, type, nom, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geom), 4326)) AS g
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS b (commune, type, nom, geom)) AS b`,
    [[AMIENS.insee, AMIENS.insee], ['01', '02'], [`Halle ${run}`, null], [square(TILE, 0.15, 0.15, 0.05), square(TILE, 0.45, 0.15, 0.05)]],
  )
  // A public building with two devices: one located, one placed by its building.
  await database.pool.query(
    `INSERT INTO building (id, nom, usage, floor_area_m2, construction_year, commune_insee, geom)
     VALUES ($1, $2, 'ecole', 850, 1974, $3, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4), 4326)))`,
    [BUILDING, `École ${run}`, AMIENS.insee, square(TILE, 0.4, 0.6, 0.2)],
  )
  await provisionDevices(database.db, [
    parseDeviceSpec({ id: DEVICES.located, senmlBaseName: `urn:dev:territoire:${DEVICES.located}:`, profile: 'generic-ambiance', buildingId: BUILDING, location: lonLat(TILE, 0.45, 0.65) }),
    parseDeviceSpec({ id: DEVICES.unlocated, senmlBaseName: `urn:dev:territoire:${DEVICES.unlocated}:`, profile: 'generic-ambiance', buildingId: BUILDING }),
  ], 'create')

  publisher = await mqtt.connectAsync(mqttUrl(), { clientId: uniqueName('publisher'), protocolVersion: 4 })
  // On a real server the pipeline's NOTIFY reaches the tiles' LISTEN; the embedded engine needs the hub's in-process call.
  pipeline = await IngestionPipeline.start(pipelineOptions(database, [`${topicPrefix}/senml/#`], engines() === 'servers' ? {} : { onWritten: () => tiles.liveLayersChanged() }))
})
afterAll(async () => {
  await pipeline?.stop()
  await publisher?.endAsync()
  await api?.close()
  await tiles?.close()
  await database?.close()
})

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
    const tilejson = (await (await adminFetch(`${api.url}/tiles/communes.json`)).json()) as Record<string, unknown>
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

  it('builds the TileJSON tile URLs from PUBLIC_URL when it is set (behind a proxy)', async () => {
    const proxied = await serve((await testApp(database, { openData: { publicUrl: 'https://carto.example.fr', publisherName: 'Test' } })).app)
    try {
      const tilejson = (await (await adminFetch(`${proxied.url}/tiles/communes.json`)).json()) as { tiles: string[] }
      expect(tilejson.tiles).toEqual(['https://carto.example.fr/tiles/communes/{z}/{x}/{y}.mvt'])
      const list = (await (await adminFetch(`${proxied.url}/tiles`)).json()) as Array<{ tilejson: string }>
      expect(list.every((l) => l.tilejson.startsWith('https://carto.example.fr/tiles/'))).toBe(true)
    } finally {
      await proxied.close()
    }
  })

  it('answers 304 to a matching If-None-Match, 204 for an empty tile, and problem+json for bad addresses', async () => {
    const first = await fetchTile('/tiles/epci/8/129/86.mvt')
    const etag = first.response.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(first.response.headers.get('cache-control')).toBe('max-age=60')
    const again = await fetchTile('/tiles/epci/8/129/86.mvt', { 'If-None-Match': etag })
    expect(again.response.status).toBe(304)
    expect(again.body).toHaveLength(0)

    const ocean = await fetchTile('/tiles/communes/9/10/10.mvt')
    expect(ocean.response.status).toBe(204)

    const outside = await fetchTile('/tiles/communes/9/600/1.mvt')
    expect(outside.response.status).toBe(404)
    expect(outside.response.headers.get('content-type')).toMatch(/problem\+json/)
    expect((await fetchTile('/tiles/communes/z/1/1.mvt')).response.status).toBe(400)
    expect((await fetchTile('/tiles/nope/1/1/1.mvt')).response.status).toBe(404)
    // The new layers' zooms are checked before any SQL.
    for (const path of ['/tiles/parcels/11/1037/693.mvt', '/tiles/cadastral-buildings/13/4148/2774.mvt', '/tiles/sensors/9/259/173.mvt', '/tiles/parcels/19/1/1.mvt']) {
      const refused = await fetchTile(path)
      expect(refused.response.status, path).toBe(404)
      expect(refused.response.headers.get('content-type')).toMatch(/problem\+json/)
    }
  })

  it('sends gzip to a client that accepts it, under its own ETag, and the same tile to one that does not', async () => {
    const path = `/tiles/communes/${AMIENS_Z9.z}/${AMIENS_Z9.x}/${AMIENS_Z9.y}.mvt`
    const raw = async (acceptEncoding: string, ifNoneMatch?: string) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const headers: Record<string, string> = { 'Accept-Encoding': acceptEncoding, ...(ifNoneMatch ? { 'If-None-Match': ifNoneMatch } : {}) }
      http.get(`${api.url}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
      }).on('error', reject)
    })
    // Made, then compressed once asked for again: the first answers may be plain.
    const first = await raw('gzip')
    expect(first.status).toBe(200)
    const zipped = await vi.waitFor(async () => {
      const answer = await raw('br, gzip;q=0.8')
      expect(answer.headers['content-encoding']).toBe('gzip')
      return answer
    }, INGESTION_WAIT)
    const plain = await raw('identity')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers.vary).toBe('Accept-Encoding')
    expect(zipped.body.length).toBeLessThan(plain.body.length)
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true)
    expect(zipped.headers.etag).not.toBe(plain.headers.etag)
    expect((await raw('gzip', zipped.headers.etag)).status).toBe(304)
    expect((await raw('identity', zipped.headers.etag)).status).toBe(200)
    expect((await raw('gzip;q=0', plain.headers.etag)).status).toBe(304)
    expect(first.body.equals(plain.body) || gunzipSync(first.body).equals(plain.body)).toBe(true)
  })

  it('restricts tiles to the caller scope', async () => {
    const scoped = decodeTile((await tiles.tile('communes', AMIENS_Z9, epciScope(['200071223']))).body).communes!
    expect(scoped.features.length).toBeGreaterThan(0)
    expect(scoped.features.every((f) => f.properties.epci === '200071223')).toBe(true)
  })
})

describe('cadastre tiles', () => {
  it('serves the parcels of the tile with their attributes, as SQL has them, and none of the next tile', async () => {
    const { response, features } = await layerOf('parcels')
    expect(response.status).toBe(200)
    const { rows } = await database.pool.query(
      `SELECT id, commune, prefixe, section, numero, contenance FROM parcel
       WHERE id LIKE '%' || $1 || '%' AND ST_Intersects(geom_3857, ST_TileEnvelope($2, $3, $4))`,
      [`${prefixe}${section}`, TILE.z, TILE.x, TILE.y],
    )
    expect(rows.map((r) => r.id).sort()).toEqual([parcelId(1), parcelId(2), parcelId(3), parcelId(4, otherCommune.insee), parcelId(5, '99999')].sort())
    const ours = new Set<unknown>(rows.map((r) => r.id as string).concat(parcelId(6)))
    expect(byId(features, ours)).toEqual(byId(rows.map((r) => ({ type: 3, geometry: [], properties: withoutNulls(r) } as DecodedFeature))))
    expect(features.filter((f) => ours.has(f.properties.id)).every((f) => f.type === 3 && ringArea(f.geometry[0]!) > 0)).toBe(true)
  })

  it('filters parcels by the caller scope through their commune', async () => {
    const amiens = decodeTile((await tiles.tile('parcels', TILE, epciScope([AMIENS.epci]))).body).parcels!.features
    const ids = new Set(amiens.map((f) => f.properties.id))
    expect(ids).toContain(parcelId(1))
    expect(ids).not.toContain(parcelId(4, otherCommune.insee))
    expect(ids).not.toContain(parcelId(5, '99999')) // outside the territory: only `all` sees it
    expect(amiens.every((f) => f.properties.commune === AMIENS.insee || !String(f.properties.id).includes(`${prefixe}${section}`))).toBe(true)
  })

  it('simplifies below zoom 17 and draws the cadastre exactly from zoom 17', async () => {
    const vertices = async (t: { z: number; x: number; y: number }) => {
      const feature = decodeTile((await tiles.tile('parcels', t, ALL_TERRITORIES)).body).parcels!.features.find((f) => f.properties.id === parcelId(3))!
      return feature.geometry[0]!.length
    }
    // The zigzag parcel lies within one of the tile's zoom-18 children.
    const [lon, lat] = lonLat(TILE, 0.1, 0.6)
    const n = 2 ** 18
    const z18 = { z: 18, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.asinh(Math.tan((lat * Math.PI) / 180)) / Math.PI) / 2) * n) }
    const exact = await vertices(z18)
    expect(exact).toBeGreaterThanOrEqual(15) // the 12 zigzag points, the corners, the closing point
    expect(await vertices(TILE)).toBeLessThan(exact - 5)
  })

  it('serves cadastral buildings with their type and name', async () => {
    const { features } = await layerOf('cadastral-buildings')
    const ours = features.filter((f) => f.properties.commune === AMIENS.insee && (f.properties.nom === `Halle ${run}` || f.properties.type === '02'))
    const { rows } = await database.pool.query(
      `SELECT id::int, commune, type, nom FROM cadastral_building WHERE (nom = $1 OR nom IS NULL) AND ST_Intersects(geom_3857, ST_TileEnvelope($2, $3, $4))`,
      [`Halle ${run}`, TILE.z, TILE.x, TILE.y],
    )
    expect(rows).toHaveLength(2)
    const ids = new Set(rows.map((r) => r.id as number))
    expect(byId(ours, ids)).toEqual(byId(rows.map((r) => ({ type: 3, geometry: [], properties: withoutNulls(r) } as DecodedFeature))))
  })
})

describe('buildings and sensors tiles', () => {
  it('serves a public building with its sensor count and latest values, as the view sensor_latest has them', async () => {
    const { response, features } = await layerOf('buildings')
    expect(response.headers.get('cache-control')).toBe('private, no-cache') // a staff layer: for the caller only
    const building = features.find((f) => f.properties.id === BUILDING)!
    expect(building.properties).toEqual({
      id: BUILDING, nom: `École ${run}`, usage: 'ecole', floor_area_m2: 850, construction_year: 1974,
      commune: AMIENS.insee, epci: AMIENS.epci, synthetic: false, sensors: 6,
    })
  })

  it('reads the latest values of the live layers from the hourly rollups, never from the raw readings (query plans)', async () => {
    const relations = (plan: unknown, into: string[] = []): string[] => {
      if (Array.isArray(plan)) for (const p of plan) relations(p, into)
      else if (plan && typeof plan === 'object') {
        for (const [key, value] of Object.entries(plan)) {
          if (key === 'Relation Name') into.push(String(value))
          else relations(value, into)
        }
      }
      return into
    }
    for (const id of ['sensors', 'buildings']) {
      const source = TILE_SOURCES.find((s) => s.id === id)!
      const { queries, values } = tileQuery(buildTileSql(source), source, TILE, ALL_TERRITORIES)
      const { rows } = await database.pool.query(`EXPLAIN (FORMAT JSON) ${queries.features}`, values)
      const read = relations(rows[0]['QUERY PLAN'])
      expect(read, id).toContain('reading_hourly')
      expect(read.filter((r) => r.startsWith('reading') && r !== 'reading_hourly'), id).toEqual([])
    }
  })

  it('places each sensor at its device (or its building) with status never before any reading', async () => {
    const { features } = await layerOf('sensors')
    const ours = features.filter((f) => (Object.values(DEVICES) as unknown[]).includes(f.properties.device))
    expect(ours).toHaveLength(6)
    expect(ours.every((f) => f.type === 1 && f.properties.status === 'never' && f.properties.value === undefined && f.properties.building === BUILDING)).toBe(true)
    expect(new Set(ours.map((f) => f.properties.quantity))).toEqual(new Set(['temperature', 'humidity', 'co2']))
    // Attributed by location at provisioning: the commune covering the device.
    const { rows } = await database.pool.query(
      'SELECT COALESCE(d.commune_insee, b.commune_insee) AS commune FROM device d JOIN building b ON b.id = d.building_id WHERE d.id = $1', [DEVICES.located])
    expect(ours.find((f) => f.properties.id === `${DEVICES.located}.co2`)?.properties).toMatchObject({ unit: 'ppm', commune: rows[0]!.commune })
  })

  // Only real PostGIS has ST_AsMVT (the embedded one is built without protobuf): this comparison runs in CI's server pass.
  it.runIf(engines() === 'servers')('gives the same features and attributes with ST_AsMVT and with the Node encoder', async () => {
    const cases = [['communes', AMIENS_Z9], ['epci', AMIENS_Z9], ['communes', { z: 12, x: 2074, y: 1387 }], ['epci', { z: 6, x: 32, y: 21 }],
      ['parcels', TILE], ['cadastral-buildings', TILE], ['buildings', TILE], ['sensors', TILE], ['buildings', { z: 12, x: TILE.x >> 4, y: TILE.y >> 4 }]] as const
    for (const [layer, address] of cases) {
      const byPostgis = decodeTile((await tiles.tile(layer, address, ALL_TERRITORIES, 'postgis')).body)[layer]!.features
      const byNode = decodeTile((await tiles.tile(layer, address, ALL_TERRITORIES, 'node')).body)[layer]!.features
      expect(byPostgis.length).toBeGreaterThan(0)
      const key = (f: DecodedFeature) => JSON.stringify(f.properties)
      expect(byNode.map(key).sort()).toEqual(byPostgis.map(key).sort())
      for (const feature of byPostgis) {
        const twin = byNode.find((f) => key(f) === key(feature))!
        expect(twin.type).toBe(feature.type)
        if (feature.type === 1) {
          expect(twin.geometry).toEqual(feature.geometry)
          continue
        }
        // Same shape: the areas agree within 2 %, or one screen pixel (64 units²) for the slivers
        // of the buffer, where the two clip at different steps (both snap to the same grid).
        const area = (f: DecodedFeature) => f.geometry.reduce((sum, ring) => sum + ringArea(ring), 0)
        expect(Math.abs(area(twin) - area(feature)), `${layer} ${key(feature)}`).toBeLessThanOrEqual(Math.max(0.02 * Math.abs(area(feature)), 64))
      }
    }
  })
})

describe('tile cache', () => {
  /**
   * Two requests in a row, the second counted as a cache hit with the same ETag. Retried: on a
   * shared database, other tests' readings may invalidate the live layers between the two.
   */
  async function servedFromCache(path: string) {
    return vi.waitFor(async () => {
      const first = await fetchTile(path)
      const hits = tiles.cacheStats().hits
      const second = await fetchTile(path)
      expect(tiles.cacheStats().hits).toBe(hits + 1)
      expect(second.response.headers.get('etag')).toBe(first.response.headers.get('etag'))
      return [first, second] as const
    }, INGESTION_WAIT)
  }

  it('serves a warm tile from the cache with the same ETag, and a new one once an import changed the layer', async () => {
    const [first, second] = await servedFromCache(tilePath('parcels', TILE))
    expect(Buffer.from(second.body).equals(Buffer.from(first.body))).toBe(true)
    expect((await fetchTile(tilePath('parcels', TILE), { 'If-None-Match': first.response.headers.get('etag')! })).response.status).toBe(304)

    // An import: rows and the layer's version in one transaction (notified at commit).
    await database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO parcel (id, commune, prefixe, section, numero, contenance, geom)
                VALUES (${parcelId(7)}, ${AMIENS.insee}, ${prefixe}, ${section}, '0007', 99,
                        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${square(TILE, 0.7, 0.8, 0.1)}), 4326)))`.execute(trx)
      await markLayersChanged(trx, ['parcels'])
    })
    const changed = await vi.waitFor(async () => {
      const next = await fetchTile(tilePath('parcels', TILE))
      expect(decodeTile(next.body).parcels!.features.map((f) => f.properties.id)).toContain(parcelId(7))
      return next
    }, INGESTION_WAIT)
    expect(changed.response.headers.get('etag')).not.toBe(first.response.headers.get('etag'))
    const stale = await fetchTile(tilePath('parcels', TILE), { 'If-None-Match': first.response.headers.get('etag')! })
    expect(stale.response.status).toBe(200)
  })

  it('shows a new reading through the ingestion on a cached sensors tile, with a new ETag', async () => {
    const [before] = await servedFromCache(tilePath('sensors', TILE))

    const value = Math.round((18 + Math.random() * 4) * 100) / 100
    const at = Date.now() - 1_000
    await publisher.publishAsync(`${topicPrefix}/senml/${DEVICES.located}`,
      JSON.stringify([{ bn: `urn:dev:territoire:${DEVICES.located}:`, bt: at / 1000, n: 'temperature', u: 'Cel', v: value }]), { qos: 1 })
    const after = await vi.waitFor(async () => {
      const next = await fetchTile(tilePath('sensors', TILE))
      const sensor = decodeTile(next.body).sensors!.features.find((f) => f.properties.id === `${DEVICES.located}.temperature`)!
      expect(sensor.properties).toMatchObject({ value, unit: 'Cel', quantity: 'temperature', status: 'ok', at: new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000', '') })
      return next
    }, INGESTION_WAIT)
    expect(after.response.headers.get('etag')).not.toBe(before.response.headers.get('etag'))

    // The building's latest temperature follows, as the view has it.
    const building = (await layerOf('buildings')).features.find((f) => f.properties.id === BUILDING)!
    const { rows } = await database.pool.query(
      `SELECT l.value FROM sensor_latest l JOIN sensor s ON s.sid = l.sid WHERE s.id = $1`, [`${DEVICES.located}.temperature`])
    expect(building.properties).toMatchObject({ temperature: rows[0]!.value, sensors: 6 })
    expect(building.properties.temperature).toBe(value)
    expect(building.properties.temperature_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('lets a cached sensors tile expire when a sensor turns silent, with no write at all', async () => {
    // A reading 2 h minus 3 s old: ok now, silent in 3 s, with nothing written in between.
    const at = Date.now() - 2 * 3_600_000 + 3_000
    await publisher.publishAsync(`${topicPrefix}/senml/${DEVICES.unlocated}`,
      JSON.stringify([{ bn: `urn:dev:territoire:${DEVICES.unlocated}:`, bt: at / 1000, n: 'humidity', u: '%RH', v: 40 }]), { qos: 1 })
    const status = async () => decodeTile((await fetchTile(tilePath('sensors', TILE))).body).sensors!.features.find((f) => f.properties.id === `${DEVICES.unlocated}.humidity`)!.properties.status
    await vi.waitFor(async () => expect(await status()).toBe('ok'), INGESTION_WAIT)
    // In the meantime the tile is served from the cache (unless other tests' readings invalidate it):
    // its entry expires when the sensor turns silent.
    await vi.waitFor(async () => expect(await status()).toBe('silent'), INGESTION_WAIT)
  })
})
