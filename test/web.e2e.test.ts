/**
 * The hypervisor page in a real browser (Debian's Chromium, WebGL through SwiftShader) against
 * the app over the run's database: the EPCI's communes come from the vector tiles, its demo
 * buildings are drawn, and the page says which data are synthetic.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { Database } from '../sql/index.ts'
import { openDatabase, serve, testApp } from './engines.ts'

const CHROMIUM = '/usr/bin/chromium'
const WEB_DIST = path.resolve(import.meta.dirname, '..', 'web', 'dist')

// Browsers cannot be downloaded here: the test needs Debian's chromium (.ci/run installs it).
// Without it the suite still runs everything else; this file says why it did not run.
describe.skipIf(!existsSync(CHROMIUM))('hypervisor page (needs Debian chromium: apt-get install chromium)', () => {
  let database: Database
  let api: { url: string; close: () => Promise<void> }
  let browser: Browser
  let page: Page
  const consoleErrors: string[] = []

  beforeAll(async () => {
    if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` (npm install does it)')
    database = await openDatabase()
    api = await serve((await testApp(database, { webDir: WEB_DIST })).app)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
  })
  afterAll(async () => {
    await browser?.close()
    await api?.close()
    await database?.close()
  })

  async function open(route: string): Promise<string> {
    await page.goto(`${api.url}${route}`)
    // Browser-side code as strings: this file is type-checked for Node, without the DOM library.
    await page.waitForFunction("['ready', 'error'].includes(document.body.dataset.state)", undefined, { timeout: 60_000 })
    return page.evaluate<string>('document.body.dataset.state')
  }

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
    expect(await page.textContent('body')).toMatch(/synthétique/i)
    expect(consoleErrors).toEqual([])
  })

  it('answers an unknown SIREN with a French message, not a blank page', async () => {
    expect(await open('/epci/999999999')).toBe('error')
    expect(await page.textContent('#alert')).toMatch(/Aucun EPCI/)
  })
})
