/**
 * The browser the end-to-end tests drive: Debian's chromium through playwright-core (browsers
 * cannot be downloaded here, see /work/shared/BROWSER.md), and the page's test hook.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
/** The built page the test apps serve (`npm run build:web`). */
export const WEB_DIST = path.resolve(import.meta.dirname, '..', 'web', 'dist')

/** False where chromium is not installed: browser suites skip themselves and say why. */
export const hasChromium = existsSync(CHROMIUM)

export function assertWebBuilt(): void {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` (npm install does it)')
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * Signs the page's browser context in as the hub's tests do it without the dialog: the token goes
 * to POST /auth/session, and the session cookie it sets (kept by the context, shared with its
 * pages) rides on every later request of the page — fetch, tiles, the live stream.
 */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  // The page's own Origin: a write carrying a session cookie (another app's on this host) must come from the page.
  const response = await page.context().request.post(`${baseUrl}/auth/session`, { data: { token }, headers: { Origin: baseUrl } })
  if (response.status() !== 204) throw new Error(`POST /auth/session answered ${response.status()}: ${await response.text()}`)
}

/** Opens a route of the page and waits until it is shown: resolves to 'ready' or 'error' (web/README.md, test hook). */
export async function openRoute(page: Page, url: string): Promise<string> {
  await page.goto(url)
  // Browser-side code as strings: the tests are type-checked for Node, without the DOM library.
  await waitForExpression(page, "['ready', 'error'].includes(document.body.dataset.state)", { timeout: 60_000 })
  return page.evaluate<string>('document.body.dataset.state')
}

/**
 * Waits until `expression` (browser-side code, as a string) is truthy in the page. Not
 * `page.waitForFunction(string)`: Playwright runs a string predicate through eval() at each poll,
 * which the page's Content-Security-Policy refuses (no 'unsafe-eval', on purpose). A function
 * predicate is compiled through the DevTools protocol instead, which the policy does not govern:
 * hence the expression wrapped in a function here, on the Node side.
 */
export async function waitForExpression(page: Page, expression: string, options: { timeout?: number } = {}): Promise<void> {
  await page.waitForFunction(new Function(`return (${expression})`) as () => unknown, undefined, options)
}
