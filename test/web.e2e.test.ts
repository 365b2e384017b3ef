/**
 * The hypervisor page in a real browser (Debian's Chromium, WebGL through SwiftShader) against
 * the app over the run's database, signed in as the OPSN's admin (the staff view; the public one
 * and the sign-in dialog are test/sign-in.e2e.test.ts's): the EPCI's communes come from the vector
 * tiles, its demo buildings are drawn, and the page says which data are synthetic; a building's
 * panel opens from the map with its consumption charted, and a reading published on MQTT reaches
 * it without reload.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import mqtt from 'mqtt'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveFeed } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import { IngestionPipeline } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { assertWebBuilt, hasChromium, launchChromium, openRoute, signIn, waitForExpression, WEB_DIST } from './chromium.ts'
import { writeDemoReadings } from './demo-readings.ts'
import { mqttUrl, openDatabase, pipelineOptions, serve, TEST_ADMIN_TOKEN, testApp, uniqueName } from './engines.ts'

/** Screenshots of the tests, kept as artefacts (git-ignored). */
const ARTEFACTS = path.resolve(import.meta.dirname, '..', 'data', 'local', 'screenshots')

// Browsers cannot be downloaded here: the test needs Debian's chromium (.ci/run installs it).
// Without it the suite still runs everything else; this file says why it did not run.
describe.skipIf(!hasChromium)('hypervisor page (needs Debian chromium: apt-get install chromium)', () => {
  let database: Database
  let api: { url: string; close: () => Promise<void> }
  let browser: Browser
  let page: Page
  const consoleErrors: string[] = []

  let live: LiveFeed
  let pipeline: IngestionPipeline
  const topicPrefix = uniqueName('test-web')

  beforeAll(async () => {
    assertWebBuilt()
    mkdirSync(ARTEFACTS, { recursive: true })
    database = await openDatabase()
    live = new LiveFeed(database.db, silentLogger)
    api = await serve((await testApp(database, { webDir: WEB_DIST, live })).app)
    // The ingestion, as in the hub: a stored batch tells the live stream (the hub does it through the tile cache's change feed).
    pipeline = await IngestionPipeline.start(pipelineOptions(database, [`${topicPrefix}/senml/#`], { onWritten: () => live.changed() }))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    // The staff view: the hub's admin token, exchanged for the session cookie.
    await signIn(page, api.url, TEST_ADMIN_TOKEN)
  })
  afterAll(async () => {
    await pipeline?.stop()
    live?.close()
    await browser?.close()
    await api?.close()
    await database?.close()
  })

  const open = (route: string): Promise<string> => openRoute(page, `${api.url}${route}`)

  it('shows an EPCI: its communes from the vector tiles, its buildings, in French, with the synthetic data said so', async () => {
    expect(await open('/epci/248000531')).toBe('ready')
    expect(await page.getAttribute('html', 'lang')).toBe('fr')
    const rendered = await page.evaluate<{ communes: string[]; buildings: string[] }>(`({
      communes: window.territoireMap.queryRenderedFeatures({ layers: ['communes-fill'] }).map((f) => f.properties.code),
      buildings: window.territoireMap.queryRenderedFeatures({ layers: ['buildings-fill'] }).map((f) => f.properties.id),
    })`)
    expect(rendered.communes).toContain('80021')
    expect(new Set(rendered.buildings).size).toBeGreaterThan(39)
    expect(await page.textContent('#panel-title')).toContain('CA Amiens Métropole')
    expect(await page.evaluate<string>('document.body.dataset.role')).toBe('admin')
    expect(await page.textContent('#session-user')).toContain('Administrateur OPSN')
    // The EPCI's energy this year, from the indicator rollups.
    expect(await page.textContent('#epci-indicators')).toMatch(/Bâtiments suivis\s*\d+ sur \d+/)
    expect(await page.textContent('body')).toMatch(/synthétique/i)
    expect(consoleErrors).toEqual([])
  })

  it('opens a building’s panel from the map, with its daily consumption charted, and deep-links it', async () => {
    // Ten days of readings for the electricity meter and the ambiance sensor of Amiens' town hall (demo).
    await writeDemoReadings(database, '80021-mairie')

    expect(await open('/epci/248000531')).toBe('ready')
    // Click the building on the map: its popup links to its panel.
    const point = await page.evaluate<{ x: number; y: number }>(`(async () => {
      const map = window.territoireMap
      const f = map.querySourceFeatures('buildings').find((x) => x.properties.id === '80021-mairie') ?? null
      const c = f.geometry.type === 'Point' ? f.geometry.coordinates : f.geometry.coordinates[0][0]
      map.jumpTo({ center: c, zoom: 17 })
      await new Promise((resolve) => map.once('idle', resolve))
      const p = map.project(c)
      return { x: p.x, y: p.y }
    })()`)
    const box = (await page.locator('#map').boundingBox())!
    await page.mouse.click(box.x + point.x, box.y + point.y)
    await page.getByRole('link', { name: 'Voir le détail du bâtiment' }).click()
    await waitForExpression(page, "document.body.dataset.state === 'ready' && location.pathname === '/epci/248000531/batiments/80021-mairie'", { timeout: 60_000 })
    await page.waitForSelector('#panel-content figure.chart canvas')
    expect(await page.textContent('#panel-title')).toMatch(/Mairie d’Amiens|Mairie/)
    const points = Number(await page.getAttribute('#panel-content figure.chart', 'data-points'))
    expect(points).toBeGreaterThan(5)
    expect(await page.textContent('#panel-content')).toMatch(/kWh/)
    await page.screenshot({ path: path.join(ARTEFACTS, 'building-panel.png') })

    // Ten days are too few for an energy signature: the panel says why (a heated building's is charted below).
    expect(await page.textContent('#panel-content')).toMatch(/Électricité : pas de signature \(/)

    // The same view from its link, with the period in the URL.
    expect(await open('/epci/248000531/batiments/80021-mairie?periode=7')).toBe('ready')
    await page.waitForSelector('#panel-content figure.chart canvas')
    expect(await page.inputValue('#building-period')).toBe('7')

    // A reading published on MQTT reaches the open panel without reload.
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: uniqueName('web-pub'), protocolVersion: 4 })
    const publishedAt = Date.now()
    await publisher.publishAsync(`${topicPrefix}/senml/80021-mairie-ambiance`, JSON.stringify([
      { bn: 'urn:dev:territoire:80021-mairie-ambiance:', bt: Math.ceil(publishedAt / 1000) + 2, n: 'co2', u: 'ppm', v: 1888 },
    ]), { qos: 1 })
    await publisher.endAsync()
    await waitForExpression(
      page,
      "document.querySelector('li[data-sensor=\"80021-mairie-ambiance.co2\"] .latest-value')?.textContent.replace(/\\s/g, ' ') === 'CO₂ : 1 888 ppm'",
      { timeout: 30_000 })
    process.stdout.write(`[territoire web e2e] MQTT reading on screen after ${Date.now() - publishedAt} ms\n`)
    await page.screenshot({ path: path.join(ARTEFACTS, 'building-panel-live.png') })
    expect(consoleErrors).toEqual([])
  })

  it('charts a heated building’s energy signature against the demo station’s degree-days, and its décret tertiaire trajectory', async () => {
    // A school of Amiens of more than 1,000 m² heated with electricity (the simulator's draw), with its declared 2010–2019 reference.
    const school = '80021-ecole-1'
    await writeDemoReadings(database, school, 21)
    expect(await open(`/epci/248000531/batiments/${school}?periode=annee`)).toBe('ready')
    const charts = await page.evaluate<{ label: string; points: number }[]>(`[...document.querySelectorAll('#panel-content figure.chart')]
      .map((f) => ({ label: f.getAttribute('aria-label'), points: Number(f.dataset.points) }))`)
    const signature = charts.find((c) => /selon les degrés-jours/.test(c.label))
    expect(signature?.points).toBeGreaterThanOrEqual(14)
    expect(await page.textContent('#panel-content')).toMatch(/Talon [\d\s\u202f,]+\u00a0kWh\/jour, chauffage [\d\s\u202f,]+\u00a0kWh par DJU/)
    const trajectory = charts.find((c) => /Trajectoire du décret tertiaire/.test(c.label))
    expect(trajectory?.points).toBeGreaterThanOrEqual(1)
    expect(await page.textContent('[data-figure="trajectory"]')).toMatch(new RegExp(`${new Date().getFullYear()} \\(estimée sur l’année\\) : .* (sur la trajectoire|au-dessus de la trajectoire)`))
    await page.locator('figure.chart[aria-label^="Trajectoire"]').scrollIntoViewIfNeeded()
    await page.screenshot({ path: path.join(ARTEFACTS, 'building-signature-trajectory.png') })
    expect(consoleErrors).toEqual([])
  })

  it('reaches the panel and the layer toggles with the keyboard alone, and turns the 3D buildings on (URL kept)', async () => {
    expect(await open('/epci/248000531')).toBe('ready')
    await page.evaluate('document.activeElement?.blur()')
    const reached = new Set<string>()
    for (let i = 0; i < 400 && !reached.has('toggle'); i++) {
      await page.keyboard.press('Tab')
      const where = await page.evaluate<string>(`(() => {
        const e = document.activeElement
        if (!e) return ''
        if (e.id === 'layer-buildings-3d') return 'toggle'
        return e.closest('#panel-content') ? 'panel' : ''
      })()`)
      if (where) reached.add(where)
    }
    expect([...reached].sort()).toEqual(['panel', 'toggle'])
    // Visible focus: the checkbox draws an outline when focused from the keyboard.
    expect(await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle")).not.toBe('none')
    await page.keyboard.press('Space')
    await waitForExpression(page, "Number(document.body.dataset.buildings3d) > 39")
    expect(await page.evaluate<string>('location.search')).toBe('?couches=3d')
    // At the EPCI's zoom the map's own dots take the intensity classes (deck.gl extrudes from street zoom).
    expect(await page.evaluate<string>("JSON.stringify(window.territoireMap.getPaintProperty('buildings-points', 'circle-color'))")).toContain('intensity')
    await page.screenshot({ path: path.join(ARTEFACTS, 'buildings-3d.png') })
    // A shared link opens with the layer on.
    expect(await open('/epci/248000531?couches=3d')).toBe('ready')
    expect(Number(await page.evaluate<string>('document.body.dataset.buildings3d'))).toBeGreaterThan(39)
    expect(await page.isChecked('#layer-buildings-3d')).toBe(true)
    expect(consoleErrors).toEqual([])
  })

  it('rings the buildings with an open alert on the map, and lists the alert in the building’s panel', async () => {
    await database.pool.query(`INSERT INTO alert (building_id, kind, day, reason, value) VALUES ('80021-ecole-1', 'confinement', current_date, 'Confinement de l’air très élevé (test)', 4) ON CONFLICT DO NOTHING`)
    expect(await open('/epci/248000531')).toBe('ready')
    await waitForExpression(page, "JSON.stringify(window.territoireMap.getFilter('alerts-ring')).includes('80021-ecole-1')")
    expect(await open('/epci/248000531/batiments/80021-ecole-1')).toBe('ready')
    expect(await page.textContent('#panel-content ul.alerts')).toContain('Confinement de l’air très élevé (test)')
    expect(consoleErrors).toEqual([])
  })

  it('shows a commune’s buildings ranked by intensity, each linking to its panel', async () => {
    // The building test above gave Amiens' town hall ten days of consumption this year.
    expect(await open('/epci/248000531/communes/80021')).toBe('ready')
    expect(await page.textContent('#panel-title')).toBe('Amiens (80021)')
    const ranked = await page.evaluate<string[]>("[...document.querySelectorAll('table.ranking tbody tr')].map((r) => r.dataset.building)")
    expect(ranked).toContain('80021-mairie')
    await page.click('table.ranking a[data-building="80021-mairie"]')
    await waitForExpression(page, "document.body.dataset.state === 'ready' && location.pathname === '/epci/248000531/batiments/80021-mairie'", { timeout: 60_000 })
    expect(consoleErrors).toEqual([])
  })

  it('colours the communes by an indicator chosen in « Couches », with its classes in the legend (URL kept)', async () => {
    expect(await open('/epci/248000531?communes=kwh-hab')).toBe('ready')
    expect(await page.inputValue('#choropleth')).toBe('kwh-hab')
    const fill = await page.evaluate<string>("JSON.stringify(window.territoireMap.getPaintProperty('communes-fill', 'fill-color'))")
    expect(fill).toContain('"match"')
    expect(fill).toContain('"80021"') // Amiens: its town hall's consumption (the building test)
    expect(await page.locator('#choropleth-legend li').count()).toBeGreaterThan(0)
    expect(await page.textContent('#choropleth-legend')).toMatch(/kWh\/hab\./)
    await page.selectOption('#choropleth', '')
    expect(await page.evaluate<string>('location.search')).toBe('')
    expect(await page.evaluate<string>("JSON.stringify(window.territoireMap.getPaintProperty('communes-fill', 'fill-color'))")).not.toContain('"match"')
    expect(consoleErrors).toEqual([])
  })

  it('colours the buildings by live status when chosen under the 3D layer: alert, silent sensor, all heard, none (URL kept)', async () => {
    await database.pool.query(`INSERT INTO alert (building_id, kind, day, reason, value) VALUES ('80021-ecole-2', 'confinement', current_date - 1, 'Confinement (test du statut)', 4) ON CONFLICT DO NOTHING`)
    expect(await open('/epci/248000531?couches=3d&batiments=etat')).toBe('ready')
    expect(await page.inputValue('#buildings-coloring')).toBe('status')
    expect(await page.textContent('.layer-toggles')).toContain('alerte ouverte')
    const shown = await page.evaluate<{ color: string; statuses: Record<string, string> }>(`({
      color: JSON.stringify(window.territoireMap.getPaintProperty('buildings-points', 'circle-color')),
      statuses: Object.fromEntries(window.territoireMap.querySourceFeatures('building-points').map((f) => [f.properties.id, f.properties.status])),
    })`)
    expect(shown.color).toContain('"status"')
    // The API's counts decide: an open alert first, then a silent sensor, then all heard.
    // Asked with the page's session (staff only).
    const listed = (await (await page.request.get(`${api.url}/api/epci/248000531/buildings`)).json()) as { features: { properties: { id: string; sensors: number; silent_sensors: number; open_alerts: number } }[] }
    const expected = (p: { sensors: number; silent_sensors: number; open_alerts: number }) => p.open_alerts > 0 ? 'alert' : p.sensors === 0 ? 'none' : p.silent_sensors > 0 ? 'silent' : 'ok'
    expect(shown.statuses['80021-ecole-2']).toBe('alert')
    for (const f of listed.features.filter((x) => x.properties.id.startsWith('80021-'))) expect(shown.statuses[f.properties.id], f.properties.id).toBe(expected(f.properties))
    await page.selectOption('#buildings-coloring', 'intensity')
    expect(await page.evaluate<string>('location.search')).toBe('?couches=3d')
    expect(await page.evaluate<string>("JSON.stringify(window.territoireMap.getPaintProperty('buildings-points', 'circle-color'))")).toContain('"intensity"')
    expect(consoleErrors).toEqual([])
  })

  it('draws the sensors from their vector tiles when their layer is on, coloured by threshold and status', async () => {
    expect(await open('/epci/248000531?couches=capteurs')).toBe('ready')
    expect(await page.isChecked('#layer-sensors')).toBe(true)
    const sensors = await page.evaluate<{ quantity: string; status: string }[]>(
      "window.territoireMap.queryRenderedFeatures({ layers: ['sensors-circle'] }).map((f) => ({ quantity: f.properties.quantity, status: f.properties.status }))")
    expect(sensors.length).toBeGreaterThan(39)
    expect(new Set(sensors.map((x) => x.quantity))).toContain('co2')
    // A new value published on MQTT reaches the sensor's dot on the map (its tiles asked again).
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: uniqueName('web-pub'), protocolVersion: 4 })
    const publishedAt = Date.now()
    await publisher.publishAsync(`${topicPrefix}/senml/80021-ecole-1-ambiance`, JSON.stringify([
      { bn: 'urn:dev:territoire:80021-ecole-1-ambiance:', bt: Math.ceil(publishedAt / 1000) + 2, n: 'co2', u: 'ppm', v: 1999 },
    ]), { qos: 1 })
    await publisher.endAsync()
    await waitForExpression(
      page,
      "window.territoireMap.queryRenderedFeatures({ layers: ['sensors-circle'] }).some((f) => f.properties.id === '80021-ecole-1-ambiance.co2' && f.properties.value === 1999)",
      { timeout: 30_000 })
    process.stdout.write(`[territoire web e2e] MQTT reading on the map's sensors layer after ${Date.now() - publishedAt} ms\n`)

    // Off again: none drawn, and the URL says so.
    await page.click('#layer-sensors')
    await waitForExpression(page, "window.territoireMap.queryRenderedFeatures({ layers: ['sensors-circle'] }).length === 0")
    expect(await page.evaluate<string>('location.search')).toBe('')
    expect(consoleErrors).toEqual([])
  })

  it('sends the page’s assets gzip-compressed and cached for a year (hashed names)', async () => {
    const html = await (await fetch(`${api.url}/epci/248000531`)).text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!
    const plain = await fetch(`${api.url}${script}`, { headers: { 'Accept-Encoding': 'identity' } })
    const body = Buffer.from(await plain.arrayBuffer())
    const zipped = await fetch(`${api.url}${script}`, { headers: { 'Accept-Encoding': 'gzip' } })
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    expect(zipped.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const compressed = Number(zipped.headers.get('content-length'))
    expect(compressed).toBeLessThan(body.length / 2)
    expect(Buffer.from(await zipped.arrayBuffer()).equals(body)).toBe(true) // fetch decodes it back: the same bytes
  })

  it('answers an unknown SIREN with a French message, not a blank page', async () => {
    expect(await open('/epci/999999999')).toBe('error')
    expect(await page.textContent('#alert')).toMatch(/Aucun EPCI/)
  })
})
