/**
 * The hypervisor page against the automatable part of RGAA 4.1 / WCAG 2.1 A and AA, in Debian's
 * Chromium over the run's database: axe-core's rules on the public view (the overview, an EPCI, a
 * building's deep link asking to sign in), the sign-in dialog (open, then with its error), and,
 * signed in, on the overview, an EPCI (choropleth and every layer on), a commune's panel, a
 * building's panel and the error page; and the keyboard: every control of the header, the panel,
 * the map and its legend reached by Tab, each with a visible focus ring. Nothing of the map is
 * excluded: axe finds nothing to fault in MapLibre's controls. What axe cannot judge is listed in
 * docs/accessibility.md.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../sql/index.ts'
import { assertWebBuilt, hasChromium, launchChromium, openRoute, signIn, waitForExpression, WEB_DIST } from './chromium.ts'
import { writeDemoReadings } from './demo-readings.ts'
import { openDatabase, serve, TEST_ADMIN_TOKEN, testApp } from './engines.ts'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
/**
 * WCAG 2.1 levels A and AA, which RGAA 4.1 builds on, and the rules axe maps to RGAA criteria
 * (`RGAAv4`: the same ones, plus a few best practices RGAA requires, such as content in landmarks).
 */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'RGAAv4']
const SIREN = '248000531' // CA Amiens Métropole (demo territory)
const COMMUNE = '80021' // Amiens
/** Not the building web.e2e.test.ts charts: each file its own readings. */
const BUILDING = '80021-mediatheque'

interface Violation {
  readonly id: string
  readonly impact: string | null
  readonly help: string
  readonly helpUrl: string
  readonly nodes: readonly { readonly target: string; readonly summary: string }[]
}

/** One line per element at fault: enough to find it in the page and know what to fix. */
function describeViolations(route: string, violations: readonly Violation[]): string {
  return `axe-core on ${route}: ${violations.length} violation(s)\n` + violations.map((v) =>
    `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help} <${v.helpUrl}>\n` + v.nodes.map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`).join('\n'),
  ).join('\n')
}

describe.skipIf(!hasChromium)('accessibility: axe-core (WCAG 2.1 A/AA, RGAA) and keyboard (needs Debian chromium: apt-get install chromium)', () => {
  let database: Database
  let api: { url: string; close: () => Promise<void> }
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    assertWebBuilt()
    database = await openDatabase()
    // A consumption for the building panel's charts and the commune's ranking.
    await writeDemoReadings(database, BUILDING)
    api = await serve((await testApp(database, { webDir: WEB_DIST })).app)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
  })
  afterAll(async () => {
    await browser?.close()
    await api?.close()
    await database?.close()
  })

  /**
   * Opens a route, unfolds every <details> (axe skips hidden content) and runs axe on the whole
   * document; then the contrast rule again on each screenful of the scrolling panel and legend:
   * axe cannot see the colours behind text scrolled out of view, and leaves it « incomplete ».
   */
  async function audit(route: string, state = 'ready'): Promise<void> {
    expect(await openRoute(page, `${api.url}${route}`)).toBe(state)
    await scan(route)
  }

  /** axe on the page as it is now (`route` names it in the failure). */
  async function scan(route: string): Promise<void> {
    await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true })")
    // Evaluated through the DevTools protocol: an inline <script> tag would be refused by the page's CSP.
    await page.evaluate(AXE_SOURCE)
    // Browser-side code as strings: this file is type-checked for Node, without the DOM library.
    const found = await page.evaluate<Violation[]>(`(async () => {
      const summarise = (violations) => violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
      }))
      const found = summarise((await axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })).violations)
      for (const scroller of document.querySelectorAll('.panel, #legend')) {
        for (let top = 0; top < scroller.scrollHeight; top += Math.max(50, scroller.clientHeight / 2)) {
          scroller.scrollTop = top
          const result = await axe.run(scroller, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] })
          found.push(...summarise(result.violations))
        }
        scroller.scrollTop = 0
      }
      return found
    })()`)
    // One entry per rule, each element once (the contrast walk meets some twice).
    const byRule = new Map<string, Violation>()
    for (const v of found) {
      const seen = byRule.get(v.id)
      byRule.set(v.id, seen ? { ...seen, nodes: [...seen.nodes, ...v.nodes.filter((n) => !seen.nodes.some((m) => m.target === n.target))] } : v)
    }
    const violations = [...byRule.values()]
    expect(violations, describeViolations(route, violations)).toEqual([])
  }

  describe('the public view (not signed in)', () => {
    it('the overview has no axe violation, and says what a sign-in adds', async () => {
      await audit('/')
      expect(await page.evaluate<string>('document.body.dataset.role')).toBe('public')
      expect(await page.textContent('#public-notice')).toMatch(/connectez-vous/)
    })

    it('an EPCI has no axe violation', async () => {
      await audit(`/epci/${SIREN}?couches=cadastre`)
      expect(await page.locator('#public-notice').count()).toBe(1)
    })

    it('a building’s deep link, asking to sign in, has no axe violation', async () => {
      await audit(`/epci/${SIREN}/batiments/${BUILDING}`)
      expect(await page.textContent('#panel-title')).toBe('Connexion nécessaire')
    })

    it('the sign-in dialog has no axe violation, open and with its error, the page behind it inert', async () => {
      expect(await openRoute(page, `${api.url}/`)).toBe('ready')
      await page.click('#sign-in-open')
      await waitForExpression(page, "document.getElementById('sign-in-dialog').open && document.activeElement?.id === 'sign-in-token'")
      // A modal dialog: the page behind is inert, so the Tab key stays in the dialog.
      const tabbed = new Set<string>()
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press('Tab')
        tabbed.add(await page.evaluate<string>("document.activeElement?.closest('dialog') ? 'dialog' : document.activeElement?.tagName ?? ''"))
      }
      expect([...tabbed].filter((where) => where !== 'dialog' && where !== 'BODY')).toEqual([])
      await scan('the sign-in dialog')
      await page.fill('#sign-in-token', 'pas-un-jeton')
      await page.click('#sign-in-submit')
      await waitForExpression(page, "document.getElementById('sign-in-error').textContent.length > 0")
      expect(await page.getAttribute('#sign-in-token', 'aria-invalid')).toBe('true')
      await scan('the sign-in dialog with its error')
      await page.keyboard.press('Escape')
      await waitForExpression(page, "!document.getElementById('sign-in-dialog').open && document.activeElement?.id === 'sign-in-open'")
    })
  })

  it('signed in: the overview has no axe violation', async () => {
    // Every test below is the staff view: the hub's admin token, exchanged for the session cookie.
    await signIn(page, api.url, TEST_ADMIN_TOKEN)
    await audit('/')
    expect(await page.evaluate<string>('document.body.dataset.role')).toBe('admin')
  })

  it('an EPCI, with the communes coloured and every layer of « Couches » on, has no axe violation', async () => {
    await audit(`/epci/${SIREN}?communes=kwh-hab&couches=3d,capteurs,cadastre`)
    // The choropleth's classes are in the legend, so axe saw them.
    expect(await page.locator('#choropleth-legend li').count()).toBeGreaterThan(0)
  })

  it('a commune’s panel has no axe violation', async () => {
    await audit(`/epci/${SIREN}/communes/${COMMUNE}`)
    expect(await page.locator(`table.ranking a[data-building="${BUILDING}"]`).count()).toBe(1)
  })

  it('a building’s panel, charts drawn, has no axe violation', async () => {
    await audit(`/epci/${SIREN}/batiments/${BUILDING}`)
    expect(await page.locator('#panel-content figure.chart canvas').count()).toBeGreaterThan(0)
  })

  it('the error page (unknown SIREN) has no axe violation', async () => {
    await audit('/epci/999999999', 'error')
    expect(await page.textContent('#alert')).toMatch(/Aucun EPCI/)
  })

  it('reaches every control of the header, the panel, the map and its legend by Tab, each with a visible focus ring', async () => {
    expect(await openRoute(page, `${api.url}/epci/${SIREN}?communes=kwh-hab`)).toBe('ready')
    // Mark the controls to reach: everything focusable and shown there (the building list unfolded).
    const expected = await page.evaluate<string[]>(`(() => {
      document.querySelectorAll('#panel-content details, #legend details').forEach((d) => { d.open = true })
      const controls = [...document.querySelectorAll('.site-banner, #panel-content, .maplibregl-ctrl, #legend')].flatMap((root) =>
        [...root.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')])
        .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0)
      controls.push(document.querySelector('.maplibregl-canvas'))
      return controls.map((e, i) => (e.dataset.a11yControl = String(i)))
    })()`)
    expect(expected.length).toBeGreaterThan(100)
    await page.evaluate('document.activeElement?.blur()')
    type Focused = { control: string | null; html: string; focusVisible: boolean; outline: string; width: number; mapRing: number }
    const reached = new Map<string, Focused>()
    for (let i = 0; i < 1000 && reached.size < expected.length; i++) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate<Focused>(`(() => {
        const e = document.activeElement
        const style = getComputedStyle(e)
        return { control: e.dataset?.a11yControl ?? null, html: e.outerHTML.slice(0, 120), focusVisible: e.matches(':focus-visible'),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          // The map canvas fills a container that clips outlines: the container draws its ring over the map.
          mapRing: parseFloat(getComputedStyle(document.getElementById('map'), '::after').borderTopWidth) || 0 }
      })()`)
      if (focused.control !== null) reached.set(focused.control, focused)
    }
    const missed = await page.evaluate<string[]>(`${JSON.stringify(expected.filter((id) => !reached.has(id)))}
      .map((id) => document.querySelector('[data-a11y-control="' + id + '"]').outerHTML.slice(0, 120))`)
    expect(missed, 'controls Tab never reached').toEqual([])
    const ringless = [...reached.values()].filter((f) => !f.focusVisible || !((f.outline !== 'none' && f.width >= 2) || f.mapRing >= 3)).map((f) => f.html)
    expect(ringless, 'controls without a visible focus ring on :focus-visible (outline of 2 px or more)').toEqual([])
  })
})
