/**
 * HTTP hardening (issue 7, docs/SECURITY.md), on the run's engines: security headers on every
 * answer — JSON, a tile computed and a tile from the cache, a problem, the page with its own CSP;
 * CORS on the open data only, and its preflight; 413 past a body's limit; 429 with Retry-After
 * past a client's budget, the budget refilled by an injected clock (no waiting), the tiles
 * counted apart, failed admin tokens counted apart; no internals in any of these problems.
 */
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TileService, type RateLimits } from '../api/index.ts'
import { IMPORT_MAX_BODY_BYTES } from '../api/import-routes.ts'
import { PROBLEM_TYPES } from '../api/problem.ts'
import { API_CONTENT_SECURITY_POLICY } from '../api/security-headers.ts'
import { parseConfig } from '../cli/config.ts'
import { detectCapabilities, type Database } from '../sql/index.ts'
import { assertWebBuilt, WEB_DIST } from './chromium.ts'
import { adminFetch, openDatabase, serve, testApp, TEST_ADMIN_TOKEN } from './engines.ts'

type Served = Awaited<ReturnType<typeof serve>>

/** A tile with communes of the demo territory (the Somme), and one of open sea: empty, 204. */
const COMMUNES_TILE = '/tiles/communes/9/259/173.mvt'
const emptyTile = (i: number) => `/tiles/communes/14/${i}/0.mvt`

const ADMIN = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }

let database: Database
let tiles: TileService
let api: Served
/** Every problem body the tests met, checked at the end for internals. */
const problems: string[] = []

async function problem(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const text = await response.text()
  problems.push(text)
  return JSON.parse(text) as Record<string, unknown>
}

function expectSecurityHeaders(response: Response, csp = API_CONTENT_SECURITY_POLICY): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
  expect(response.headers.get('x-frame-options')).toBe('DENY')
  expect(response.headers.get('content-security-policy')).toBe(csp)
}

beforeAll(async () => {
  assertWebBuilt()
  database = await openDatabase()
  const capabilities = await detectCapabilities(database.pool)
  tiles = new TileService(database.pool, capabilities.mvt ? 'postgis' : 'node', { cacheBytes: 8 * 1024 * 1024 })
  api = await serve((await testApp(database, { tiles, webDir: WEB_DIST })).app)
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

describe('security headers', () => {
  it('are on a JSON answer, a problem, a computed tile and the same tile from the cache', async () => {
    const epci = await fetch(`${api.url}/api/epci`)
    expect(epci.status).toBe(200)
    expectSecurityHeaders(epci)
    const missing = await fetch(`${api.url}/api/nothing-here`)
    expect(missing.status).toBe(404)
    expectSecurityHeaders(missing)
    await problem(missing)

    const first = await fetch(`${api.url}${COMMUNES_TILE}`)
    expect(first.status).toBe(200)
    expectSecurityHeaders(first)
    const hits = tiles.cacheStats().hits
    const second = await fetch(`${api.url}${COMMUNES_TILE}`)
    expect(tiles.cacheStats().hits).toBe(hits + 1) // answered by the cached-tile path, before any router
    expect(second.status).toBe(200)
    expectSecurityHeaders(second)
    // Other test files re-import the communes meanwhile (a new version, features in another order,
    // so another ETag): revalidate against the tile as it is now, until two answers agree.
    let etag = second.headers.get('etag')!
    let revalidated = await fetch(`${api.url}${COMMUNES_TILE}`, { headers: { 'If-None-Match': etag } })
    for (let attempt = 0; revalidated.status === 200 && revalidated.headers.get('etag') !== etag && attempt < 5; attempt++) {
      await revalidated.arrayBuffer()
      etag = revalidated.headers.get('etag')!
      revalidated = await fetch(`${api.url}${COMMUNES_TILE}`, { headers: { 'If-None-Match': etag } })
    }
    expect(revalidated.status).toBe(304)
    expectSecurityHeaders(revalidated)
  })

  it('give the page and its scripts the page’s policy: scripts from the hub, MapLibre’s workers, requests to the hub only', async () => {
    const page = await fetch(`${api.url}/epci/248000531`)
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy')!
    expect(csp.split('; ')).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "worker-src 'self' blob:",
      "img-src 'self' data: blob:",
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ])
    expectSecurityHeaders(page, csp)
    // Everything the page loads is the hub's own: nothing inline for script-src to refuse.
    const html = await page.text()
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    const script = /<script[^>]+src="([^"]+)"/.exec(html)![1]!
    for (const encoding of ['gzip', 'identity']) {
      const asset = await fetch(`${api.url}${script}`, { headers: { 'Accept-Encoding': encoding } })
      expect(asset.status).toBe(200)
      expectSecurityHeaders(asset, csp)
    }
  })

  it('let the page reach an external basemap’s origin, and its tiles and glyphs on https hosts', async () => {
    const withBasemap = await serve((await testApp(database, { webDir: WEB_DIST, basemapStyleUrl: 'http://basemap.example.fr:8080/styles/positron.json' })).app)
    try {
      const csp = (await fetch(`${withBasemap.url}/`)).headers.get('content-security-policy')!
      expect(csp).toContain("connect-src 'self' http://basemap.example.fr:8080 https:")
      expect(csp).toContain("img-src 'self' data: blob: http://basemap.example.fr:8080 https:")
      expect(csp).toContain("script-src 'self';")
      // The API's answers keep theirs.
      expectSecurityHeaders(await fetch(`${withBasemap.url}/api/datasets`))
    } finally {
      await withBasemap.close()
    }
  })
})

describe('CORS', () => {
  const ORIGIN = { Origin: 'https://reuse.example.org' }

  it('lets any site read the open data: OGC API, downloads, catalogue, datasets, tiles, OpenAPI — without credentials', async () => {
    for (const route of ['/ogc', '/ogc/collections/communes/items?limit=1', '/download/communes.csv', '/catalog', '/api/datasets', '/tiles', '/tiles/communes.json', COMMUNES_TILE, '/openapi.json']) {
      const response = await fetch(`${api.url}${route}`, { headers: ORIGIN })
      expect(response.status, route).toBe(200)
      expect(response.headers.get('access-control-allow-origin'), route).toBe('*')
      expect(response.headers.get('access-control-allow-credentials'), route).toBeNull()
      await response.arrayBuffer()
    }
    // A problem of the open data is readable too.
    const unknown = await fetch(`${api.url}/ogc/collections/nothing`, { headers: ORIGIN })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*')
    await problem(unknown)
  })

  it('sends no CORS header anywhere else: the hypervisor’s JSON, writes, health, the page', async () => {
    for (const route of ['/api/epci', '/api/devices/nothing', '/health', '/', '/ogcx', '/catalogue']) {
      const response = await fetch(`${api.url}${route}`, { headers: ORIGIN })
      expect(response.headers.get('access-control-allow-origin'), route).toBeNull()
      await response.arrayBuffer()
    }
    const write = await fetch(`${api.url}/ogc/collections`, { method: 'POST', headers: ORIGIN })
    expect(write.headers.get('access-control-allow-origin')).toBeNull()
    await write.arrayBuffer()
  })

  it('answers the open data’s preflight with 204, and no other', async () => {
    const preflight = await fetch(`${api.url}/ogc/collections/communes/items`, {
      method: 'OPTIONS',
      headers: { ...ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS')
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/)
    expectSecurityHeaders(preflight)

    const write = await fetch(`${api.url}/api/devices`, {
      method: 'OPTIONS',
      headers: { ...ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    })
    expect(write.headers.get('access-control-allow-origin')).toBeNull()
    expect(write.headers.get('access-control-allow-methods')).toBeNull()
    await write.arrayBuffer()
  })
})

describe('request size limits', () => {
  const send = (method: string, route: string, bytes: number) =>
    fetch(`${api.url}${route}`, {
      method,
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(bytes) }),
    })

  it('refuse a body past each parser’s limit with 413 problem+json', async () => {
    for (const [method, route, limit] of [['POST', '/api/devices', 256 * 1024], ['POST', '/api/dead-letters/replay', 64 * 1024], ['PATCH', '/api/buildings/80021-mairie/settings', 64 * 1024]] as const) {
      const response = await send(method, route, limit + 1)
      expect(response.status, route).toBe(413)
      expectSecurityHeaders(response)
      expect(await problem(response), route).toMatchObject({
        type: PROBLEM_TYPES.payloadTooLarge,
        title: 'Requête trop volumineuse',
        status: 413,
        detail: `the request body is larger than this endpoint accepts (${limit} bytes)`,
      })
    }
  })

  it('refuse an import announced past 50 MiB before reading it, with the same problem type', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${api.url}/api/imports/parcelles`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/geo+json', 'Content-Length': String(IMPORT_MAX_BODY_BYTES + 1), ...ADMIN },
      })
      request.on('response', (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: text })
          request.destroy()
        })
      })
      request.on('error', reject)
      request.flushHeaders()
    })
    expect(status).toBe(413)
    problems.push(body)
    expect(JSON.parse(body)).toMatchObject({ type: PROBLEM_TYPES.payloadTooLarge, status: 413, detail: expect.stringMatching(/territoire import/) })
  })

  it('say what is wrong with a malformed body, in a 400', async () => {
    const response = await fetch(`${api.url}/api/devices`, { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: '{"id": ' })
    expect(response.status).toBe(400)
    expect(await problem(response)).toMatchObject({ type: PROBLEM_TYPES.invalidParameter, status: 400 })
  })

  it('answer a URL past Node’s 16 KiB header limit with 431 problem+json, not a bare status line', async () => {
    const response = await fetch(`${api.url}/ogc/collections/communes/items?nom=${'x'.repeat(20_000)}`)
    expect(response.status).toBe(431)
    expect(await problem(response)).toMatchObject({ type: PROBLEM_TYPES.headersTooLarge, status: 431, detail: expect.stringMatching(/16 KiB/) })
  })
})

describe('rate limits', () => {
  /** A clock the test moves: buckets refill without anyone waiting. */
  let now = Date.parse('2026-11-23T08:00:00Z')
  const clock = () => now
  const tiny: RateLimits = { perMinute: 3, tilesPerMinute: 5, authFailuresPerMinute: 2, now: clock }
  let limited: Served
  let proxied: Served

  beforeAll(async () => {
    limited = await serve((await testApp(database, { tiles, rateLimits: tiny })).app)
    // Behind a proxy on the loopback: its X-Forwarded-For names the client.
    proxied = await serve((await testApp(database, { tiles, rateLimits: tiny, trustProxy: ['loopback'] })).app)
  })
  afterAll(async () => {
    await limited?.close()
    await proxied?.close()
  })

  it('answer 429 problem+json with Retry-After past a client’s budget, and serve it again once refilled', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${limited.url}/api/datasets`)).status).toBe(200)
    const refused = await fetch(`${limited.url}/api/datasets`, { headers: { Origin: 'https://reuse.example.org' } })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('20') // 3 a minute: a token every 20 s
    expectSecurityHeaders(refused)
    // Readable by the open data's cross-site readers, who need Retry-After too.
    expect(refused.headers.get('access-control-allow-origin')).toBe('*')
    expect(refused.headers.get('access-control-expose-headers')).toMatch(/Retry-After/)
    expect(await problem(refused)).toMatchObject({ type: PROBLEM_TYPES.tooManyRequests, title: 'Trop de requêtes', status: 429, detail: 'too many requests from this address: retry in 20 s' })

    now += 5_000
    expect((await fetch(`${limited.url}/api/epci`)).headers.get('retry-after')).toBe('15')
    now += 15_000 // one token back
    expect((await fetch(`${limited.url}/api/epci`)).status).toBe(200)
    expect((await fetch(`${limited.url}/api/epci`)).status).toBe(429)
    now += 60_000 // a full minute: the whole budget back, no more
    for (let i = 0; i < 3; i++) expect((await fetch(`${limited.url}/health`)).status).toBe(200)
    expect((await fetch(`${limited.url}/health`)).status).toBe(429)
  })

  it('count tiles on a budget of their own, cached tiles included', async () => {
    // The request budget is spent (previous test); the tiles are not.
    expect((await fetch(`${limited.url}/api/epci`)).status).toBe(429)
    for (let i = 0; i < 5; i++) expect((await fetch(`${limited.url}${COMMUNES_TILE}`)).status).toBe(200)
    const refused = await fetch(`${limited.url}${COMMUNES_TILE}`)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('12')
    expectSecurityHeaders(refused)
    await problem(refused)
    now += 12_000
    expect((await fetch(`${limited.url}${COMMUNES_TILE}`)).status).toBe(200)
    now += 60_000
  })

  it('count each client apart: by X-Forwarded-For only behind a trusted proxy (TRUST_PROXY)', async () => {
    const from = (url: string, client: string) => fetch(`${url}/api/datasets`, { headers: { 'X-Forwarded-For': client } })
    for (let i = 0; i < 3; i++) expect((await from(proxied.url, '203.0.113.7')).status).toBe(200)
    expect((await from(proxied.url, '203.0.113.7')).status).toBe(429)
    expect((await from(proxied.url, '203.0.113.8')).status).toBe(200)
    // Addresses of one IPv6 /64 share a budget.
    for (let i = 1; i <= 3; i++) expect((await from(proxied.url, `2001:db8:1:2::${i}`)).status).toBe(200)
    expect((await from(proxied.url, '2001:db8:1:2:ffff::9')).status).toBe(429)
    // Without a trusted proxy the header is the client's word, and changes nothing.
    for (let i = 0; i < 3; i++) expect((await from(limited.url, `198.51.100.${i}`)).status).toBe(200)
    expect((await from(limited.url, '198.51.100.99')).status).toBe(429)
    now += 60_000
  })

  it('refuse any credential from an address after a few wrong ones, the right one included, until refilled; anonymous reading goes on', async () => {
    const auth = await serve((await testApp(database, { rateLimits: { perMinute: 0, tilesPerMinute: 0, authFailuresPerMinute: 2, now: clock } })).app)
    try {
      const list = (token: string) => fetch(`${auth.url}/api/dead-letters?limit=1`, { headers: { Authorization: `Bearer ${token}` } })
      expect((await list(TEST_ADMIN_TOKEN)).status).toBe(200) // a success spends nothing
      for (let i = 0; i < 2; i++) expect((await list(`wrong-token-${i}-0123456789`)).status).toBe(401)
      const refused = await list(TEST_ADMIN_TOKEN)
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('30')
      expect(await problem(refused)).toMatchObject({ type: PROBLEM_TYPES.tooManyRequests, detail: expect.stringMatching(/failed sign-in attempts/) })
      // Anonymous reading goes on.
      expect((await fetch(`${auth.url}/api/epci`)).status).toBe(200)
      now += 30_000
      expect((await list(TEST_ADMIN_TOKEN)).status).toBe(200)
      expect((await list('wrong-token-again-0123456789')).status).toBe(401)
      expect((await list(TEST_ADMIN_TOKEN)).status).toBe(429)
    } finally {
      await auth.close()
      now += 60_000
    }
  })

  it('by default, let a whole map session through: several views of tiles and the panels’ JSON at once', async () => {
    const defaults = parseConfig({}).rateLimits
    const session = await serve((await testApp(database, { tiles, rateLimits: { ...defaults, now: () => now } })).app)
    try {
      // The clock stands still: nothing refills, the burst alone must suffice. Five views of four
      // layers of twenty tiles each, from one address (an office behind one NAT is the same).
      const statuses = new Set<number>()
      for (let view = 0; view < 5; view++) {
        const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => fetch(`${session.url}${emptyTile(view * 80 + i)}`)))
        for (const answer of answers) {
          statuses.add(answer.status)
          await answer.arrayBuffer()
        }
        for (const route of ['/api/epci', '/api/datasets', '/api/alerts?epci=248000531']) {
          const answer = await adminFetch(`${session.url}${route}`)
          statuses.add(answer.status)
          await answer.arrayBuffer()
        }
      }
      expect([...statuses]).toEqual([204, 200])
    } finally {
      await session.close()
    }
  })
})

describe('problems', () => {
  it('carry no stack, SQL or file path', () => {
    expect(problems.length).toBeGreaterThan(8)
    const root = path.resolve(import.meta.dirname, '..')
    for (const body of problems) {
      expect(body).not.toContain(root)
      expect(body).not.toMatch(/\bat \S+ \(|node_modules|\.ts\b|\.js:\d|\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b|stack/i)
    }
  })
})
