/**
 * The demo territory as loaded on the run's engines: the real EPCI and communes of the Somme,
 * merged communes drawn as the union of their former polygons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDeviceSpec, provisionDevices, ReadingWriter } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, openDatabase, serve, testApp, uniqueName } from './engines.ts'

let database: Database
let api: { url: string; close: () => Promise<void> }

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
})
afterAll(async () => {
  await api.close()
  await database.close()
})

describe('demo territory', () => {
  it('lists the 17 EPCI with members in the Somme, with SIREN, name, population and bbox', async () => {
    const response = await adminFetch(`${api.url}/api/epci`)
    expect(response.status).toBe(200)
    const epci = (await response.json()) as Array<{ siren: string; nom: string; population: number; bbox: number[]; membersLoaded: number; membersTotal: number }>
    expect(epci).toHaveLength(17)
    const amiens = epci.find((e) => e.siren === '248000531')!
    expect(amiens).toMatchObject({ nom: 'CA Amiens Métropole', nature: 'CA', population: 186188, membersLoaded: 39, membersTotal: 39 })
    const [w, s, e, n] = amiens.bbox
    expect(w! < 2.3 && e! > 2.3 && s! < 49.89 && n! > 49.89).toBe(true) // Amiens lies inside
    // EPCI crossing the département: only their Somme members are loaded, and the API says so.
    const ternois = epci.find((x) => x.siren === '200069672')!
    expect(ternois).toMatchObject({ membersLoaded: 1, membersTotal: 103 })
  })

  it('holds 771 current communes, each with a valid polygonal geometry and an EPCI', async () => {
    const { rows } = await database.pool.query<{ total: number; valid: number; with_epci: number; polygonal: number }>(`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE ST_IsValid(geom))::int AS valid,
             count(*) FILTER (WHERE epci_siren IS NOT NULL)::int AS with_epci,
             count(*) FILTER (WHERE GeometryType(geom) = 'MULTIPOLYGON' AND NOT ST_IsEmpty(geom))::int AS polygonal
      FROM commune WHERE departement = '80'`)
    expect(rows[0]).toEqual({ total: 771, valid: 771, with_epci: 771, polygonal: 771 })
  })

  it('draws a merged commune as the union of its former communes: 80155 covers a point of the former 80830', async () => {
    const { rows } = await database.pool.query<{ insee: string }>(
      'SELECT insee FROM commune WHERE ST_Covers(geom, ST_SetSRID(ST_Point($1, $2), 4326))',
      [1.97306, 50.10491],
    )
    expect(rows.map((r) => r.insee)).toEqual(['80155'])
  })

  it('assigns each of the eight 2018 codes that no longer exist to the commune that absorbed it', async () => {
    const { rows } = await database.pool.query<{ code: string; insee: string }>(
      `SELECT code, insee FROM commune_former_code WHERE code = ANY($1) ORDER BY code`,
      [['80175', '80209', '80389', '80419', '80551', '80594', '80761', '80830']],
    )
    expect(Object.fromEntries(rows.map((r) => [r.code, r.insee]))).toEqual({
      '80175': '80505', '80209': '80625', '80389': '80442', '80419': '80625',
      '80551': '80509', '80594': '80485', '80761': '80485', '80830': '80155',
    })
  })

  it('returns an EPCI with its communes, and a problem+json 404 / 400 for unknown or malformed SIREN', async () => {
    const detail = (await (await adminFetch(`${api.url}/api/epci/248000531`)).json()) as { communes: Array<{ insee: string }> }
    expect(detail.communes).toHaveLength(39)
    expect(detail.communes.map((c) => c.insee)).toContain('80021')

    const missing = await adminFetch(`${api.url}/api/epci/999999999`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const bad = await adminFetch(`${api.url}/api/epci/abc`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ status: 400, parameter: 'siren' })
  })

  /** The demo's buildings: ids <insee>-<usage>[-<rank>]. Other tests import real ones into a kept database. */
  const DEMO_BUILDING_ID = /^[0-9][0-9AB][0-9]{3}-(mairie|ecole|gymnase|mediatheque)(-[0-9]+)?$/

  it('places every synthetic building inside its real commune, and says it is synthetic', async () => {
    const { rows } = await database.pool.query<{ total: number; inside: number; synthetic: number; epci: number }>(`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE ST_Within(b.geom, c.geom))::int AS inside,
             count(*) FILTER (WHERE b.synthetic)::int AS synthetic,
             count(DISTINCT c.epci_siren)::int AS epci
      FROM building b JOIN commune c ON c.insee = b.commune_insee
      WHERE b.id ~ $1`, [DEMO_BUILDING_ID.source])
    expect(rows[0]!.total).toBeGreaterThan(150)
    expect(rows[0]).toMatchObject({ inside: rows[0]!.total, synthetic: rows[0]!.total, epci: 3 })
    // A town hall and a school in every commune of the demo EPCI.
    const { rows: gaps } = await database.pool.query(`
      SELECT c.insee FROM commune c
      WHERE c.epci_siren IN ('248000531', '200071223', '247600588')
        AND (NOT EXISTS (SELECT 1 FROM building b WHERE b.commune_insee = c.insee AND b.usage = 'mairie')
          OR NOT EXISTS (SELECT 1 FROM building b WHERE b.commune_insee = c.insee AND b.usage = 'ecole'))`)
    expect(gaps).toEqual([])

    const collection = (await (await adminFetch(`${api.url}/api/epci/248000531/buildings`)).json()) as {
      features: Array<{ id: string; properties: { synthetic: boolean; floor_area_m2: number } }>
    }
    const demo = collection.features.filter((f) => DEMO_BUILDING_ID.test(f.id))
    expect(demo.length).toBeGreaterThan(39)
    expect(demo.every((f) => f.properties.synthetic && f.properties.floor_area_m2 > 0)).toBe(true)
    const datasets = (await (await adminFetch(`${api.url}/api/datasets`)).json()) as Array<{ id: string; synthetic: boolean }>
    expect(datasets.map((d) => [d.id, d.synthetic])).toEqual([['communes-somme', false], ['batiments-demo', true]])
  })

  it('gives each building its live status: sensors, those silent for 2 hours or never heard, open alerts', async () => {
    const id = uniqueName('status').replace(/[^A-Za-z0-9-]/g, '-')
    await database.pool.query(
      `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom)
       VALUES ($1, $1, 'ecole', 500, '80021', ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.29, 49.88), 4326), 0.0002)))`, [id])
    await provisionDevices(database.db, [parseDeviceSpec({ id: `${id}-air`, senmlBaseName: `urn:dev:${id}-air:`, profile: 'generic-ambiance', buildingId: id })], 'create')
    const { rows: sensors } = await database.pool.query<{ sid: number; channel: string }>(
      `SELECT s.sid, s.channel FROM sensor s WHERE s.device_id = $1 ORDER BY s.channel`, [`${id}-air`])
    const now = Date.now()
    // CO₂ heard a minute ago, temperature three hours ago (silent), humidity never.
    await new ReadingWriter(database.db, 'Europe/Paris').write([
      { sid: sensors.find((s) => s.channel === 'co2')!.sid, ts: now - 60_000, value: 640 },
      { sid: sensors.find((s) => s.channel === 'temperature')!.sid, ts: now - 3 * 3_600_000, value: 19.5 },
    ], [])
    const status = async () => {
      const collection = (await (await adminFetch(`${api.url}/api/epci/248000531/buildings`)).json()) as { features: Array<{ id: string; properties: Record<string, unknown> }> }
      return collection.features.find((f) => f.id === id)!.properties
    }
    expect(await status()).toMatchObject({ sensors: 3, silent_sensors: 2, open_alerts: 0 })
    await database.pool.query(`INSERT INTO alert (building_id, kind, day, reason) VALUES ($1, 'confinement', current_date, 'test')`, [id])
    expect(await status()).toMatchObject({ sensors: 3, silent_sensors: 2, open_alerts: 1 })
  })
})
