/**
 * `npm run bench:web` — the hypervisor in headless Chromium (Debian's, software WebGL through
 * SwiftShader: see ../shared/BROWSER.md for what that costs), against `territoire start` on the
 * real PostgreSQL + PostGIS (a fresh database with the demo territory):
 *  1. the demo EPCI view (CA Amiens Métropole, its 95 demo buildings): time from navigation to the
 *     page's `ready` state (the map's first `idle` after fitting the EPCI), and bytes transferred;
 *  2. the same EPCI with BUILDINGS synthetic buildings (default 10,000) added: the deck.gl layer's
 *     data preparation (footprints → extrusions) and the time from turning it on to the map's next
 *     `idle`; then frames per second during a scripted 3 s pan, buildings shown, against the same
 *     pan with the layer hidden, in the same page (alternated, ROUNDS each; medians) — at the EPCI
 *     view (buildings as dots: buildings-3d.ts's level of detail) and at zoom 15, pitched, over
 *     Amiens (extrusions, those in view).
 * Targets (issue 6): first idle < 3 s for the demo EPCI view; building-layer preparation < 500 ms;
 * the pan with buildings at ≥ 0.5 × the frame rate without them.
 *   npm run bench:web [-- <buildings, 10000> <rounds, 3>]   (admin connection: BENCH_ADMIN_URL)
 * Run `npm run build:server` and `npm run build:web` first.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { silentLogger } from '../core/index.ts'
import { DEMO_EPCI, loadDemoTerritory } from '../ingestion/demo-territory.ts'
import { connectDatabase, migrate } from '../sql/index.ts'
import { signIn, waitForExpression } from '../test/chromium.ts'
import { BENCH_ADMIN_TOKEN, freshDatabase, freePort, median, startHubProcess } from './hub-process.ts'

const BUILDINGS = Number(process.argv[2] ?? 10_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const DATABASE = 'territoire_bench_web'
const EPCI = DEMO_EPCI[0]
const CHROMIUM = '/usr/bin/chromium'
const log = (line: string) => process.stderr.write(`${line}\n`)

if (!existsSync(CHROMIUM)) throw new Error('bench:web needs Debian chromium: apt-get install -y chromium')

const url = await freshDatabase(DATABASE)
const database = await connectDatabase(url, { log: silentLogger, timeoutSeconds: 10 })
await migrate(database.pool, silentLogger)
await loadDemoTerritory(database.db, silentLogger)

const port = await freePort()
const hub = await startHubProcess({ DATABASE_URL: url, HUB_DEMO: 'off', SIMULATOR: 'off', MQTT_PORT: String(await freePort()), PORT: String(port), INDICATOR_REFRESH_S: '0' })
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  // 1. The demo EPCI view, from a fresh page each time (no cache): time to ready, bytes.
  const firstIdle: number[] = []
  const bytes: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
    const page = await context.newPage()
    await signIn(page, hub.url, BENCH_ADMIN_TOKEN) // the staff's view: buildings, sensors, indicators
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    let transferred = 0
    cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => (transferred += event.encodedDataLength))
    await page.goto(`${hub.url}/epci/${EPCI}`)
    await waitForExpression(page, "document.body.dataset.state === 'ready'", { timeout: 60_000 })
    firstIdle.push(await page.evaluate<number>('performance.now()'))
    bytes.push(transferred)
    await context.close()
  }
  log(`demo EPCI view: ready after ${firstIdle.map((v) => v.toFixed(0)).join(', ')} ms`)

  // 2. The same EPCI with BUILDINGS buildings more.
  await database.pool.query(`
    WITH c AS (SELECT insee, geom, row_number() OVER (ORDER BY insee) - 1 AS k, count(*) OVER () AS n FROM commune WHERE epci_siren = $2)
    INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, synthetic, geom)
    SELECT 'web-' || lpad(i::text, 6, '0'), 'Bâtiment de test ' || i, (ARRAY['ecole', 'mairie', 'gymnase', 'mediatheque'])[1 + i % 4],
           200 + (i * 7919) % 2800, c.insee, true,
           ST_Multi(ST_Buffer(ST_Translate(ST_PointOnSurface(c.geom), ((i / c.n) % 40 - 20) * 0.0012, ((i / c.n / 40) % 40 - 20) * 0.0008), 0.00025, 'quad_segs=1'))
    FROM generate_series(0, $1 - 1) AS i JOIN c ON c.k = i % c.n`, [BUILDINGS, EPCI])
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
  const page = await context.newPage()
  await signIn(page, hub.url, BENCH_ADMIN_TOKEN)
  const errors: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  await page.goto(`${hub.url}/epci/${EPCI}`)
  await waitForExpression(page, "document.body.dataset.state === 'ready'", { timeout: 120_000 })
  const shown = await page.evaluate<number>(`(async () => {
    const map = window.territoireMap
    const t0 = performance.now()
    window.territoireBuildings3d.setVisible(true)
    map.triggerRepaint()
    await new Promise((resolve) => map.once('idle', resolve))
    return performance.now() - t0
  })()`)
  const prepared = await page.evaluate<number>('window.territoireBuildings3d.lastPrepareMs')
  const extrusions = await page.evaluate<number>('Number(document.body.dataset.buildings3d)')

  const [cx, cy] = (await database.pool.query<{ x: number; y: number }>(`SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p FROM commune WHERE insee = '80021') AS c`)).rows.map((r) => [r.x, r.y])[0]!

  /** Frames the map drew during a 3 s pan (east then back), with or without the layer. */
  const pan = (visible: boolean) => page.evaluate<number>(`(async () => {
    const map = window.territoireMap
    window.territoireBuildings3d.setVisible(${visible})
    await new Promise((resolve) => { map.triggerRepaint(); map.once('idle', resolve) })
    let frames = 0
    const count = () => frames++
    map.on('render', count)
    const started = performance.now()
    map.panBy([300, 0], { duration: 1500, easing: (t) => t })
    await new Promise((resolve) => map.once('moveend', resolve))
    map.panBy([-300, 0], { duration: 1500, easing: (t) => t })
    await new Promise((resolve) => map.once('moveend', resolve))
    map.off('render', count)
    return frames / ((performance.now() - started) / 1000)
  })()`)
  /** The pans of ROUNDS rounds, alternated; and the objects deck.gl drew. */
  const pans = async (where: string) => {
    const withBuildings: number[] = []
    const without: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        withBuildings.push(await pan(true))
        without.push(await pan(false))
      } else {
        without.push(await pan(false))
        withBuildings.push(await pan(true))
      }
      log(`${where}, round ${round + 1}: pan ${withBuildings.at(-1)!.toFixed(1)} fps with the buildings, ${without.at(-1)!.toFixed(1)} without`)
    }
    await page.evaluate('window.territoireBuildings3d.setVisible(true)')
    return { withBuildings, without, drawn: await page.evaluate<number>('window.territoireBuildings3d.drawn'), zoom: await page.evaluate<number>('window.territoireMap.getZoom()') }
  }
  const epciView = await pans('EPCI view')
  // Street level over Amiens, where the buildings are extruded.
  await page.evaluate(`(async () => {
    const map = window.territoireMap
    map.jumpTo({ center: [${cx}, ${cy}], zoom: 15, pitch: 45 })
    await new Promise((resolve) => map.once('idle', resolve))
  })()`)
  const street = await pans('zoom 15')
  await page.screenshot({ path: 'data/local/bench-web-3d.png' })
  await context.close()

  const row = (label: string, value: string) => console.log(`  ${label.padEnd(70)} ${value}`)
  console.log(`Web benchmark — headless Chromium (software WebGL), 1280×800, territoire start on PostgreSQL/PostGIS; medians of ${ROUNDS}`)
  row('demo EPCI view: navigation → first idle (target < 3,000 ms)', `${median(firstIdle).toFixed(0)} ms   [${firstIdle.map((v) => v.toFixed(0)).join(', ')}]`)
  row('demo EPCI view: bytes transferred (compressed, all requests)', `${(median(bytes) / 1024).toFixed(0)} KiB`)
  row(`${BUILDINGS.toLocaleString('en')} buildings more: deck.gl layer data preparation (target < 500 ms)`, `${prepared.toFixed(0)} ms   (${extrusions.toLocaleString('en')} extrusions)`)
  row('  turning the layer on → map idle', `${shown.toFixed(0)} ms`)
  for (const [label, p] of [['EPCI view', epciView], ['zoom 15, pitch 45°, over Amiens', street]] as const) {
    row(`pan 3 s, ${label} (zoom ${p.zoom.toFixed(1)}, ${p.drawn.toLocaleString('en')} objects drawn): fps with the buildings / without`,
      `${median(p.withBuildings).toFixed(1)} / ${median(p.without).toFixed(1)}   [${p.withBuildings.map((v) => v.toFixed(1)).join(', ')}] / [${p.without.map((v) => v.toFixed(1)).join(', ')}]`)
    row('  ratio (target ≥ 0.5)', (median(p.withBuildings) / median(p.without)).toFixed(2))
  }
  if (errors.length > 0) row('console errors', errors.slice(0, 3).join(' | '))
} finally {
  await browser.close()
  await hub.stop()
  await database.close()
}
