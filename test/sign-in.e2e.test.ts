/**
 * The page's public view and its staff sign-in, in a real browser (Debian's Chromium) against the
 * app over the run's database (issue 7). Not signed in, the page shows the public layers and the
 * EPCI's communes, asks no staff-only endpoint (every request and its status recorded: none
 * refused) and logs no error; a building's deep link asks to sign in. The dialog refuses a wrong
 * token in French, signs in with the hub's admin token (the buildings appear), and signing out
 * brings the public view back. A session that ends while the page is open (its cookie gone) takes
 * the page back to the public view, saying why. Signed in with a scoped token, the page keeps to
 * the scope: another EPCI's public data only, « Hors de votre périmètre » for what the hub answers
 * 404, an energy manager's own communes and buildings (on the map too). First, the page's own rules,
 * without a browser.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createToken } from '../api/auth/index.ts'
import { LiveFeed } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import { asksOwnBuildings, epciAccess, seesCommune } from '../web/src/access.ts'
import { asSession, PUBLIC_SESSION, tooManyAttempts, type Session } from '../web/src/auth-client.ts'
import type { Database } from '../sql/index.ts'
import { assertWebBuilt, hasChromium, launchChromium, openRoute, signIn, waitForExpression, WEB_DIST } from './chromium.ts'
import { openDatabase, serve, TEST_ADMIN_TOKEN, testApp } from './engines.ts'

/** Screenshots of the tests, kept as artefacts (git-ignored). */
const ARTEFACTS = path.resolve(import.meta.dirname, '..', 'data', 'local', 'screenshots')
const SIREN = '248000531' // CA Amiens Métropole (demo territory)
const OTHER_SIREN = '200071223' // another EPCI
const AMIENS = '80021'
const BUILDING = '80021-mairie'

/** Paths only staff may ask (the hub answers 401 to the public): the public view must ask none. */
const STAFF_ONLY = /\/api\/epci\/[^/]+\/(buildings|indicators|live)|\/api\/(communes|buildings|sensors|devices|alerts|exports)\b|\/tiles\/(buildings|sensors)\b/

describe('the page’s access rules (web/src/access.ts, auth-client.ts)', () => {
  const staff = (role: Session['role'], scope: Session['scope']): Session => ({ role, name: 'Agent', scope, expiresAt: null, oidcLogin: null })

  it('reads /auth/me’s answer, anything malformed being the public view', () => {
    expect(asSession({ role: 'admin', name: 'OPSN', scope: 'all', expiresAt: null, oidcLogin: '/auth/oidc/login' }))
      .toEqual({ role: 'admin', name: 'OPSN', scope: 'all', expiresAt: null, oidcLogin: '/auth/oidc/login' })
    expect(asSession({ role: 'epci_staff', name: 'Jeanne', scope: { epci: [SIREN] }, expiresAt: '2030-01-01T00:00:00Z', oidcLogin: null }).scope)
      .toEqual({ epci: [SIREN], communes: [], buildings: [] })
    expect(asSession({ role: 'public', name: 'public', scope: { epci: [] }, oidcLogin: 'https://hub.example.fr/auth/oidc/login' }))
      .toEqual({ ...PUBLIC_SESSION, oidcLogin: 'https://hub.example.fr/auth/oidc/login' })
    expect(asSession({ role: 'root', name: 'x', scope: 'all' })).toEqual(PUBLIC_SESSION)
    expect(asSession(null)).toEqual(PUBLIC_SESSION)
    expect(asSession('admin')).toEqual(PUBLIC_SESSION)
    // Never a link the page could not follow safely.
    expect(asSession({ role: 'public', oidcLogin: 'javascript:alert(1)' }).oidcLogin).toBeNull()
    expect(asSession({ role: 'public', oidcLogin: '//evil.example/login' }).oidcLogin).toBeNull()
  })

  it('says how long to wait after too many attempts, from Retry-After', () => {
    expect(tooManyAttempts('1')).toBe('Trop de tentatives de connexion. Réessayez dans 1 seconde.')
    expect(tooManyAttempts('45')).toBe('Trop de tentatives de connexion. Réessayez dans 45 secondes.')
    expect(tooManyAttempts('600')).toBe('Trop de tentatives de connexion. Réessayez dans 10 minutes.')
    expect(tooManyAttempts(new Date(Date.UTC(2030, 0, 1, 0, 1)).toUTCString(), Date.UTC(2030, 0, 1))).toBe('Trop de tentatives de connexion. Réessayez dans 1 minute.')
    expect(tooManyAttempts(null)).toBe('Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer.')
  })

  it('asks an EPCI’s staff data only of the admin and its own staff; an energy manager gets his communes', () => {
    const agent = staff('epci_staff', { epci: [SIREN], communes: [], buildings: [] })
    const manager = staff('energy_manager', { epci: [], communes: [AMIENS], buildings: ['80829-ecole-1'] })
    expect(epciAccess(PUBLIC_SESSION, SIREN)).toBe('public')
    expect(epciAccess(staff('admin', 'all'), SIREN)).toBe('full')
    expect(epciAccess(agent, SIREN)).toBe('full')
    expect(epciAccess(agent, OTHER_SIREN)).toBe('outside')
    expect(epciAccess(manager, SIREN)).toBe('own')
    expect(seesCommune(PUBLIC_SESSION, SIREN, AMIENS)).toBe(false)
    expect(seesCommune(agent, SIREN, AMIENS)).toBe(true)
    expect(seesCommune(agent, OTHER_SIREN, '80829')).toBe(false)
    expect(seesCommune(manager, SIREN, AMIENS)).toBe(true)
    expect(seesCommune(manager, SIREN, '80001')).toBe(false)
    // An EPCI's buildings (the hub answers them row by row) asked for an energy manager only where some may be his.
    const epci = (siren: string, ...insee: string[]) => ({ siren, communes: insee.map((i) => ({ insee: i })) })
    const communesOnly = staff('energy_manager', { epci: [], communes: [AMIENS], buildings: [] })
    expect(asksOwnBuildings(manager, epci(SIREN, AMIENS))).toBe(true)
    expect(asksOwnBuildings(manager, epci(OTHER_SIREN, '80829'))).toBe(true) // his building's EPCI is not known beforehand
    expect(asksOwnBuildings(communesOnly, epci(SIREN, '80001', AMIENS))).toBe(true)
    expect(asksOwnBuildings(communesOnly, epci(OTHER_SIREN, '80829'))).toBe(false)
    expect(asksOwnBuildings(agent, epci(SIREN, AMIENS))).toBe(false) // full access: the EPCI-wide request
    expect(asksOwnBuildings(staff('admin', 'all'), epci(SIREN, AMIENS))).toBe(false)
    expect(asksOwnBuildings(PUBLIC_SESSION, epci(SIREN, AMIENS))).toBe(false)
  })
})

interface Exchange {
  readonly method: string
  readonly path: string
  readonly status: number
}

describe.skipIf(!hasChromium)('public view and staff sign-in (needs Debian chromium: apt-get install chromium)', () => {
  let database: Database
  let live: LiveFeed
  let api: { url: string; close: () => Promise<void> }
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const exchanges: Exchange[] = []
  const consoleErrors: string[] = []

  beforeAll(async () => {
    assertWebBuilt()
    mkdirSync(ARTEFACTS, { recursive: true })
    database = await openDatabase()
    // With the live stream, as in the hub: a signed-in page follows its EPCI's.
    live = new LiveFeed(database.db, silentLogger)
    api = await serve((await testApp(database, { webDir: WEB_DIST, live })).app)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await api?.close()
    live?.close()
    await database?.close()
  })
  // Each test its own context: no cookie (no session) carried from one to the next.
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' })
    page = await context.newPage()
    exchanges.length = 0
    consoleErrors.length = 0
    page.on('response', (response) => {
      const url = new URL(response.url())
      if (url.origin === api.url) exchanges.push({ method: response.request().method(), path: url.pathname + url.search, status: response.status() })
    })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
  })
  afterEach(async () => {
    await context?.close()
  })

  const open = (route: string): Promise<string> => openRoute(page, `${api.url}${route}`)
  const mapShows = () => page.evaluate<{ sources: string[]; communes: string[]; buildings: number; deck: string; role: string }>(`({
    sources: Object.keys(window.territoireMap.getStyle().sources),
    communes: window.territoireMap.queryRenderedFeatures({ layers: ['communes-fill'] }).map((f) => f.properties.code),
    buildings: window.territoireMap.queryRenderedFeatures({ layers: ['buildings-fill'] }).length,
    deck: document.body.dataset.buildings3d,
    role: document.body.dataset.role,
  })`)
  const refused = () => exchanges.filter((e) => e.status === 401 || e.status === 403 || e.status === 404)
  const staffAsked = () => exchanges.filter((e) => STAFF_ONLY.test(e.path))

  it('shows the public view anonymously: the public layers, the EPCI and its communes, no staff request, no console error', async () => {
    expect(await open('/')).toBe('ready')
    expect(await page.evaluate<string>('document.body.dataset.role')).toBe('public')
    expect(await page.textContent('#sign-in-open')).toBe('Se connecter')
    expect(await page.textContent('#public-notice')).toMatch(/bâtiments publics, les capteurs et les indicateurs d’énergie .* connectez-vous/)
    expect(await page.locator('#panel-content a[data-siren]').count()).toBeGreaterThan(1)

    // An EPCI, the cadastre on (`?couches=3d,capteurs` asked too: staff layers, left off).
    expect(await open(`/epci/${SIREN}?couches=3d,capteurs,cadastre`)).toBe('ready')
    expect(await page.textContent('#panel-title')).toContain('CA Amiens Métropole')
    expect(await page.locator(`#panel-content .commune-table th`).filter({ hasText: 'Amiens' }).count()).toBeGreaterThan(0)
    expect(await page.locator('#public-notice').count()).toBe(1)
    expect(await page.locator('#epci-indicators').count()).toBe(0)
    const shown = await mapShows()
    expect(shown.communes).toContain(AMIENS)
    expect(shown.sources).toEqual(expect.arrayContaining(['communes', 'epci', 'parcels', 'cadastral-buildings']))
    expect(shown.sources).not.toContain('sensors')
    expect(shown.buildings).toBe(0)
    expect(shown.deck).toBe('0')
    // « Couches »: the cadastre, not the staff layers.
    expect(await page.isChecked('#layer-cadastre')).toBe(true)
    expect(await page.locator('#layer-buildings-3d, #layer-sensors, #choropleth').count()).toBe(0)
    await page.screenshot({ path: path.join(ARTEFACTS, 'public-view.png') })

    // The public data were asked and given; nothing staff-only was asked, nothing refused.
    const paths = exchanges.map((e) => e.path)
    expect(paths).toEqual(expect.arrayContaining(['/auth/me', '/api/epci', `/api/epci/${SIREN}`, '/tiles/communes.json', '/tiles/parcels.json']))
    expect(exchanges.find((e) => e.path === '/auth/me')?.status).toBe(200)
    expect(staffAsked()).toEqual([])
    expect(refused()).toEqual([])
    expect(consoleErrors).toEqual([])
  })

  it('answers a building’s deep link with a French message and the sign-in button, not an error page', async () => {
    expect(await open(`/epci/${SIREN}/batiments/${BUILDING}`)).toBe('ready')
    expect(await page.textContent('#panel-title')).toBe('Connexion nécessaire')
    expect(await page.textContent('#panel-content')).toMatch(/Le détail d’un bâtiment .* est réservé aux agents/)
    expect(await page.textContent('#alert')).toBe('')
    // The panel's button opens the dialog.
    await page.click('#panel-content #public-notice button')
    await waitForExpression(page, "document.getElementById('sign-in-dialog').open && document.activeElement?.id === 'sign-in-token'")
    expect(staffAsked()).toEqual([])
    expect(refused()).toEqual([])
    expect(consoleErrors).toEqual([])
  })

  it('says in French why an OpenID Connect sign-in failed when the hub sends the browser back, then forgets it', async () => {
    expect(await open(`/epci/${SIREN}?connexion=echec&motif=acces`)).toBe('ready')
    expect(await page.textContent('#alert')).toMatch(/Votre compte n’a pas de rôle ni de périmètre dans Territoire/)
    expect(await page.evaluate<string>('window.location.pathname + window.location.search')).toBe(`/epci/${SIREN}`)
    expect(await open(`/?connexion=echec&motif=inconnu`)).toBe('ready')
    expect(await page.textContent('#alert')).toBe('La connexion a échoué.')
    expect(consoleErrors).toEqual([])
  })

  it('refuses a wrong token with a French message in the dialog, and gives the focus back when cancelled', async () => {
    expect(await open(`/epci/${SIREN}`)).toBe('ready')
    await page.click('#sign-in-open')
    await waitForExpression(page, "document.getElementById('sign-in-dialog').open && document.activeElement?.id === 'sign-in-token'")
    expect(await page.getAttribute('#sign-in-token', 'type')).toBe('password')
    // Nothing typed: said at once, nothing sent.
    await page.click('#sign-in-submit')
    expect(await page.textContent('#sign-in-error')).toBe('Saisissez votre jeton d’accès.')
    expect(exchanges.filter((e) => e.path === '/auth/session')).toEqual([])

    await page.fill('#sign-in-token', 'tt_000000000000_pas-le-bon-jeton')
    await page.click('#sign-in-submit')
    await waitForExpression(page, "/Jeton d’accès refusé/.test(document.getElementById('sign-in-error').textContent)")
    expect(await page.textContent('#sign-in-error')).toBe('Jeton d’accès refusé : il est inconnu, expiré ou révoqué. Vérifiez-le, ou demandez-en un nouveau à l’OPSN.')
    expect(await page.getAttribute('#sign-in-token', 'aria-invalid')).toBe('true')
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('sign-in-token')
    expect(await page.evaluate<boolean>("document.getElementById('sign-in-dialog').open")).toBe(true)
    await page.screenshot({ path: path.join(ARTEFACTS, 'sign-in-refused.png') })
    expect(await page.evaluate<string>('document.body.dataset.role')).toBe('public')
    expect(exchanges.filter((e) => e.path === '/auth/session').map((e) => [e.method, e.status])).toEqual([['POST', 401]])

    // Escape closes it, the token typed is forgotten, and the focus goes back to « Se connecter ».
    await page.keyboard.press('Escape')
    await waitForExpression(page, "!document.getElementById('sign-in-dialog').open && document.activeElement?.id === 'sign-in-open'")
    expect(await page.inputValue('#sign-in-token')).toBe('')
    // The one error in the console: the browser's line for the refused sign-in.
    expect(consoleErrors.filter((e) => !/status of 401/.test(e))).toEqual([])
  })

  it('signs in through the dialog with the hub’s admin token: the buildings, indicators and staff layers appear', async () => {
    expect(await open(`/epci/${SIREN}`)).toBe('ready')
    await page.click('#sign-in-open')
    await page.fill('#sign-in-token', TEST_ADMIN_TOKEN)
    await page.keyboard.press('Enter')
    await waitForExpression(page, "document.body.dataset.role === 'admin' && document.body.dataset.state === 'ready'", { timeout: 60_000 })
    expect(await page.evaluate<boolean>("document.getElementById('sign-in-dialog').open")).toBe(false)
    // The header says who is signed in, in French, and the focus is on « Se déconnecter ».
    expect(await page.textContent('#session-user')).toMatch(/Administrateur OPSN/)
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('sign-out')
    await page.screenshot({ path: path.join(ARTEFACTS, 'signed-in.png') })
    const shown = await mapShows()
    expect(shown.buildings).toBeGreaterThan(39)
    expect(shown.sources).toContain('sensors')
    expect(await page.locator('#public-notice').count()).toBe(0)
    expect(await page.textContent('#epci-indicators')).toMatch(/Bâtiments suivis/)
    expect(await page.locator('#layer-buildings-3d').count()).toBe(1)
    expect(exchanges.find((e) => e.path === '/auth/session')?.status).toBe(204)
    expect(exchanges.find((e) => e.path === `/api/epci/${SIREN}/buildings`)?.status).toBe(200)
    expect(exchanges.find((e) => e.path === `/api/epci/${SIREN}/live`)?.status).toBe(200)
    expect(refused()).toEqual([])
    expect(consoleErrors).toEqual([])

    // The session is a cookie: a reload (or a deep link) stays signed in.
    expect(await open(`/epci/${SIREN}/batiments/${BUILDING}`)).toBe('ready')
    expect(await page.evaluate<string>('document.body.dataset.role')).toBe('admin')
    expect(await page.textContent('#panel-title')).not.toBe('Connexion nécessaire')
  })

  it('signs out back to the public view: no buildings, no staff request after it', async () => {
    await signIn(page, api.url, TEST_ADMIN_TOKEN)
    expect(await open(`/epci/${SIREN}`)).toBe('ready')
    expect((await mapShows()).buildings).toBeGreaterThan(39)
    exchanges.length = 0
    await page.click('#sign-out')
    await waitForExpression(page, "document.body.dataset.role === 'public' && document.body.dataset.state === 'ready'", { timeout: 60_000 })
    expect(exchanges.find((e) => e.path === '/auth/session')).toEqual({ method: 'DELETE', path: '/auth/session', status: 204 })
    const shown = await mapShows()
    expect(shown.buildings).toBe(0)
    expect(shown.sources).not.toContain('sensors')
    expect(shown.deck).toBe('0')
    expect(await page.locator('#public-notice').count()).toBe(1)
    expect(await page.locator('#epci-indicators').count()).toBe(0)
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('sign-in-open')
    // After the DELETE, the page asked only public data.
    const after = exchanges.slice(exchanges.findIndex((e) => e.path === '/auth/session') + 1)
    expect(after.filter((e) => STAFF_ONLY.test(e.path))).toEqual([])
    // The cookie is gone: the hub refuses the staff data to this browser now.
    expect((await page.request.get(`${api.url}/api/epci/${SIREN}/buildings`)).status()).toBe(401)
    expect(consoleErrors).toEqual([])
  })

  it('goes back to the public view, saying why, when the session ends while the page is open', async () => {
    await signIn(page, api.url, TEST_ADMIN_TOKEN)
    expect(await open(`/epci/${SIREN}`)).toBe('ready')
    // As if the token had been revoked or had expired: the hub no longer knows this browser.
    await context.clearCookies()
    await page.click(`#panel-content a[data-commune="${AMIENS}"]`)
    await waitForExpression(page, "document.body.dataset.role === 'public' && document.body.dataset.state === 'ready'", { timeout: 60_000 })
    expect(await page.textContent('#alert')).toMatch(/Votre session a expiré ou a été révoquée .* Connectez-vous à nouveau/)
    expect(await page.textContent('#panel-title')).toBe('Connexion nécessaire')
    expect((await mapShows()).buildings).toBe(0)
    expect(await page.textContent('#sign-in-open')).toBe('Se connecter')
  })

  it('keeps an EPCI’s agent to his EPCI: another one’s public data, « Hors de votre périmètre » for a building outside it', async () => {
    const { token } = await createToken(database.db, { label: 'Agent d’Amiens Métropole (test)', role: 'epci_staff', epci: [SIREN], days: 1, actor: 'test' })
    const foreign = (await database.pool.query<{ id: string; siren: string }>(
      `SELECT b.id, c.epci_siren AS siren FROM building b JOIN commune c ON c.insee = b.commune_insee
       WHERE c.epci_siren IS NOT NULL AND c.epci_siren <> $1 ORDER BY b.id LIMIT 1`, [SIREN])).rows[0]!
    await signIn(page, api.url, token)

    // Another EPCI: its card and communes, a note that it is outside the scope; none of its staff data asked.
    expect(await open(`/epci/${foreign.siren}`)).toBe('ready')
    expect(await page.evaluate<string>('document.body.dataset.role')).toBe('epci_staff')
    expect(await page.textContent('#session-user')).toMatch(/Agent d’EPCI/)
    expect(await page.textContent('#outside-scope')).toMatch(/hors de votre périmètre|Hors de votre périmètre/)
    expect((await mapShows()).buildings).toBe(0)
    expect(staffAsked().filter((e) => e.path.startsWith(`/api/epci/${foreign.siren}/`))).toEqual([])
    expect(refused()).toEqual([])

    // His own EPCI: everything.
    expect(await open(`/epci/${SIREN}`)).toBe('ready')
    expect((await mapShows()).buildings).toBeGreaterThan(39)
    expect(await page.locator('#epci-indicators').count()).toBe(1)

    // A building outside his scope (the hub answers 404, as if it did not exist): a French message, not a broken panel.
    expect(await open(`/epci/${SIREN}/batiments/${foreign.id}`)).toBe('error')
    expect(await page.textContent('#panel-title')).toBe('Hors de votre périmètre')
    expect(await page.textContent('#alert')).toMatch(/Ce bâtiment est hors de votre périmètre/)
    expect(await page.locator('#panel-content a[data-back]').count()).toBe(1)
    // The one error in the console: the browser's line for that 404.
    expect(consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([])
  })

  it('shows an energy manager his own communes and buildings in an EPCI, on the map too, without asking its EPCI-wide data', async () => {
    // In the EPCI: Amiens' buildings (his commune), one building elsewhere (his too), and one not his.
    const others = (await database.pool.query<{ id: string; polygons: number }>(
      `SELECT b.id, ST_NumGeometries(b.geom)::int AS polygons FROM building b JOIN commune c ON c.insee = b.commune_insee
       WHERE c.epci_siren = $1 AND c.insee <> $2 ORDER BY b.id LIMIT 2`, [SIREN, AMIENS])).rows
    const [his, notHis] = [others[0]!, others[1]!]
    const inAmiens = (await database.pool.query<{ id: string; polygons: number }>(
      `SELECT id, ST_NumGeometries(geom)::int AS polygons FROM building WHERE commune_insee = $1 ORDER BY id`, [AMIENS])).rows
    expect(inAmiens.length).toBeGreaterThan(0)
    const mine = [...inAmiens, his]
    const { token } = await createToken(database.db, { label: 'Économe de flux d’Amiens (test)', role: 'energy_manager', communes: [AMIENS], buildings: [his.id], days: 1, actor: 'test' })
    await signIn(page, api.url, token)
    expect(await open(`/epci/${SIREN}?couches=3d`)).toBe('ready')
    expect(await page.textContent('#session-user')).toMatch(/Économe de flux/)
    expect(await page.textContent('#own-scope')).toMatch(/Votre périmètre dans cet EPCI/)
    // The EPCI's buildings asked (the hub answers his only), never its indicators or live stream.
    expect(exchanges.filter((e) => /\/api\/epci\/[^/]+\/(buildings|indicators|live)/.test(e.path)))
      .toEqual([{ method: 'GET', path: `/api/epci/${SIREN}/buildings`, status: 200 }])

    // Drawn: his buildings, footprints and dots (MapLibre) and extrusions (deck.gl), and no other.
    const drawn = (layer: string) => page.evaluate<string[]>(`[...new Set(window.territoireMap.queryRenderedFeatures({ layers: ['${layer}'] }).map((f) => f.properties.id))].sort()`)
    const expected = mine.map((b) => b.id).sort()
    expect(await drawn('buildings-fill')).toEqual(expected)
    expect(await drawn('buildings-points')).toEqual(expected)
    expect(await drawn('buildings-fill')).not.toContain(notHis.id)
    expect(Number(await page.evaluate<string>('document.body.dataset.buildings3d'))).toBe(mine.reduce((n, b) => n + b.polygons, 0))
    // Listed in the panel, each linking to its panel; not the others.
    expect(await page.locator(`#own-scope a[data-building="${his.id}"]`).count()).toBe(1)
    expect(await page.locator(`#own-scope a[data-building="${inAmiens[0]!.id}"]`).count()).toBe(1)
    expect(await page.locator(`#panel-content a[data-building="${notHis.id}"]`).count()).toBe(0)
    expect(refused()).toEqual([])

    // His building's panel, from the list: the map flies to it (it is drawn).
    await page.click(`#own-scope a[data-building="${his.id}"]`)
    await waitForExpression(page, `document.body.dataset.state === 'ready' && location.pathname === '/epci/${SIREN}/batiments/${his.id}'`, { timeout: 60_000 })
    expect(await page.textContent('#panel-title')).not.toBe('Hors de votre périmètre')
    expect(await page.evaluate<number>('window.territoireMap.getZoom()')).toBeGreaterThanOrEqual(15)
    // His commune's panel opens from the list.
    expect(await open(`/epci/${SIREN}`)).toBe('ready')
    await page.click(`#own-scope a[data-commune="${AMIENS}"]`)
    await waitForExpression(page, `document.body.dataset.state === 'ready' && location.pathname === '/epci/${SIREN}/communes/${AMIENS}'`, { timeout: 60_000 })
    expect(await page.textContent('#panel-title')).toBe('Amiens (80021)')
    expect(exchanges.filter((e) => /\/api\/epci\/[^/]+\/(indicators|live)/.test(e.path))).toEqual([])
    expect(refused()).toEqual([])
    expect(consoleErrors).toEqual([])
  })

  it('shows an energy manager an EPCI where he has nothing as such: the hub’s 404 is “none of yours here”, not an error', async () => {
    const foreign = (await database.pool.query<{ siren: string }>(
      `SELECT siren FROM epci WHERE siren <> $1 AND EXISTS (SELECT 1 FROM commune c WHERE c.epci_siren = epci.siren) ORDER BY siren LIMIT 1`, [SIREN])).rows[0]!
    const { token } = await createToken(database.db, { label: 'Économe de flux (test)', role: 'energy_manager', communes: [AMIENS], buildings: [BUILDING], days: 1, actor: 'test' })
    await signIn(page, api.url, token)
    // His building's EPCI is not known beforehand: the page asks, the hub answers 404.
    expect(await open(`/epci/${foreign.siren}`)).toBe('ready')
    expect(exchanges.filter((e) => e.path.startsWith(`/api/epci/${foreign.siren}/`))).toEqual([{ method: 'GET', path: `/api/epci/${foreign.siren}/buildings`, status: 404 }])
    expect(await page.textContent('#own-scope')).toMatch(/Aucune commune ni aucun bâtiment de cet EPCI n’est dans votre périmètre/)
    expect(await page.textContent('#alert')).toBe('')
    expect(await page.evaluate<number>("window.territoireMap.queryRenderedFeatures({ layers: ['buildings-fill'] }).length")).toBe(0)
    // The one error in the console: the browser's own line for that 404 (none from the page).
    expect(consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([])
  })
})
