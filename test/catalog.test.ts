/**
 * The DCAT-AP catalogue parses as RDF (jsonld, inline context, no network) and states what a
 * harvester needs: a dcat:Catalog, each dataset with Licence Ouverte 2.0, the configured
 * publisher, its spatial coverage (bbox, data.gouv.fr EPCI zones), French titles, dct:modified,
 * temporal coverage for the readings, and CSV/GeoJSON/OGC distributions. Nothing private.
 */
import jsonld from 'jsonld'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LICENCE_OUVERTE_2 } from '../api/catalog/index.ts'
import { COLLECTIONS } from '../api/ogc/index.ts'
import { ReadingWriter } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { TEST_ADMIN_TOKEN, openDatabase, serve, testApp } from './engines.ts'

const BASE = 'https://donnees.example.fr'
const PUBLISHER = 'Syndicat mixte numérique de test'
const DCAT = 'http://www.w3.org/ns/dcat#'
const DCT = 'http://purl.org/dc/terms/'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
/** A day of this run's own, in 2018, with one reading: the readings' temporal coverage includes it. */
const DAY = Date.UTC(2018, 0, 1) + Math.floor(Math.random() * 300) * 86_400_000 + 10 * 3_600_000

let database: Database
let api: { url: string; close: () => Promise<void> }
let text: string
let triples: { s: string; p: string; o: string }[]

const objects = (s: string, p: string) => triples.filter((t) => t.s === s && t.p === p).map((t) => t.o)
const iri = (value: string) => `<${value}>`

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database, { openData: { publicUrl: BASE, publisherName: PUBLISHER } })).app)
  const { rows } = await database.pool.query<{ sid: number }>("SELECT sid FROM sensor WHERE id = '80021-mairie-ambiance.temperature'")
  await new ReadingWriter(database.db, 'Europe/Paris').write([{ sid: rows[0]!.sid, ts: DAY, value: 20 }], [])
  const response = await fetch(`${api.url}/catalog`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^application\/ld\+json/)
  text = await response.text()
  const nquads = (await jsonld.toRDF(JSON.parse(text), {
    format: 'application/n-quads',
    documentLoader: async (url: string) => {
      throw new Error(`no network: the context must be inline (asked for ${url})`)
    },
  })) as unknown as string
  triples = nquads
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = /^(\S+) (\S+) (.+) \.$/.exec(line)
      if (!match) throw new Error(`not an N-Quads triple: ${line}`)
      return { s: match[1]!, p: match[2]!, o: match[3]! }
    })
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

describe('DCAT-AP catalogue', () => {
  it('is a dcat:Catalog with a French title, the publisher and the licence', () => {
    const catalog = iri(`${BASE}/catalog`)
    expect(objects(catalog, iri(RDF_TYPE))).toContain(iri(`${DCAT}Catalog`))
    expect(objects(catalog, iri(`${DCT}title`))[0]).toMatch(/@fr$/)
    const publisher = objects(catalog, iri(`${DCT}publisher`))[0]!
    expect(objects(publisher, iri('http://xmlns.com/foaf/0.1/name'))).toEqual([JSON.stringify(PUBLISHER)])
    expect(objects(catalog, iri(`${DCT}license`))).toEqual([iri(LICENCE_OUVERTE_2)])
  })

  it('lists each public collection and the daily readings as datasets with licence, publisher, spatial coverage and distributions', () => {
    const datasets = objects(iri(`${BASE}/catalog`), iri(`${DCAT}dataset`))
    const published = COLLECTIONS.filter((c) => c.access === 'public')
    expect(published.map((c) => c.id)).not.toContain('sensors') // staff only: never in the open-data catalogue
    expect(datasets.sort()).toEqual([...published.map((c) => iri(`${BASE}/catalog#${c.id}`)), iri(`${BASE}/catalog#readings-daily`)].sort())
    for (const dataset of datasets) {
      expect(objects(dataset, iri(RDF_TYPE))).toEqual([iri(`${DCAT}Dataset`)])
      expect(objects(dataset, iri(`${DCT}license`))).toEqual([iri(LICENCE_OUVERTE_2)])
      expect(objects(dataset, iri(`${DCT}publisher`))).toEqual([iri(`${BASE}/catalog#publisher`)])
      expect(objects(dataset, iri(`${DCT}title`))[0]).toMatch(/"@fr$/)
      expect(objects(dataset, iri(`${DCT}description`))[0]).toMatch(/"@fr$/)
      const distributions = objects(dataset, iri(`${DCAT}distribution`))
      expect(distributions.length).toBeGreaterThanOrEqual(2)
      for (const distribution of distributions) {
        expect(objects(distribution, iri(RDF_TYPE))).toEqual([iri(`${DCAT}Distribution`)])
        expect(objects(distribution, iri(`${DCAT}accessURL`))[0]).toMatch(new RegExp(`^<${BASE}/`))
        expect(objects(distribution, iri(`${DCT}format`))[0]).toMatch(/^<http:\/\/publications\.europa\.eu\/resource\/authority\/file-type\/(CSV|GEOJSON)>$/)
        expect(objects(distribution, iri(`${DCAT}mediaType`))).toHaveLength(1)
      }
      const downloads = distributions.flatMap((d) => objects(d, iri(`${DCAT}downloadURL`)))
      expect(downloads.some((d) => d.endsWith('.csv>'))).toBe(true)
      expect(downloads.some((d) => d.endsWith('.geojson>'))).toBe(true)
    }
    expect(objects(iri(`${BASE}/catalog#communes-ogc`), iri(`${DCAT}accessURL`))).toEqual([iri(`${BASE}/ogc/collections/communes/items`)])
  })

  it('states spatial coverage as a WKT bbox and the data.gouv.fr zone of each EPCI covered', () => {
    const spatial = objects(iri(`${BASE}/catalog#communes`), iri(`${DCT}spatial`))
    const zone = iri('https://www.data.gouv.fr/api/1/spatial/zone/fr:epci:248000531')
    expect(spatial).toContain(zone)
    expect(objects(zone, iri(`${DCT}identifier`))).toEqual(['"fr:epci:248000531"'])
    const bboxes = spatial.flatMap((s) => objects(s, iri(`${DCAT}bbox`)))
    expect(bboxes).toHaveLength(1)
    expect(bboxes[0]).toMatch(/^"POLYGON\(\(1\.\d+ 49\.\d+, 3\.\d+ 49\.\d+, .*\)\)"\^\^<http:\/\/www\.opengis\.net\/ont\/geosparql#wktLiteral>$/)
    const { length } = spatial.filter((s) => s.includes('fr:epci:'))
    expect(length).toBe(17)
  })

  it('dates the datasets (dct:modified) and covers the readings’ period', () => {
    for (const id of ['communes', 'readings-daily']) {
      expect(objects(iri(`${BASE}/catalog#${id}`), iri(`${DCT}modified`))[0]).toMatch(/\^\^<http:\/\/www\.w3\.org\/2001\/XMLSchema#dateTime>$/)
    }
    const [period] = objects(iri(`${BASE}/catalog#readings-daily`), iri(`${DCT}temporal`))
    const start = objects(period!, iri(`${DCAT}startDate`))[0]!.slice(1, 11)
    const end = objects(period!, iri(`${DCAT}endDate`))[0]!.slice(1, 11)
    const day = new Date(DAY).toISOString().slice(0, 10)
    expect(start <= day && day <= end).toBe(true)
  })

  it('publishes nothing private', () => {
    expect(text).not.toContain(TEST_ADMIN_TOKEN)
    expect(text).not.toMatch(/dead|dev_eui|senml/i)
  })
})
