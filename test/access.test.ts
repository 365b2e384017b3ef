/**
 * Access control (issue 7): each role × each endpoint family × its own territory and another's,
 * on the run's engines, through real API tokens (and the admin token), over HTTP. What a role
 * may not see answers as if it did not exist (404); what needs a sign-in answers 401 to the
 * public; what needs another role answers 403. Lists and tiles of a scoped caller hold its own
 * rows and none of another territory's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createToken } from '../api/auth/index.ts'
import { createOidcVerifier, DEFAULT_OIDC_CLAIMS } from '../api/auth/oidc.ts'
import { startOidcProvider, type OidcTestProvider } from './oidc-provider.ts'
import { LiveFeed } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import { parseDeviceSpec, provisionDevices, ReadingWriter } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { decodeTile } from './decode-tile.ts'
import { databaseUrl, fetchAs, openDatabase, serve, TEST_ADMIN_TOKEN, testApp, uniqueName } from './engines.ts'
import { territoire } from './territoire-command.ts'

const A = { epci: '248000531', commune: '80021' } // CA Amiens Métropole, Amiens
let B: { epci: string; commune: string }
const run = uniqueName('acl').replace(/[^a-z0-9-]/g, '')
const building = { A: `${run}-a`, A2: `${run}-a2`, B: `${run}-b` }
const device = { A: `${run}-da`, B: `${run}-db` }
const sensor = { A: `${device.A}.co2`, B: `${device.B}.co2` }

let database: Database
let live: LiveFeed
let idp: OidcTestProvider
let api: { url: string; close: () => Promise<void> }
/** The credential of each caller; `public` sends none. */
const credential: Record<string, string | null> = { public: null, admin: TEST_ADMIN_TOKEN }
/** A tile (z 14) holding building A, and one holding building B. */
const tiles: Record<'A' | 'B', string> = { A: '', B: '' }

function claimNames() {
  return { roleClaim: DEFAULT_OIDC_CLAIMS.role, epciClaim: DEFAULT_OIDC_CLAIMS.epci, communesClaim: DEFAULT_OIDC_CLAIMS.communes, buildingsClaim: DEFAULT_OIDC_CLAIMS.buildings }
}

function tileOf(lon: number, lat: number, z: number): string {
  const n = 2 ** z
  const x = Math.floor(((lon + 180) / 360) * n)
  const rad = (lat * Math.PI) / 180
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)
  return `${z}/${x}/${y}`
}

async function addBuilding(id: string, insee: string): Promise<[number, number]> {
  const { rows } = await database.pool.query<{ lon: number; lat: number }>(
    `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom)
     SELECT $1, $1, 'mairie', 1500, c.insee, ST_Multi(ST_Buffer(ST_PointOnSurface(c.geom), 0.0002)) FROM commune c WHERE c.insee = $2
     RETURNING ST_X(ST_Centroid(geom)) AS lon, ST_Y(ST_Centroid(geom)) AS lat`, [id, insee])
  return [rows[0]!.lon, rows[0]!.lat]
}

beforeAll(async () => {
  database = await openDatabase()
  const { rows } = await database.pool.query<{ insee: string; epci: string }>(
    `SELECT insee, epci_siren AS epci FROM commune WHERE epci_siren IS NOT NULL AND epci_siren <> $1 ORDER BY population DESC NULLS LAST LIMIT 1`, [A.epci])
  B = { epci: rows[0]!.epci, commune: rows[0]!.insee }
  const { rows: second } = await database.pool.query<{ insee: string }>(`SELECT insee FROM commune WHERE epci_siren = $1 AND insee <> $2 ORDER BY insee LIMIT 1`, [A.epci, A.commune])
  const placeA = await addBuilding(building.A, A.commune)
  await addBuilding(building.A2, second[0]!.insee)
  const placeB = await addBuilding(building.B, B.commune)
  tiles.A = tileOf(...placeA, 14)
  tiles.B = tileOf(...placeB, 14)
  await provisionDevices(database.db, [
    parseDeviceSpec({ id: device.A, senmlBaseName: `urn:dev:${device.A}:`, profile: 'generic-ambiance', buildingId: building.A }),
    parseDeviceSpec({ id: device.B, senmlBaseName: `urn:dev:${device.B}:`, profile: 'generic-ambiance', buildingId: building.B }),
  ], 'create')
  const { rows: sids } = await database.pool.query<{ id: string; sid: number }>(`SELECT id, sid FROM sensor WHERE id = ANY($1)`, [[sensor.A, sensor.B]])
  const now = Date.now()
  await new ReadingWriter(database.db, 'Europe/Paris').write(sids.map((s) => ({ sid: s.sid, ts: now - 60_000, value: 700 })), [])
  await database.pool.query(`INSERT INTO alert (building_id, kind, day, reason, value) VALUES ($1, 'confinement', current_date, 'test', 5), ($2, 'confinement', current_date, 'test', 5)`, [building.A, building.B])

  const actor = 'test:access'
  const make = async (role: 'admin' | 'epci_staff' | 'energy_manager', lists: { epci?: string[]; communes?: string[]; buildings?: string[] }) =>
    (await createToken(database.db, { label: `${run} ${role}`, role, ...lists, days: 1, actor })).token
  credential.adminApiToken = await make('admin', {})
  credential.staffA = await make('epci_staff', { epci: [A.epci] })
  credential.staffB = await make('epci_staff', { epci: [B.epci] })
  credential.managerBuildingA = await make('energy_manager', { buildings: [building.A] })
  credential.managerCommuneA = await make('energy_manager', { communes: [A.commune] })
  // The OPSN's identity provider: its JWTs stand for staff members like API tokens do.
  idp = await startOidcProvider()
  const oidc = createOidcVerifier({ issuer: idp.issuer, audiences: [idp.clientId], jwksUrl: idp.jwksUrl, ...claimNames() })
  credential.oidcStaffA = await idp.token({ sub: 'agent-a', territoire_role: 'epci_staff', territoire_epci: [A.epci] })
  credential.oidcManagerA = await idp.token({ sub: 'econome-a', territoire_role: 'energy_manager', territoire_buildings: [building.A] })
  credential.oidcNoRole = await idp.token({ sub: 'nobody' })
  live = new LiveFeed(database.db, silentLogger)
  api = await serve((await testApp(database, { live, oidc })).app)
})

afterAll(async () => {
  await idp?.close()
  live?.close()
  await api?.close()
  await database?.close()
})

async function status(who: string, path: string, init: RequestInit = {}): Promise<number> {
  const token = credential[who]
  const response = await (token === null ? fetch : fetchAs(token!))(`${api.url}${path}`, init)
  await response.body?.cancel()
  return response.status
}

async function body(who: string, path: string): Promise<any> {
  const token = credential[who]
  const response = await (token === null ? fetch : fetchAs(token!))(`${api.url}${path}`)
  expect(response.status, `${who} ${path}`).toBe(200)
  return response.headers.get('content-type')?.includes('json') ? response.json() : response.text()
}

type Row = readonly [who: string, own: number, other: number]

/** For each family: the path of an own thing (A) and another's (B), and what each caller gets. */
const families: ReadonlyArray<{ family: string; path: (side: 'A' | 'B') => string; expected: readonly Row[] }> = [
  {
    family: 'EPCI buildings (JSON)',
    path: (s) => `/api/epci/${s === 'A' ? A.epci : B.epci}/buildings`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['adminApiToken', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404], ['managerCommuneA', 200, 404],
      ['oidcStaffA', 200, 404], ['oidcManagerA', 200, 404], ['oidcNoRole', 403, 403]],
  },
  {
    family: 'EPCI indicators',
    path: (s) => `/api/epci/${s === 'A' ? A.epci : B.epci}/indicators`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 404, 404], ['managerCommuneA', 404, 404]],
  },
  {
    family: 'commune indicators',
    path: (s) => `/api/communes/${s === 'A' ? A.commune : B.commune}/indicators`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 404, 404], ['managerCommuneA', 200, 404]],
  },
  {
    family: 'building indicators',
    path: (s) => `/api/buildings/${building[s]}/indicators`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404], ['managerCommuneA', 200, 404], ['oidcStaffA', 200, 404], ['oidcManagerA', 200, 404]],
  },
  {
    family: 'building signature',
    path: (s) => `/api/buildings/${building[s]}/signature`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404]],
  },
  {
    family: 'sensor readings',
    path: (s) => `/api/sensors/${sensor[s]}/readings`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404], ['managerCommuneA', 200, 404]],
  },
  {
    family: 'devices',
    path: (s) => `/api/devices/${device[s]}`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404]],
  },
  {
    family: 'device readings',
    path: (s) => `/api/devices/${device[s]}/readings`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404]],
  },
  {
    family: 'staff tile layer (TileJSON)',
    path: () => `/tiles/buildings.json`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 200], ['managerBuildingA', 200, 200]],
  },
  {
    family: 'staff tile layer (tile)',
    path: (s) => `/tiles/sensors/${tiles[s]}.mvt`,
    // A scoped caller gets the tile of another territory empty (204), never its rows.
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 204], ['staffB', 204, 200], ['managerBuildingA', 200, 204]],
  },
  {
    family: 'public tile layer',
    path: (s) => `/tiles/communes/${tiles[s]}.mvt`,
    expected: [['public', 200, 200], ['staffA', 200, 200], ['managerBuildingA', 200, 200]],
  },
  {
    family: 'public territory (JSON)',
    path: (s) => `/api/epci/${s === 'A' ? A.epci : B.epci}`,
    expected: [['public', 200, 200], ['staffA', 200, 200], ['managerBuildingA', 200, 200]],
  },
  {
    family: 'staff collection: OGC items',
    path: (s) => `/ogc/collections/sensors/items/${sensor[s]}`,
    expected: [['public', 401, 401], ['admin', 200, 200], ['staffA', 200, 404], ['managerBuildingA', 200, 404], ['managerCommuneA', 200, 404]],
  },
  {
    family: 'open data: OGC items',
    path: (s) => `/ogc/collections/buildings/items/${building[s]}`,
    expected: [['public', 200, 200], ['admin', 200, 200], ['staffA', 200, 200], ['managerBuildingA', 200, 200]],
  },
  {
    family: 'open data: downloads',
    path: (s) => `/download/readings/daily.csv?sensor=${sensor[s]}`,
    expected: [['public', 200, 200], ['staffA', 200, 200]],
  },
]

describe('role × endpoint family × own and other territory', () => {
  for (const { family, path, expected } of families) {
    it(`${family}: ${expected.map(([who, own, other]) => `${who} ${own}/${other}`).join(', ')}`, async () => {
      const got: Row[] = []
      for (const [who] of expected) got.push([who, await status(who, path('A')), await status(who, path('B'))])
      expect(got).toEqual(expected)
    })
  }

  it('the live stream: an EPCI staff member opens his EPCI’s, not another’s; the public and energy managers none', async () => {
    const open = async (who: string, epci: string) => {
      const controller = new AbortController()
      const token = credential[who]
      const response = await (token === null ? fetch : fetchAs(token!))(`${api.url}/api/epci/${epci}/live`, { signal: controller.signal })
      controller.abort()
      return response.status
    }
    expect([await open('public', A.epci), await open('staffA', A.epci), await open('staffA', B.epci), await open('managerBuildingA', A.epci), await open('admin', B.epci)])
      .toEqual([401, 200, 404, 404, 200])
  })

  it('lists hold the caller’s rows only: alerts, the OPERAT export, an EPCI’s buildings, the sensors tile', async () => {
    const alerts = async (who: string) => ((await body(who, '/api/alerts?status=all&limit=1000')).alerts as { building: { id: string } }[]).map((a) => a.building.id)
    expect(await alerts('admin')).toEqual(expect.arrayContaining([building.A, building.B]))
    expect(await alerts('staffA')).toContain(building.A)
    expect(await alerts('staffA')).not.toContain(building.B)
    expect(await alerts('staffB')).toContain(building.B)
    expect(await alerts('staffB')).not.toContain(building.A)
    expect(new Set(await alerts('managerBuildingA'))).toEqual(new Set([building.A]))

    const operat = async (who: string) => (await body(who, `/api/exports/operat.csv?year=${new Date().getUTCFullYear()}&buildings=all`)) as string
    // The export lists buildings with an energy meter: none of these has one, so the check is
    // on the other EPCI's rows: none in a scoped caller's file, some in the admin's.
    const adminRows = (await operat('admin')).split('\n').filter((l) => l.includes(`;${B.commune};`) || l.includes(`,${B.commune},`))
    const staffRows = (await operat('staffA')).split('\n').filter((l) => l.includes(`;${B.commune};`) || l.includes(`,${B.commune},`))
    expect(staffRows).toEqual([])
    expect(adminRows.length).toBeGreaterThanOrEqual(0) // the admin's export is readable (status checked in body())

    // The staff's collection and its download hold the caller's sensors; the open-data catalogue never lists it.
    const ogcSensors = async (who: string) => ((await body(who, '/ogc/collections/sensors/items?limit=10000')).features as { id: string }[]).map((f) => f.id)
    expect(await ogcSensors('admin')).toEqual(expect.arrayContaining([sensor.A, sensor.B]))
    expect(await ogcSensors('staffA')).toContain(sensor.A)
    expect(await ogcSensors('staffA')).not.toContain(sensor.B)
    const managers = await ogcSensors('managerBuildingA')
    expect(managers).toContain(sensor.A)
    expect(managers.every((id) => id.startsWith(`${device.A}.`))).toBe(true) // his building's device's sensors only
    const download = (await body('staffA', '/download/sensors.csv')) as string
    expect(download).toContain(sensor.A)
    expect(download).not.toContain(sensor.B)
    const listed = async (who: string) => ((await body(who, '/ogc/collections')).collections as { id: string }[]).map((c) => c.id)
    expect(await listed('public')).not.toContain('sensors')
    expect(await listed('staffA')).toContain('sensors')
    expect(JSON.stringify(await body('admin', '/catalog'))).not.toContain('/catalog#sensors')

    const buildingsOf = async (who: string, epci: string) => ((await body(who, `/api/epci/${epci}/buildings`)).features as { id: string }[]).map((f) => f.id)
    expect(await buildingsOf('staffA', A.epci)).toEqual(expect.arrayContaining([building.A, building.A2]))
    expect(await buildingsOf('managerBuildingA', A.epci)).toEqual([building.A])
    expect((await buildingsOf('managerCommuneA', A.epci)).sort()).toContain(building.A)
    expect(await buildingsOf('managerCommuneA', A.epci)).not.toContain(building.A2)

    const sensorsInTile = async (who: string, side: 'A' | 'B') => {
      const response = await fetchAs(credential[who]!)(`${api.url}/tiles/sensors/${tiles[side]}.mvt`)
      if (response.status === 204) return []
      return (decodeTile(new Uint8Array(await response.arrayBuffer())).sensors?.features ?? []).map((f) => f.properties.id)
    }
    expect(await sensorsInTile('admin', 'B')).toContain(sensor.B)
    expect(await sensorsInTile('staffA', 'A')).toContain(sensor.A)
    expect(await sensorsInTile('staffA', 'B')).not.toContain(sensor.B)
  })

  it('writes: building settings for admins and the building’s energy managers; administration for admins only', async () => {
    const patch = (s: 'A' | 'B') => ({ path: `/api/buildings/${building[s]}/settings`, init: { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ floor_area_m2: 1500 }) } })
    const settings = async (who: string) => [await status(who, patch('A').path, patch('A').init), await status(who, patch('B').path, patch('B').init)]
    expect(await settings('public')).toEqual([401, 401])
    expect(await settings('admin')).toEqual([200, 200])
    expect(await settings('managerBuildingA')).toEqual([200, 404])
    expect(await settings('staffA')).toEqual([403, 403])

    for (const path of ['/api/dead-letters', '/api/tokens', '/api/audit']) {
      const got = [await status('public', path), await status('staffA', path), await status('managerBuildingA', path), await status('admin', path), await status('adminApiToken', path)]
      expect(got, path).toEqual([401, 403, 403, 200, 200])
    }
    const provision = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }
    expect([await status('public', '/api/devices', provision), await status('staffA', '/api/devices', provision), await status('admin', '/api/devices', provision)]).toEqual([401, 403, 400])
  })
})

describe('credentials', () => {
  it('refuses an unknown, malformed, revoked or expired token with 401, even on the open data', async () => {
    const anon = credential
    anon.unknown = 'tt_0123456789ab_' + 'A'.repeat(43)
    anon.garbage = 'not-a-token'
    const { token: revoked, info } = await createToken(database.db, { label: 'revoked', role: 'epci_staff', epci: [A.epci], days: 1, actor: 'test' })
    anon.revoked = revoked
    expect(await status('revoked', `/api/epci/${A.epci}/buildings`)).toBe(200)
    expect(await status('admin', `/api/tokens/${info.id}`, { method: 'DELETE' })).toBe(200)
    const { token: expired, info: old } = await createToken(database.db, { label: 'expired', role: 'epci_staff', epci: [A.epci], days: 1, actor: 'test' })
    await database.pool.query(`UPDATE api_token SET created_at = now() - interval '3 days', expires_at = now() - interval '1 day' WHERE id = $1`, [old.id])
    anon.expired = expired
    for (const who of ['unknown', 'garbage', 'revoked', 'expired']) {
      expect([who, await status(who, `/api/epci/${A.epci}/buildings`), await status(who, '/ogc/collections')]).toEqual([who, 401, 401])
    }
    const response = await fetchAs('x y')(`${api.url}/api/epci`)
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
  })

  it('signs the page in with a cookie: /auth/me tells the role and scope; the cookie stands for the token; sign-out clears it', async () => {
    expect(await (await fetch(`${api.url}/auth/me`)).json()).toMatchObject({ role: 'public', scope: { epci: [], communes: [], buildings: [] } })
    const wrong = await fetch(`${api.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'tt_0123456789ab_' + 'B'.repeat(43) }) })
    expect(wrong.status).toBe(401)
    const signIn = await fetch(`${api.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.staffA }) })
    expect(signIn.status).toBe(204)
    const cookie = signIn.headers.get('set-cookie')!
    expect(cookie).toMatch(/^territoire_session=tt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/)
    const session = { cookie: cookie.split(';')[0]! }
    expect(await (await fetch(`${api.url}/auth/me`, { headers: session })).json()).toMatchObject({ role: 'epci_staff', scope: { epci: [A.epci] } })
    expect((await fetch(`${api.url}/api/epci/${A.epci}/buildings`, { headers: session })).status).toBe(200)
    expect((await fetch(`${api.url}/api/epci/${B.epci}/buildings`, { headers: session })).status).toBe(404)
    // A write signed by the cookie must come from the page's own origin.
    const patch = { method: 'PATCH', headers: { ...session, 'content-type': 'application/json' }, body: '{}' }
    expect((await fetch(`${api.url}/api/buildings/${building.A}/settings`, patch)).status).toBe(403)
    const managerCookie = (await fetch(`${api.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.managerBuildingA }) })).headers.get('set-cookie')!.split(';')[0]!
    const fromElsewhere = { method: 'PATCH', headers: { cookie: managerCookie, 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify({ floor_area_m2: 1500 }) }
    expect((await fetch(`${api.url}/api/buildings/${building.A}/settings`, fromElsewhere)).status).toBe(403)
    const fromPage = { ...fromElsewhere, headers: { ...fromElsewhere.headers, origin: api.url } }
    expect((await fetch(`${api.url}/api/buildings/${building.A}/settings`, fromPage)).status).toBe(200)

    const signOut = await fetch(`${api.url}/auth/session`, { method: 'DELETE', headers: { ...session, origin: api.url } })
    expect(signOut.status).toBe(204)
    expect(signOut.headers.get('set-cookie')).toMatch(/^territoire_session=; Path=\/; Max-Age=0/)
    // A stale cookie is the public's view, and is cleared.
    const stale = await fetch(`${api.url}/auth/me`, { headers: { cookie: 'territoire_session=tt_0123456789ab_' + 'C'.repeat(43) } })
    expect(await stale.json()).toMatchObject({ role: 'public' })
    expect(stale.headers.get('set-cookie')).toMatch(/Max-Age=0/)
  })

  it('checks a token’s role and scope when it is created: unknown places and mismatched scopes are refused', async () => {
    const create = (request: Parameters<typeof createToken>[1]) => createToken(database.db, request)
    const base = { label: 'x', days: 30, actor: 'test' }
    await expect(create({ ...base, role: 'epci_staff' })).rejects.toThrow(/needs one or more --epci/)
    await expect(create({ ...base, role: 'epci_staff', epci: ['999999999'] })).rejects.toThrow(/unknown EPCI: 999999999/)
    await expect(create({ ...base, role: 'energy_manager', buildings: ['nowhere'] })).rejects.toThrow(/unknown building: nowhere/)
    await expect(create({ ...base, role: 'admin', epci: [A.epci] })).rejects.toThrow(/sees every territory/)
    await expect(create({ ...base, role: 'epci_staff', epci: [A.epci], days: 400 })).rejects.toThrow(/1 to 366 days/)
  })
})

describe('audit log', () => {
  it('records who did what: token creation and revocation, building settings, provisioning', async () => {
    const audit = (await body('admin', '/api/audit?limit=1000')).entries as { actor: string; action: string; target: string | null; detail: Record<string, unknown> }[]
    const actions = new Set(audit.map((e) => e.action))
    expect([...actions]).toEqual(expect.arrayContaining(['token.create', 'token.revoke', 'building.settings']))
    const managerId = /^tt_([0-9a-f]{12})_/.exec(credential.managerBuildingA!)![1]
    expect(audit.find((e) => e.action === 'building.settings' && e.actor === `token:${managerId}`)).toMatchObject({ target: building.A, detail: { floor_area_m2: 1500 } })
    // No secret ever lands in it.
    const text = JSON.stringify(audit)
    for (const token of Object.values(credential)) if (token) expect(text).not.toContain(token)
  })

  it('the CLI creates, lists and revokes tokens, and the audit log names the system user', async () => {
    const env = { DATABASE_URL: databaseUrl(), USER: 'operateur', LOG_LEVEL: 'warn' }
    const created = await territoire(['tokens', 'create', '--role', 'epci_staff', '--scope', `epci:${A.epci}`, '--label', `${run} cli`, '--days', '7'], env)
    expect(created.code, created.stderr).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^tt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    expect(await status('public', `/api/epci/${A.epci}/buildings`, { headers: { authorization: `Bearer ${token}` } })).toBe(200)
    const id = token.slice(3, 15)
    const listed = await territoire(['tokens', 'list'], env)
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\tepci_staff\\tepci:${A.epci}\\tactive\\t`, 'm'))
    expect(listed.stdout).not.toContain(token)
    const revoked = await territoire(['tokens', 'revoke', id], env)
    expect(revoked.code, revoked.stderr).toBe(0)
    const bad = await territoire(['tokens', 'create', '--role', 'mayor', '--label', 'x'], env)
    expect([bad.code, bad.stderr.trim().split('\n').length]).toEqual([2, 1])
    const audit = (await body('admin', '/api/audit?action=token.revoke')).entries as { actor: string; target: string }[]
    expect(audit.find((e) => e.target === id)).toMatchObject({ actor: 'cli:operateur' })
  })
})
