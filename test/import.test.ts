/**
 * The importers (`territoire import`, POST /api/imports/{kind}): the real Etalab parcels of
 * 72187 imported with the figures the file itself gives (count, area computed by PostGIS from the
 * raw features) and, on a real server, the same as ogr2ogr; upsert on re-import; repairs and
 * rejections counted with reasons; broken or projected files refused whole (rolled back even after
 * batches were written); the layer versions bumped in the import's transaction; the admin API's
 * summary and its 400/401/404/413/415 answers; streaming with bounded memory.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FEATURE_KINDS,
  ImportRefusedError,
  findKindFiles,
  importFeatureSource,
  importFiles,
  readFeatureCollection,
  type ImportSummary,
} from '../ingestion/import/index.ts'
import { IMPORT_MAX_BODY_BYTES } from '../api/import-routes.ts'
import type { Database } from '../sql/index.ts'
import { databaseUrl, engines, json, openDatabase, serve, testApp, TEST_ADMIN_TOKEN } from './engines.ts'
import { territoire } from './territoire-command.ts'

const FIXTURES = path.resolve(import.meta.dirname, '..', 'data', 'fixtures')
const PARCELS_GZ = path.join(FIXTURES, 'cadastre-72187-parcelles.json.gz')
const LIEUX_DITS_GZ = path.join(FIXTURES, 'cadastre-72187-lieux_dits.json.gz')
const kind = (name: string) => FEATURE_KINDS.get(name)!

let database: Database
let api: { url: string; close: () => Promise<void> }
let dir: string

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
  dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-import-'))
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

/** A commune code of this run only: tests never see each other's rows. */
function runCommune(): string {
  return `9${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`
}

function collection(features: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'FeatureCollection', ...extra, features })
}

function square(x: number, y: number, size = 0.001): number[][][] {
  return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]
}

function feature(geometry: unknown, properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'Feature', geometry, properties }
}

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, content)
  return file
}

function bytesOf(content: string | Buffer): AsyncIterable<Buffer> {
  return Readable.from([Buffer.from(content)])
}

async function layerVersion(layer: string): Promise<number> {
  const { rows } = await database.pool.query('SELECT version FROM layer_version WHERE layer = $1', [layer])
  return Number(rows[0]?.version ?? 0)
}

describe('the FeatureCollection stream', () => {
  const text = readFileSync(PARCELS_GZ)
  const raw = gunzipSync(text)

  it('cuts the same features whatever the chunk size, as JSON.parse of the whole file', async () => {
    const whole = JSON.parse(raw.toString('utf8')).features as unknown[]
    for (const size of [1_000, 65_536, 7_777_777]) {
      const chunks = async function* () {
        for (let i = 0; i < raw.length; i += size) yield raw.subarray(i, i + size)
      }
      const features: unknown[] = []
      for await (const f of readFeatureCollection(chunks(), 'parcelles')) features.push(f.value)
      expect(features).toHaveLength(whole.length)
      expect(features[4_142]).toEqual(whole[4_142])
    }
  })

  it.each([
    ['{"type":"FeatureCollection","features":[{"type":"Feature"}', /ends before the end of the FeatureCollection \(truncated/],
    ['{"type":"FeatureCollection","features":[{"type":"Feature",}]}', /invalid JSON in feature 1/],
    ['{"type":"Feature","geometry":null,"properties":{}}', /is a GeoJSON Feature, not a FeatureCollection/],
    ['[{"type":"Feature"}]', /is a JSON array, not a GeoJSON FeatureCollection/],
    ['{"type":"FeatureCollection","features":[]}]', /unexpected content after the end/],
    ['{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[]}', /EPSG::2154, not WGS 84/],
  ])('refuses %s on one line', async (content, message) => {
    const read = async () => {
      for await (const f of readFeatureCollection(bytesOf(content), 'x.json')) void f
    }
    await expect(read()).rejects.toThrow(ImportRefusedError)
    await expect(read()).rejects.toThrow(message)
  })

  it('parses a département-size file with bounded memory (heap growth independent of the size)', async () => {
    // 200,000 features (~100 MB) generated on the fly: the heap must not grow with the input.
    const body = JSON.stringify(feature({ type: 'Polygon', coordinates: square(2, 50) }, { id: 'x'.repeat(400) }))
    const generate = async function* () {
      yield Buffer.from('{"type":"FeatureCollection","features":[')
      for (let i = 0; i < 200_000; i++) yield Buffer.from((i === 0 ? '' : ',') + body)
      yield Buffer.from(']}')
    }
    globalThis.gc?.()
    const before = process.memoryUsage().heapUsed
    let n = 0
    let peak = 0
    for await (const f of readFeatureCollection(generate(), 'big.json')) {
      void f
      if (++n % 5_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before)
    }
    expect(n).toBe(200_000)
    const inputBytes = 200_000 * body.length
    console.log(`[import] streamed ${(inputBytes / 1048576).toFixed(0)} MB: heap growth at most ${(peak / 1048576).toFixed(1)} MB`)
    expect(peak).toBeLessThan(inputBytes / 4)
  })
})

describe('territoire import parcelles, the Etalab sample of 72187 Marigné-Laillé', () => {
  const raw = JSON.parse(gunzipSync(readFileSync(PARCELS_GZ)).toString('utf8')) as { features: { geometry: unknown; properties: { contenance: number } }[] }

  it('imports every parcel with the area PostGIS computes from the file itself, then updates on re-import', async () => {
    // The figures the file gives, independently of the importer: its features, and their area
    // computed by PostGIS straight from the raw GeoJSON; the producer's contenance within 1 %.
    const expectedCount = raw.features.length
    const { rows: expected } = await database.pool.query(
      'SELECT sum(ST_Area(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)::geography)) AS area FROM unnest($1::text[]) AS g',
      [raw.features.map((f) => JSON.stringify(f.geometry))],
    )
    const expectedArea = Number(expected[0].area)
    const contenance = raw.features.reduce((sum, f) => sum + (f.properties.contenance ?? 0), 0)
    expect(Math.abs(expectedArea - contenance) / contenance).toBeLessThan(0.01)

    const parcelsBefore = await layerVersion('parcels')
    const first = await importFiles(database.db, kind('parcelles'), await findKindFiles('parcelles', PARCELS_GZ))
    expect(first).toMatchObject({ kind: 'parcelles', files: 1, features: expectedCount, rejected: 0, repaired: 0, layers: ['parcels'] })
    expect(first.inserted + first.updated).toBe(expectedCount)
    const { rows } = await database.pool.query(
      `SELECT count(*)::int AS n, sum(ST_Area(geom::geography)) AS area, count(*) FILTER (WHERE contenance IS NULL)::int AS no_contenance
       FROM parcel WHERE commune = '72187'`,
    )
    expect(rows[0].n).toBe(expectedCount)
    expect(Math.abs(Number(rows[0].area) - expectedArea) / expectedArea).toBeLessThan(0.0001)
    expect(rows[0].no_contenance).toBe(0)
    const { rows: one } = await database.pool.query(`SELECT id, section, numero, prefixe FROM parcel WHERE id = '721870000A0055'`)
    expect(one).toEqual([{ id: '721870000A0055', section: 'A', numero: '55', prefixe: '000' }])

    const again = await importFiles(database.db, kind('parcelles'), await findKindFiles('parcelles', PARCELS_GZ))
    expect(again).toMatchObject({ features: expectedCount, inserted: 0, updated: expectedCount, removed: 0, rejected: 0 })
    const { rows: after } = await database.pool.query(`SELECT count(*)::int AS n FROM parcel WHERE commune = '72187'`)
    expect(after[0].n).toBe(expectedCount)
    expect(await layerVersion('parcels')).toBe(parcelsBefore + 2)
  })

  // Parity with GDAL needs a real PostgreSQL (ogr2ogr connects with libpq to a server; the
  // embedded PGlite speaks the protocol for one session only) and the ogr2ogr binary (Debian gdal-bin).
  const ogr2ogr = spawnSync('ogr2ogr', ['--version']).status === 0
  it.skipIf(engines() === 'embedded' || !ogr2ogr)('imports the same parcels and area as ogr2ogr -f PostgreSQL (±0.01 %)', async () => {
    await importFiles(database.db, kind('parcelles'), await findKindFiles('parcelles', PARCELS_GZ))
    const schema = `ogr_${process.pid}_${Date.now()}`
    await database.pool.query(`CREATE SCHEMA ${schema}`)
    try {
      const url = new URL(databaseUrl())
      const connection = [`host=${url.hostname}`, `port=${url.port || 5432}`, `dbname=${url.pathname.slice(1)}`, `user=${decodeURIComponent(url.username) || 'postgres'}`]
      if (url.password) connection.push(`password=${decodeURIComponent(url.password)}`)
      execFileSync('ogr2ogr', ['-f', 'PostgreSQL', `PG:${connection.join(' ')}`, `/vsigzip/${PARCELS_GZ}`, '-nln', `${schema}.parcels`,
        '-lco', 'GEOMETRY_NAME=geom', '-nlt', 'PROMOTE_TO_MULTI'], { stdio: 'pipe' })
      const { rows } = await database.pool.query(`
        SELECT (SELECT count(*)::int FROM ${schema}.parcels) AS ogr_n, (SELECT sum(ST_Area(geom::geography)) FROM ${schema}.parcels) AS ogr_area,
               (SELECT count(*)::int FROM parcel WHERE commune = '72187') AS n, (SELECT sum(ST_Area(geom::geography)) FROM parcel WHERE commune = '72187') AS area`)
      expect(rows[0].n).toBe(rows[0].ogr_n)
      expect(Math.abs(Number(rows[0].area) - Number(rows[0].ogr_area)) / Number(rows[0].ogr_area)).toBeLessThan(0.0001)
    } finally {
      await database.pool.query(`DROP SCHEMA ${schema} CASCADE`)
    }
  })
})

describe('repairs, rejections and keys', () => {
  it('repairs invalid geometries, rejects what cannot be imported with a reason, keys parcels by their id', async () => {
    const commune = runCommune()
    const p = (section: string, numero: string, extra: Record<string, unknown> = {}) => ({ commune, prefixe: '000', section, numero, ...extra })
    const bowtie = [[[2, 50], [2.001, 50.001], [2.001, 50], [2, 50.001], [2, 50]]] // self-intersecting: repaired into two triangles
    const unclosed = [[[2.01, 50], [2.011, 50], [2.011, 50.001], [2.01, 50.001]]] // closed by the importer: repaired
    const flat = [[[2.02, 50], [2.021, 50], [2.022, 50], [2.02, 50]]] // collinear: nothing polygonal once made valid
    const file = await fileWith(`cadastre-${commune}-parcelles.json`, collection([
      feature({ type: 'Polygon', coordinates: square(2.03, 50) }, p('A', '1')),
      feature({ type: 'Polygon', coordinates: bowtie }, p('A', '2')),
      feature({ type: 'MultiPolygon', coordinates: [unclosed] }, p('A', '3')),
      feature({ type: 'Polygon', coordinates: flat }, p('A', '4')),
      feature({ type: 'Point', coordinates: [2, 50] }, p('A', '5')),
      feature(null, p('A', '6')),
      feature({ type: 'Polygon', coordinates: square(2.04, 50) }, { commune, section: 'A', numero: '7' }),
      feature({ type: 'Polygon', coordinates: square(2.05, 50) }, p('A', '8', { contenance: 'grand' })),
      feature({ type: 'Polygon', coordinates: [[[2, 50], [2, 51]]] }, p('A', '9')),
      'not a feature',
      feature({ type: 'Polygon', coordinates: square(2.06, 50) }, p('A', '1', { contenance: 120 })), // same id as the first: kept
    ]))
    const summary = await importFiles(database.db, kind('parcelles'), await findKindFiles('parcelles', file))
    expect(summary).toMatchObject({ features: 11, inserted: 3, updated: 0, repaired: 2, rejected: 8 })
    expect(summary.rejections).toEqual({
      unrepairable_geometry: 1, wrong_geometry_type: 1, no_geometry: 1, missing_property: 1, invalid_property: 1,
      malformed_geometry: 1, not_a_feature: 1, duplicate: 1,
    })
    expect(summary.examples.find((e) => e.reason === 'duplicate')).toMatchObject({ feature: 1 })
    const { rows } = await database.pool.query(
      `SELECT id, contenance, ST_GeometryType(geom) AS type, ST_NumGeometries(geom) AS parts, ST_IsValid(geom) AS valid FROM parcel WHERE commune = $1 ORDER BY id`, [commune])
    expect(rows).toEqual([
      { id: `${commune}0000A0001`, contenance: 120, type: 'ST_MultiPolygon', parts: 1, valid: true },
      { id: `${commune}0000A0002`, contenance: null, type: 'ST_MultiPolygon', parts: 2, valid: true },
      { id: `${commune}0000A0003`, contenance: null, type: 'ST_MultiPolygon', parts: 1, valid: true },
    ])
  })

  it('checks dates against the calendar (leap years), rejecting the feature with the property named', async () => {
    const commune = runCommune()
    const p = (numero: string, updated: string) => ({ commune, prefixe: '000', section: 'D', numero, updated })
    const dates = ['2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '2025-04-31', '2025-12-31', '2025-13-01', '2025-00-10', '2025-01-00']
    const features = dates.map((d, i) => feature({ type: 'Polygon', coordinates: square(2 + i * 0.002, 49.6) }, p(String(i + 1), d)))
    const summary = await importFeatureSource(database.db, kind('parcelles'), { name: 'dates.json', bytes: bytesOf(collection(features)), gzip: false })
    expect(summary).toMatchObject({ inserted: 3, rejected: 6, rejections: { invalid_property: 6 } })
    expect(summary.examples.map((e) => e.feature)).toEqual([2, 3, 5, 7, 8, 9])
    expect(summary.examples[0]!.detail).toMatch(/"updated" is not a date \(2023-02-29\)/)
    const { rows } = await database.pool.query('SELECT updated::text AS d FROM parcel WHERE commune = $1 ORDER BY 1', [commune])
    expect(rows.map((r) => r.d)).toEqual(['2000-02-29', '2024-02-29', '2025-12-31'])
  })

  it('writes the same rows in a bulk load (GiST indexes dropped and rebuilt in the transaction), keys duplicates across batches', async () => {
    const commune = runCommune()
    const p = (numero: string, extra: Record<string, unknown> = {}) => ({ commune, prefixe: '000', section: 'B', numero, ...extra })
    const bowtie = [[[2, 50], [2.001, 50.001], [2.001, 50], [2, 50.001], [2, 50]]]
    const flat = [[[2.02, 50], [2.021, 50], [2.022, 50], [2.02, 50]]]
    const features = [
      feature({ type: 'Polygon', coordinates: square(2.03, 50) }, p('1')),
      feature({ type: 'Polygon', coordinates: bowtie }, p('2')),
      feature({ type: 'Polygon', coordinates: flat }, p('3')),
      feature({ type: 'Polygon', coordinates: square(2.04, 50) }, p('4')),
      feature({ type: 'Polygon', coordinates: square(2.06, 50) }, p('1', { contenance: 120 })), // same id as the first, another batch
    ]
    const run = async (list: unknown[], bulk: boolean) => {
      const methods: string[] = []
      const summary = await importFeatureSource(database.db, kind('parcelles'), { name: 'bulk.json', bytes: bytesOf(collection(list)), gzip: false }, { batchSize: 2, bulk, onMethod: (m) => methods.push(m) })
      return { summary, method: methods.join() }
    }
    const first = await run(features, true)
    expect(first.method).toMatch(/plain INSERT, 2 GiST index\(es\) dropped and rebuilt/)
    expect(first.summary).toMatchObject({ features: 5, inserted: 3, updated: 0, removed: 0, repaired: 1, rejected: 2, rejections: { unrepairable_geometry: 1, duplicate: 1 } })
    expect(first.summary.examples.map((e) => [e.feature, e.reason])).toEqual([[1, 'duplicate'], [3, 'unrepairable_geometry']])
    const indexes = async () => (await database.pool.query(
      "SELECT i.indexname AS name, x.indisvalid AS valid FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = 'parcel' AND i.indexdef ~ ' USING gist ' ORDER BY 1")).rows
    expect(await indexes()).toEqual([{ name: 'parcel_geom_3857_idx', valid: true }, { name: 'parcel_geom_idx', valid: true }])
    const { rows } = await database.pool.query('SELECT id, contenance FROM parcel WHERE commune = $1 ORDER BY id', [commune])
    expect(rows).toEqual([{ id: `${commune}0000B0001`, contenance: 120 }, { id: `${commune}0000B0002`, contenance: null }, { id: `${commune}0000B0004`, contenance: null }])

    const again = await run(features, true)
    expect(again.method).toMatch(/ON CONFLICT DO UPDATE, 2 GiST index\(es\) dropped/)
    expect(again.summary).toMatchObject({ inserted: 0, updated: 3, removed: 0, rejected: 2 })
    const fewer = await run(features.slice(1, 4), false) // B0001 gone upstream
    expect(fewer.method).toMatch(/ON CONFLICT DO UPDATE \(keys distinct: no ranking\), indexes kept/)
    expect(fewer.summary).toMatchObject({ inserted: 0, updated: 2, removed: 1 })
    expect(await indexes()).toHaveLength(2)
    const { rows: hit } = await database.pool.query(
      'SELECT id FROM parcel WHERE geom && ST_MakeEnvelope(2.0399, 49.9999, 2.0411, 50.0011, 4326) AND commune = $1', [commune])
    expect(hit).toEqual([{ id: `${commune}0000B0004` }])
  })

  it('writes each batch straight into an empty table, with the outcome of staging: repairs, duplicates within and across batches, GiST rebuilt', async () => {
    await database.pool.query('DELETE FROM parcel') // a first load: the table is empty
    const commune = runCommune()
    const p = (numero: string, extra: Record<string, unknown> = {}) => ({ commune, prefixe: '000', section: 'C', numero, ...extra })
    const bowtie = (x: number) => [[[x, 50], [x + 0.001, 50.001], [x + 0.001, 50], [x, 50.001], [x, 50]]]
    const flat = [[[2.02, 50], [2.021, 50], [2.022, 50], [2.02, 50]]]
    const features = [ // batches of 2: [1, 2] [3, 4] [5, 6] [7, 8] [9, 10]
      feature({ type: 'Polygon', coordinates: square(2.03, 50) }, p('1')),
      feature({ type: 'Polygon', coordinates: bowtie(2) }, p('2')), // repaired, then replaced by feature 9
      feature({ type: 'Polygon', coordinates: flat }, p('3')), // nothing polygonal: rejected
      feature({ type: 'Polygon', coordinates: square(2.04, 50) }, p('4')),
      feature({ type: 'Polygon', coordinates: square(2.05, 50) }, p('1', { contenance: 120 })), // replaces feature 1 (another batch)
      feature({ type: 'Polygon', coordinates: square(2.06, 50) }, p('6')),
      feature({ type: 'Polygon', coordinates: square(2.07, 50) }, p('7', { contenance: 1 })),
      feature({ type: 'Polygon', coordinates: square(2.07, 50) }, p('7', { contenance: 2 })), // replaces feature 7 (same batch)
      feature({ type: 'Polygon', coordinates: square(2.08, 50) }, p('2')),
      feature({ type: 'Polygon', coordinates: bowtie(2.09) }, p('10')), // repaired
    ]
    const methods: string[] = []
    const options = { batchSize: 2, bulkMinRows: 3, onMethod: (m: string) => methods.push(m) }
    const first = await importFeatureSource(database.db, kind('parcelles'), { name: 'first.json', bytes: bytesOf(collection(features)), gzip: false }, options)
    // Three rows written after the second batch (1, 2, 4): the GiST indexes go then. Batches 3 and 5 repeat keys.
    expect(methods[0]).toBe('written batch by batch into the empty table (plain INSERT; 2 batch(es) upserted for keys repeated across batches), 2 GiST index(es) dropped after 3 rows and rebuilt')
    // 10 features: 6 keys written (1, 2, 4, 6, 7, 10); 3 replaced by a later feature (1, 2, 7); 1 empty (3); repaired: 10 (2's repair was replaced).
    expect(first).toMatchObject({ features: 10, inserted: 6, updated: 0, removed: 0, repaired: 1, rejected: 4, rejections: { unrepairable_geometry: 1, duplicate: 3 } })
    expect(first.examples.map((e) => [e.feature, e.reason])).toEqual([[1, 'duplicate'], [2, 'duplicate'], [3, 'unrepairable_geometry'], [7, 'duplicate']])
    const state = async () => (await database.pool.query(
      'SELECT id, contenance, ST_NumGeometries(geom) AS parts, ST_XMin(geom)::numeric(6, 3)::float AS x FROM parcel WHERE commune = $1 ORDER BY id', [commune])).rows
    const expected = [
      { id: `${commune}0000C0001`, contenance: 120, parts: 1, x: 2.05 },
      { id: `${commune}0000C0002`, contenance: null, parts: 1, x: 2.08 },
      { id: `${commune}0000C0004`, contenance: null, parts: 1, x: 2.04 },
      { id: `${commune}0000C0006`, contenance: null, parts: 1, x: 2.06 },
      { id: `${commune}0000C0007`, contenance: 2, parts: 1, x: 2.07 },
      { id: `${commune}0000C0010`, contenance: null, parts: 2, x: 2.09 },
    ]
    expect(await state()).toEqual(expected)
    const { rows: indexes } = await database.pool.query(
      "SELECT i.indexname AS name, x.indisvalid AS valid FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = 'parcel' AND i.indexdef ~ ' USING gist ' ORDER BY 1")
    expect(indexes).toEqual([{ name: 'parcel_geom_3857_idx', valid: true }, { name: 'parcel_geom_idx', valid: true }])

    // The same file again: the table is no longer empty, so it is staged; same rows, all updated.
    const again = await importFeatureSource(database.db, kind('parcelles'), { name: 'again.json', bytes: bytesOf(collection(features)), gzip: false }, options)
    expect(methods[1]).toMatch(/^staged in a temporary table, one INSERT … ON CONFLICT DO UPDATE/)
    expect(again).toMatchObject({ inserted: 0, updated: 6, removed: 0, repaired: 1, rejected: 4, rejections: { unrepairable_geometry: 1, duplicate: 3 } })
    expect(again.examples.map((e) => [e.feature, e.reason])).toEqual(first.examples.map((e) => [e.feature, e.reason]))
    expect(await state()).toEqual(expected)
  })

  it('keys buildings and lieux-dits by commune and geometry: re-import updates, a building gone upstream is removed', async () => {
    const commune = runCommune()
    const buildings = (n: number) => collection(Array.from({ length: n }, (_, i) =>
      feature({ type: 'Polygon', coordinates: square(2 + i * 0.01, 49.9, 0.0002) }, { type: i % 2 ? '02' : '01', nom: null, commune, created: '2010-01-01', updated: '2025-01-02' })))
    const file = await fileWith(`cadastre-${commune}-batiments.json`, buildings(3))
    const versionBefore = await layerVersion('cadastral-buildings')
    expect(await importFiles(database.db, kind('batiments'), await findKindFiles('batiments', file))).toMatchObject({ inserted: 3, updated: 0 })
    const again = await importFiles(database.db, kind('batiments'), await findKindFiles('batiments', file))
    expect(again).toMatchObject({ inserted: 0, updated: 3, removed: 0 })
    await writeFile(file, buildings(2)) // the third building was demolished upstream
    expect(await importFiles(database.db, kind('batiments'), await findKindFiles('batiments', file))).toMatchObject({ inserted: 0, updated: 2, removed: 1 })
    const { rows } = await database.pool.query(`SELECT key, type FROM cadastral_building WHERE commune = $1 ORDER BY key`, [commune])
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row.key).toMatch(new RegExp(`^${commune}:[0-9a-f]{32}$`))
    expect(await layerVersion('cadastral-buildings')).toBe(versionBefore + 3)

    const lieuxDits = await importFiles(database.db, kind('lieux_dits'), await findKindFiles('lieux_dits', LIEUX_DITS_GZ))
    expect(lieuxDits.inserted + lieuxDits.updated).toBe(93)
    expect(lieuxDits.rejected).toBe(0)
    const { rows: named } = await database.pool.query(`SELECT count(*)::int AS n FROM lieu_dit WHERE commune = '72187' AND nom IS NOT NULL`)
    expect(named[0].n).toBe(93)
  })

  it('imports sections by their id, built from commune + prefixe + code when absent', async () => {
    const commune = runCommune()
    const file = await fileWith(`cadastre-${commune}-sections.json.gz`, gzipSync(collection([
      feature({ type: 'Polygon', coordinates: square(2, 49.8, 0.01) }, { id: `${commune}0000A`, commune, prefixe: '000', code: 'A' }),
      feature({ type: 'Polygon', coordinates: square(2.02, 49.8, 0.01) }, { commune, prefixe: '000', code: 'ZB' }),
    ])))
    const summary = await importFiles(database.db, kind('sections'), await findKindFiles('sections', file))
    expect(summary).toMatchObject({ inserted: 2, rejected: 0, layers: ['sections'] })
    const { rows } = await database.pool.query(`SELECT id, code FROM cadastral_section WHERE commune = $1 ORDER BY id`, [commune])
    expect(rows).toEqual([{ id: `${commune}0000A`, code: 'A' }, { id: `${commune}000ZB`, code: 'ZB' }])
  })
})

describe('refused files keep nothing', () => {
  async function refused(content: string | Buffer, name: string, batchSize = 1): Promise<{ error: unknown; rows: number; commune: string }> {
    const commune = name.match(/9\d{4}/)![0]
    const error = await importFeatureSource(database.db, kind('parcelles'), { name, bytes: bytesOf(content), gzip: name.endsWith('.gz') }, { batchSize }).then(
      () => null,
      (e: unknown) => e,
    )
    const { rows } = await database.pool.query(`SELECT count(*)::int AS n FROM parcel WHERE commune = $1`, [commune])
    return { error, rows: rows[0].n, commune }
  }
  const parcels = (commune: string, n: number) =>
    Array.from({ length: n }, (_, i) => feature({ type: 'Polygon', coordinates: square(2 + i * 0.002, 49.7) }, { commune, prefixe: '000', section: 'B', numero: String(i + 1) }))

  it('rolls back a truncated gzip after batches were written', async () => {
    const commune = runCommune()
    const gz = gzipSync(collection(parcels(commune, 50)))
    const { error, rows } = await refused(gz.subarray(0, gz.length - 200), `cadastre-${commune}-parcelles.json.gz`)
    expect(error).toBeInstanceOf(ImportRefusedError)
    expect((error as Error).message).toMatch(/gzip stream is truncated or corrupt|ends before the end/)
    expect(rows).toBe(0)
  })

  it('refuses coordinates outside lon/lat (a Lambert-93 file without crs) and a crs other than WGS 84', async () => {
    const commune = runCommune()
    const lambert = [feature({ type: 'Polygon', coordinates: square(652_000, 6_862_000, 10) }, { commune, prefixe: '000', section: 'C', numero: '1' })]
    const projected = await refused(collection([...parcels(commune, 3), ...lambert]), `cadastre-${commune}-parcelles.json`)
    expect((projected.error as Error).message).toMatch(/feature 4: coordinate \[652000, 6862000\] is outside longitude\/latitude range/)
    expect(projected.rows).toBe(0)
    const crs = await refused(collection(parcels(commune, 3), { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::2154' } } }), `c-${commune}.json`)
    expect((crs.error as Error).message).toMatch(/urn:ogc:def:crs:EPSG::2154, not WGS 84 longitude\/latitude/)
    expect(crs.rows).toBe(0)
  })

  it('refuses with one line and exit status 1 from the command; imports a folder; reports usage errors with status 2', async () => {
    const commune = runCommune()
    const folder = path.join(dir, `departement-${commune}`)
    await mkdir(path.join(folder, commune), { recursive: true })
    await writeFile(path.join(folder, commune, `cadastre-${commune}-parcelles.json.gz`), gzipSync(collection(parcels(commune, 5))))
    await writeFile(path.join(folder, `cadastre-${commune}-batiments.json`), collection([])) // another kind: not read
    const ok = await territoire(['import', 'parcelles', folder], { DATABASE_URL: databaseUrl() })
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^parcelles: 5 feature\(s\) in 1 file\(s\), [\d.]+ s: 5 inserted, 0 updated, 0 removed, 0 repaired, 0 rejected\n$/)

    const broken = await fileWith(`cadastre-${commune}-broken.json`, '{"type":"FeatureCollection","features":[{"type":')
    const bad = await territoire(['import', 'parcelles', broken], { DATABASE_URL: databaseUrl() })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^territoire import: cadastre-\d+-broken\.json: ends before the end of the FeatureCollection \(truncated after \d+ bytes, 0 feature\(s\)\)\n$/)

    const unknown = await territoire(['import', 'cadastre', broken], { DATABASE_URL: databaseUrl() })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^territoire import: unknown kind "cadastre" \(kinds: parcelles, batiments, sections, lieux_dits, batiments-publics, communes\)\n$/)
  })
})

describe('territoire import communes', () => {
  it('loads the COG files of a folder through the boundaries importer, again idempotently, and bumps communes and epci', async () => {
    const before = [await layerVersion('communes'), await layerVersion('epci')]
    const run = await territoire(['import', 'communes', path.resolve(import.meta.dirname, '..', 'data', 'somme')], { DATABASE_URL: databaseUrl() })
    expect(run.stderr).toBe('')
    // The demo territory is loaded already: its 771 communes and 17 EPCI are updated, none created.
    expect(run.stdout).toMatch(/^communes: 779 feature\(s\) in 4 file\(s\), [\d.]+ s: 0 inserted, 788 updated, 0 removed, 0 repaired, 0 rejected\n$/)
    expect([await layerVersion('communes'), await layerVersion('epci')]).toEqual([before[0]! + 1, before[1]! + 1])
  })
})

describe('POST /api/imports/{kind}', () => {
  const post = (kindName: string, body: string | Buffer, type: string, token: string | null = TEST_ADMIN_TOKEN) =>
    fetch(`${api.url}/api/imports/${kindName}`, {
      method: 'POST',
      headers: { 'Content-Type': type, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body,
    })

  it('imports public buildings (gzip body) and answers the summary; a building outside the territory is rejected with its reason', async () => {
    const id = `bp-${process.pid}-${Date.now()}`
    const body = gzipSync(collection([
      // In Amiens, its commune given.
      feature({ type: 'Polygon', coordinates: square(2.2950, 49.8940, 0.0003) }, { id: `${id}-1`, nom: 'Gymnase du Nord', usage: 'gymnase', surface_m2: 1200, annee_construction: 1974, commune: '80021' }),
      // No commune given: attributed by location (Amiens again).
      feature({ type: 'Polygon', coordinates: square(2.2960, 49.8950, 0.0003) }, { id: `${id}-2`, nom: 'Médiathèque', usage: 'mediatheque' }),
      // A commune of the Sarthe: not in the territory loaded.
      feature({ type: 'Polygon', coordinates: square(0.35, 47.8, 0.0003) }, { id: `${id}-3`, nom: 'Mairie', usage: 'mairie', commune: '72187' }),
      feature({ type: 'Polygon', coordinates: square(2.2970, 49.8960, 0.0003) }, { id: `${id}-4`, usage: 'ecole' }),
    ]))
    const response = await post('batiments-publics', body, 'application/gzip')
    expect(response.status).toBe(200)
    const summary = (await json(response)) as ImportSummary
    expect(summary).toMatchObject({ kind: 'batiments-publics', features: 4, inserted: 2, updated: 0, rejected: 2, layers: ['buildings'] })
    expect(summary.rejections).toEqual({ commune_not_loaded: 1, missing_property: 1 })
    expect(summary.examples).toContainEqual({ file: 'request body', feature: 3, reason: 'commune_not_loaded', detail: 'commune 72187' })
    const { rows } = await database.pool.query(`SELECT id, commune_insee, floor_area_m2, construction_year, synthetic FROM building WHERE id LIKE $1 ORDER BY id`, [`${id}-%`])
    expect(rows).toEqual([
      { id: `${id}-1`, commune_insee: '80021', floor_area_m2: 1200, construction_year: 1974, synthetic: false },
      { id: `${id}-2`, commune_insee: '80021', floor_area_m2: null, construction_year: null, synthetic: false },
    ])
    const again = await json(await post('batiments-publics', body, 'application/gzip'))
    expect(again).toMatchObject({ inserted: 0, updated: 2 })
  })

  it('answers problem+json: 401 without the token, 404 for an unknown kind, 415, 400 for a broken file, 413 past the limit', async () => {
    const body = collection([])
    expect((await post('parcelles', body, 'application/geo+json', null)).status).toBe(401)
    const unknown = await post('cadastre', body, 'application/geo+json')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/)
    const unsupported = await post('parcelles', body, 'text/csv')
    expect(unsupported.status).toBe(415)
    expect((await json(unsupported)).detail).toMatch(/Content-Type must be/)
    const broken = await post('parcelles', '{"type":"FeatureCollection","features":[', 'application/json')
    expect(broken.status).toBe(400)
    expect(await json(broken)).toMatchObject({ status: 400, detail: expect.stringMatching(/^request body: ends before the end/) })
    const empty = await post('lieux_dits', body, 'application/geo+json')
    expect(await json(empty)).toMatchObject({ features: 0, inserted: 0 })

    // Announced larger than the limit: refused before reading the body.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${api.url}/api/imports/parcelles`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/geo+json', 'Content-Length': String(IMPORT_MAX_BODY_BYTES + 1), Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      })
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0)
        request.destroy()
      })
      request.on('error', reject)
      request.flushHeaders()
    })
    expect(status).toBe(413)
  })
})
