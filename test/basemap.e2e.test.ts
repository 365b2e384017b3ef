/**
 * The optional external basemap (BASEMAP_STYLE_URL) in a real browser (Debian's Chromium) against
 * the app over the run's database: a style served by a local server is drawn under the map's own
 * layers, its ids prefixed; unreachable (a closed port: the hub offline), the map shows its own
 * layers alone and says so in French. And the page's setting is escaped in index.html.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveFeed } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import type { Database } from '../sql/index.ts'
import { assertWebBuilt, hasChromium, launchChromium, openRoute, signIn, waitForExpression, WEB_DIST } from './chromium.ts'
import { freePort, openDatabase, serve, TEST_ADMIN_TOKEN, testApp } from './engines.ts'

const SIREN = '248000531' // CA Amiens Métropole (demo territory)
const AMIENS = '80021'

/** A small basemap: a background and a polygon over the Somme, from an inline GeoJSON source. */
const BASEMAP_STYLE = {
  version: 8,
  name: 'Fond de test',
  sources: {
    shapes: {
      type: 'geojson',
      attribution: 'Fond de test',
      data: {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { kind: 'somme' }, geometry: { type: 'Polygon', coordinates: [[[1.0, 49.3], [3.5, 49.3], [3.5, 50.6], [1.0, 50.6], [1.0, 49.3]]] } }],
      },
    },
  },
  layers: [
    { id: 'land', type: 'background', paint: { 'background-color': '#f2efe9' } },
    { id: 'shapes-fill', type: 'fill', source: 'shapes', paint: { 'fill-color': '#a8d5a2' } },
  ],
}

/** Serves the style as a tile server would: JSON, readable cross-origin (CORS). */
async function serveStyle(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    if (req.url !== '/styles/test.json') return void res.writeHead(404).end()
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }).end(JSON.stringify(BASEMAP_STYLE))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/styles/test.json`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

interface ConsoleLine {
  readonly type: string
  readonly text: string
  readonly url: string
}

/** What the page said in the console, less SwiftShader's performance notes ("GPU stall due to ReadPixels"). */
function pageLines(lines: readonly ConsoleLine[]): ConsoleLine[] {
  return lines.filter((l) => l.type === 'error' || (l.type === 'warning' && !l.text.includes('GL Driver Message')))
}

describe.skipIf(!hasChromium)('external basemap (needs Debian chromium: apt-get install chromium)', () => {
  let database: Database
  let live: LiveFeed
  let style: Awaited<ReturnType<typeof serveStyle>>
  let withBasemap: { url: string; close: () => Promise<void> }
  let unreachable: { url: string; close: () => Promise<void> }
  let closedStyleUrl: string
  let browser: Browser
  let page: Page
  const logged: ConsoleLine[] = []

  beforeAll(async () => {
    assertWebBuilt()
    database = await openDatabase()
    live = new LiveFeed(database.db, silentLogger)
    style = await serveStyle()
    withBasemap = await serve((await testApp(database, { webDir: WEB_DIST, live, basemapStyleUrl: style.url })).app)
    // Nothing listens there: as a basemap server out of reach from an offline network.
    closedStyleUrl = `http://127.0.0.1:${await freePort()}/styles/test.json`
    unreachable = await serve((await testApp(database, { webDir: WEB_DIST, live, basemapStyleUrl: closedStyleUrl })).app)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
    page.on('console', (message) => logged.push({ type: message.type(), text: message.text(), url: message.location().url }))
  })
  afterAll(async () => {
    await browser?.close()
    await unreachable?.close()
    await withBasemap?.close()
    await style?.close()
    live?.close()
    await database?.close()
  })

  it('draws the basemap under the map’s own layers, its ids prefixed, the communes still queryable', async () => {
    logged.length = 0
    // The staff view (its sensors' source and buildings too): each app its own session. Cookies
    // belong to a host, not a port: this one replaces the other app's.
    await signIn(page, withBasemap.url, TEST_ADMIN_TOKEN)
    expect(await openRoute(page, `${withBasemap.url}/epci/${SIREN}`)).toBe('ready')
    expect(style.requests()).toBeGreaterThan(0)
    const shown = await page.evaluate<{ layers: string[]; sources: string[]; communes: string[]; basemap: number; alert: string }>(`({
      layers: window.territoireMap.getStyle().layers.map((l) => l.id),
      sources: Object.keys(window.territoireMap.getStyle().sources),
      communes: window.territoireMap.queryRenderedFeatures({ layers: ['communes-fill'] }).map((f) => f.properties.code),
      basemap: window.territoireMap.queryRenderedFeatures({ layers: ['basemap-shapes-fill'] }).length,
      alert: document.querySelector('#alert').textContent,
    })`)
    expect(shown.layers.slice(0, 2)).toEqual(['basemap-land', 'basemap-shapes-fill'])
    expect(shown.layers.indexOf('basemap-shapes-fill')).toBeLessThan(shown.layers.indexOf('communes-fill'))
    // Our background would hide the basemap: dropped.
    expect(shown.layers).not.toContain('background')
    expect(shown.sources).toContain('basemap-shapes')
    expect(shown.sources).not.toContain('shapes')
    expect(shown.communes).toContain(AMIENS)
    expect(shown.basemap).toBeGreaterThan(0)
    expect(shown.alert).toBe('')
    expect(shown.sources).toContain('sensors')
    expect(pageLines(logged)).toEqual([])
  })

  it('draws the basemap under the public view too (not signed in): no staff source, nothing refused', async () => {
    await page.context().clearCookies()
    logged.length = 0
    expect(await openRoute(page, `${withBasemap.url}/epci/${SIREN}`)).toBe('ready')
    const shown = await page.evaluate<{ layers: string[]; sources: string[]; communes: string[]; role: string }>(`({
      layers: window.territoireMap.getStyle().layers.map((l) => l.id),
      sources: Object.keys(window.territoireMap.getStyle().sources),
      communes: window.territoireMap.queryRenderedFeatures({ layers: ['communes-fill'] }).map((f) => f.properties.code),
      role: document.body.dataset.role,
    })`)
    expect(shown.role).toBe('public')
    expect(shown.layers.slice(0, 2)).toEqual(['basemap-land', 'basemap-shapes-fill'])
    expect(shown.communes).toContain(AMIENS)
    expect(shown.sources).not.toContain('sensors')
    expect(pageLines(logged)).toEqual([])
  })

  it('falls back to the offline map with a French message when the basemap cannot be fetched', async () => {
    await signIn(page, unreachable.url, TEST_ADMIN_TOKEN)
    logged.length = 0
    expect(await openRoute(page, `${unreachable.url}/epci/${SIREN}`)).toBe('ready')
    const shown = await page.evaluate<{ layers: string[]; communes: string[]; alert: string }>(`({
      layers: window.territoireMap.getStyle().layers.map((l) => l.id),
      communes: window.territoireMap.queryRenderedFeatures({ layers: ['communes-fill'] }).map((f) => f.properties.code),
      alert: document.querySelector('#alert').textContent,
    })`)
    expect(shown.communes).toContain(AMIENS)
    expect(shown.layers[0]).toBe('background')
    expect(shown.layers.filter((id) => id.startsWith('basemap-'))).toEqual([])
    expect(shown.alert).toMatch(/Le fond de carte externe n’a pas pu être chargé/)
    // One warning from the page; the only error is the browser's own line for the refused request.
    const lines = pageLines(logged)
    expect(lines.filter((l) => l.type === 'warning').map((l) => l.text)).toEqual([expect.stringMatching(/^basemap:/)])
    expect(lines.filter((l) => l.type === 'error').map((l) => [l.text, l.url])).toEqual([['Failed to load resource: net::ERR_CONNECTION_REFUSED', closedStyleUrl]])

    // The message stays on the next route (the map still has no basemap).
    await page.click(`#panel-content a[data-commune="${AMIENS}"]`)
    await waitForExpression(page, `document.body.dataset.state === 'ready' && location.pathname === '/epci/${SIREN}/communes/${AMIENS}'`, { timeout: 60_000 })
    expect(await page.textContent('#alert')).toMatch(/fond de carte externe/)
  })
})

describe('the page’s basemap setting', () => {
  let database: Database

  beforeAll(async () => {
    assertWebBuilt()
    database = await openDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('is given to the page in a <meta> of index.html, escaped, and absent when not set', async () => {
    const tricky = 'https://tiles.example.fr/style.json?a=1&b=<x>"\'$&'
    const configured = await serve((await testApp(database, { webDir: WEB_DIST, basemapStyleUrl: tricky })).app)
    const plain = await serve((await testApp(database, { webDir: WEB_DIST })).app)
    try {
      const html = await (await fetch(`${configured.url}/epci/${SIREN}`)).text()
      expect(html).toContain('<meta name="territoire-basemap-style" content="https://tiles.example.fr/style.json?a=1&#38;b=&#60;x&#62;&#34;&#39;$&#38;" />\n</head>')
      expect(await (await fetch(`${plain.url}/`)).text()).not.toContain('territoire-basemap-style')
    } finally {
      await configured.close()
      await plain.close()
    }
  })
})
