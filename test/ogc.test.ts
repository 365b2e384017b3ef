/**
 * OGC API – Features Part 1 on the run's engines, checked against the standard's rules and the
 * database's own answers: links (rel, type, absolute href), numberMatched/numberReturned against
 * SQL counts, the bbox filter against ST_Intersects, CRS84 axis order, paging that walks a
 * collection exactly once while keeping the filters, property filters, 400 problem+json on bad or
 * unknown parameters, 404 on an unknown feature or collection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLLECTIONS, CONFORMANCE_CLASSES } from '../api/ogc/index.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, json, openDatabase, serve, testApp } from './engines.ts'

let database: Database
let api: { url: string; close: () => Promise<void> }

const AMIENS_METROPOLE = '248000531'
/**
 * Parcels of this run: a section of their own in Amiens (ids are 14 characters), one that no parcel
 * of Amiens uses yet, since the servers' database may hold the real cadastre (whose sections filter
 * the same way and must not be deleted by afterAll).
 */
let SECTION = ''
const NUMEROS = [1, 2, 3].map(() => String(1000 + Math.floor(Math.random() * 9000)))
const parcelIds = () => [...new Set(NUMEROS)].map((n) => `80021000${SECTION}${n}`)

beforeAll(async () => {
  database = await openDatabase()
  const { rows: used } = await database.pool.query<{ section: string }>("SELECT DISTINCT section FROM parcel WHERE commune = '80021'")
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ']
  const free = letters.flatMap((a) => letters.map((b) => a + b)).filter((s) => !used.some((u) => u.section === s))
  SECTION = free[Math.floor(Math.random() * free.length)]!
  api = await serve((await testApp(database)).app)
  // Three small squares inside Amiens, around 2.30 E 49.89 N.
  await database.pool.query(
    `INSERT INTO parcel (id, commune, prefixe, section, numero, contenance, geom)
     SELECT id, '80021', '000', $1, right(id, 4), 100 + i,
       ST_Multi(ST_MakeEnvelope(2.30 + i * 0.001, 49.89, 2.3005 + i * 0.001, 49.8905, 4326))
     FROM unnest($2::text[]) WITH ORDINALITY AS p (id, i)
     ON CONFLICT (id) DO NOTHING`,
    [SECTION, parcelIds()],
  )
})
afterAll(async () => {
  if (SECTION) await database?.pool.query('DELETE FROM parcel WHERE id = ANY($1)', [parcelIds()])
  await api?.close()
  await database?.close()
})

async function get(path: string, as: typeof fetch = fetch) {
  const response = await as(path.startsWith('http') ? path : `${api.url}${path}`)
  return { response, body: await json(response) }
}

function expectLinks(links: Array<{ rel: string; type: string; href: string }>) {
  expect(links.length).toBeGreaterThan(0)
  for (const link of links) {
    expect(typeof link.rel).toBe('string')
    expect(typeof link.type).toBe('string')
    expect(() => new URL(link.href)).not.toThrow() // absolute
  }
}

const relOf = <L extends { rel: string; href: string }>(links: L[], rel: string): L | undefined => links.find((l) => l.rel === rel)

describe('landing page, conformance, collections', () => {
  it('links the landing page to the API definition, the conformance and the collections', async () => {
    const { response, body } = await get('/ogc')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expectLinks(body.links)
    expect(relOf(body.links, 'self')!.href).toBe(`${api.url}/ogc`)
    expect(relOf(body.links, 'service-desc')).toMatchObject({ href: `${api.url}/openapi.json`, type: 'application/vnd.oai.openapi+json;version=3.0' })
    expect(relOf(body.links, 'conformance')!.href).toBe(`${api.url}/ogc/conformance`)
    expect(relOf(body.links, 'data')!.href).toBe(`${api.url}/ogc/collections`)
    // Each link leads somewhere.
    for (const link of body.links) expect((await fetch(link.href)).status).toBe(200)
  })

  it('declares the core, GeoJSON and OpenAPI 3.0 conformance classes', async () => {
    const { body } = await get('/ogc/conformance')
    expect(body.conformsTo).toEqual(expect.arrayContaining([...CONFORMANCE_CLASSES]))
    expect(CONFORMANCE_CLASSES).toHaveLength(3)
  })

  it('describes every collection with a CRS84 extent that contains its features, and a link to its items', async () => {
    // The public sees the open data; signed-in staff the staff's collections too (sensors).
    expect((await get('/ogc/collections')).body.collections.map((c: { id: string }) => c.id)).toEqual(COLLECTIONS.filter((c) => c.access === 'public').map((c) => c.id))
    const { body } = await get('/ogc/collections', adminFetch)
    expect(body.collections.map((c: { id: string }) => c.id)).toEqual(COLLECTIONS.map((c) => c.id))
    expectLinks(body.links)
    for (const collection of body.collections) {
      expectLinks(collection.links)
      expect(relOf(collection.links, 'items')).toMatchObject({ type: 'application/geo+json', href: `${api.url}/ogc/collections/${collection.id}/items` })
      expect(collection.extent.spatial.crs).toBe('http://www.opengis.net/def/crs/OGC/1.3/CRS84')
    }
    const communes = body.collections.find((c: { id: string }) => c.id === 'communes')
    const [[w, s, e, n]] = communes.extent.spatial.bbox
    const { rows } = await database.pool.query('SELECT ST_XMin(x) w, ST_YMin(x) s, ST_XMax(x) e, ST_YMax(x) n FROM (SELECT ST_Extent(geom) x FROM commune) t')
    expect(w).toBeLessThanOrEqual(rows[0].w)
    expect(s).toBeLessThanOrEqual(rows[0].s)
    expect(e).toBeGreaterThanOrEqual(rows[0].e)
    expect(n).toBeGreaterThanOrEqual(rows[0].n)
    expect(w).toBeCloseTo(rows[0].w, 5) // longitude first: about 1.4 E, 49.6 N for the Somme
    expect(s).toBeCloseTo(rows[0].s, 5)
    const sensors = body.collections.find((c: { id: string }) => c.id === 'sensors')
    expect(sensors.extent.temporal.trs).toBe('http://www.opengis.net/def/uom/ISO-8601/0/Gregorian')
    expect((await get('/ogc/collections/communes')).body.id).toBe('communes')
  })
})

describe('items', () => {
  it('answers GeoJSON with numberMatched equal to the SQL count, numberReturned equal to the features, and a timeStamp', async () => {
    const { response, body } = await get(`/ogc/collections/communes/items?epci=${AMIENS_METROPOLE}&limit=10`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/geo\+json/)
    const { rows } = await database.pool.query('SELECT count(*)::int n FROM commune WHERE epci_siren = $1', [AMIENS_METROPOLE])
    expect(body.type).toBe('FeatureCollection')
    expect(body.numberMatched).toBe(rows[0].n)
    expect(body.numberReturned).toBe(body.features.length)
    expect(body.features).toHaveLength(10)
    expect(Number.isNaN(Date.parse(body.timeStamp))).toBe(false)
    expectLinks(body.links)
    expect(relOf(body.links, 'self')!.href).toBe(`${api.url}/ogc/collections/communes/items?epci=${AMIENS_METROPOLE}&limit=10`)
    expect(relOf(body.links, 'prev')).toBeUndefined()
  })

  it('gives coordinates in CRS84 order (longitude, latitude)', async () => {
    const { response, body } = await get('/ogc/collections/communes/items/80021')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/geo\+json/)
    expect(body).toMatchObject({ type: 'Feature', id: '80021', properties: { code: '80021', nom: 'Amiens', epci: AMIENS_METROPOLE } })
    const [lon, lat] = body.geometry.coordinates[0][0][0]
    expect(lon).toBeGreaterThan(2.2)
    expect(lon).toBeLessThan(2.4)
    expect(lat).toBeGreaterThan(49.8)
    expect(lat).toBeLessThan(50)
    expect(relOf(body.links, 'self')!.href).toBe(`${api.url}/ogc/collections/communes/items/80021`)
    expect(relOf(body.links, 'collection')!.href).toBe(`${api.url}/ogc/collections/communes`)
  })

  it('selects with bbox exactly the features ST_Intersects selects', async () => {
    const box = [2.2, 49.85, 2.4, 49.95]
    const { body } = await get(`/ogc/collections/communes/items?bbox=${box.join(',')}&limit=1000`)
    const { rows } = await database.pool.query('SELECT insee FROM commune WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY insee', box)
    expect(rows.length).toBeGreaterThan(3)
    expect(body.numberMatched).toBe(rows.length)
    expect(body.features.map((f: { id: string }) => f.id).sort()).toEqual(rows.map((r) => r.insee))
    // Latitude first would be a box in the Indian Ocean: nothing.
    const swapped = await get(`/ogc/collections/communes/items?bbox=49.85,2.2,49.95,2.4`)
    expect(swapped.body.numberMatched).toBe(0)
  })

  it('walks a collection exactly once by following next links, which keep the filters', async () => {
    const { rows } = await database.pool.query("SELECT insee FROM commune WHERE departement = '80' ORDER BY insee")
    const seen: string[] = []
    let url: string | undefined = `/ogc/collections/communes/items?departement=80&limit=100`
    let pages = 0
    while (url) {
      const { body }: { body: { features: { id: string }[]; numberMatched: number; numberReturned: number; links: { rel: string; href: string; type: string }[] } } = await get(url)
      expect(body.numberMatched).toBe(rows.length)
      expect(body.numberReturned).toBe(body.features.length)
      seen.push(...body.features.map((f) => f.id))
      const next = relOf(body.links, 'next')
      if (next) {
        expect(new URL(next.href).searchParams.get('departement')).toBe('80')
        expect(next.type).toBe('application/geo+json')
      }
      if (pages > 0) expect(relOf(body.links, 'prev')).toBeDefined()
      url = next?.href
      pages++
    }
    expect(pages).toBe(Math.ceil(rows.length / 100))
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.sort()).toEqual(rows.map((r) => r.insee))
  })

  it('filters on queryable properties, whitelisted per collection', async () => {
    const parcels = await get(`/ogc/collections/parcels/items?commune=80021&section=${SECTION}`)
    expect(parcels.response.status).toBe(200)
    expect(parcels.body.features.map((f: { id: string }) => f.id).sort()).toEqual(parcelIds().sort())
    expect(parcels.body.features[0].properties).toMatchObject({ commune: '80021', section: SECTION, prefixe: '000' })

    const { rows } = await database.pool.query("SELECT count(*)::int n FROM sensor WHERE quantity = 'temperature'")
    expect((await get('/ogc/collections/sensors/items?grandeur=temperature&limit=1')).response.status).toBe(401) // staff only
    const sensors = await get('/ogc/collections/sensors/items?grandeur=temperature&limit=1', adminFetch)
    expect(sensors.body.numberMatched).toBe(rows[0].n)
    const sensor = sensors.body.features[0]
    expect(sensor.geometry.type).toBe('Point')
    expect(Object.keys(sensor.properties).sort()).toEqual(COLLECTIONS.find((c) => c.id === 'sensors')!.properties.map((p) => p.name).sort())
    // Public attributes only: no device name, no network identity.
    expect(JSON.stringify(sensor)).not.toMatch(/dev_eui|senml|"nom"/)

    const buildings = await get('/ogc/collections/buildings/items?usage=mairie&synthetic=true&limit=1')
    expect(buildings.body.features[0].properties).toMatchObject({ usage: 'mairie', synthetic: true })
  })

  it.each([
    ['bbox=1,2,3', 'bbox'],
    ['bbox=a,b,c,d', 'bbox'],
    ['bbox=2,50,3,49', 'bbox'],
    ['bbox=200,40,210,50', 'bbox'],
    ['limit=0', 'limit'],
    ['limit=10001', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['datetime=yesterday', 'datetime'],
    ['nom_commune=Amiens', 'nom_commune'],
    ['population=1000', 'population'],
  ])('answers 400 problem+json to %s', async (query, parameter) => {
    const { response, body } = await get(`/ogc/collections/communes/items?${query}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(body).toMatchObject({ status: 400, type: 'urn:territoire:problem:invalid-parameter', parameter })
  })

  it('answers 404 problem+json to an unknown feature or collection', async () => {
    for (const path of ['/ogc/collections/communes/items/99999', '/ogc/collections/nope', '/ogc/collections/nope/items']) {
      const { response, body } = await get(path)
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(body.status).toBe(404)
    }
  })
})
