/**
 * Territoire's hypervisor page: wires the EPCI picker, the map, the side panel and the
 * provenance note to the routes `/` and `/epci/{siren}`, for who is looking — the public, or a
 * signed-in agent within his scope (access.ts, auth-client.ts).
 *
 * Test hook (see web/README.md): `window.territoireMap` is the MapLibre map, and
 * `document.body.dataset.state` goes 'loading' → 'ready' (or 'error') each time a route is
 * shown, once its data are in the panel and the map is idle after fitting to them;
 * `document.body.dataset.role` is the session's role ('public' when not signed in).
 */
import './style.css'
import type * as maplibregl from 'maplibre-gl'
import { asksOwnBuildings, epciAccess, seesCommune, seesStaffLayers, type EpciAccess } from './access.ts'
import {
  ApiError,
  getEpci,
  getEpciBuildings,
  listDatasets,
  listEpci,
  SESSION_LOST,
  setUnauthorizedHandler,
  unknownEpciMessage,
  type Bbox,
  type BuildingCollection,
  type EpciDetail,
  type EpciSummary,
} from './api-client.ts'
import { getSession, isStaff, PUBLIC_SESSION, signOut, SignInError, type Session } from './auth-client.ts'
import { byId } from './dom.ts'
import { EpciPanel, outsideText, type EpciView, type RestrictedKind } from './epci-panel.ts'
import { EpciPicker } from './epci-picker.ts'
import { plural } from './format.ts'
import { Buildings3d, buildingStatus, EXTRUDE_FROM_ZOOM } from './buildings-3d.ts'
import { choropleth } from './choropleth.ts'
import { renderChoroplethLegend, renderLegend, type LayerToggles } from './legend.ts'
import type { TerritoryIndicators } from './indicators-client.ts'
import { Messages } from './messages.ts'
import { renderProvenance, renderProvenanceSummary, renderProvenanceUnavailable } from './provenance.ts'
import { BuildingPanel, type PeriodChoice } from './building-panel.ts'
import { CommunePanel } from './commune-panel.ts'
import { getEpciIndicators, getOpenAlerts } from './indicators-client.ts'
import { connectLive, type LiveConnection } from './live-client.ts'
import { buildingFromPath, communeFromPath, navigate, navigateTo, onRouteChange, pathForBuilding, pathForSiren, sirenFromPath } from './router.ts'
import { SessionBar } from './session-bar.ts'
import { SignInDialog } from './sign-in-dialog.ts'
import { pageBasemapStyleUrl, TerritoryMap } from './territory-map.ts'

declare global {
  interface Window {
    /** The MapLibre map, for end-to-end tests (queryRenderedFeatures). */
    territoireMap?: maplibregl.Map
    /** The deck.gl buildings layer, for end-to-end tests and bench:web. */
    territoireBuildings3d?: Buildings3d
  }
}

type PageState = 'loading' | 'ready' | 'error'

const messages = new Messages()
const buildingPanel = new BuildingPanel(byId('panel-content'))
const communePanel = new CommunePanel(byId('panel-content'))
/** Who is looking: the public until /auth/me says otherwise. */
let session: Session = PUBLIC_SESSION
const signInDialog = new SignInDialog(async () => {
  const next = await getSession()
  // The hub accepted the token but the page has no session: its cookie did not stick.
  if (!isStaff(next)) throw new SignInError('La session n’a pas pu être ouverte : votre navigateur refuse peut-être les cookies de ce site.', 0)
  sessionNotice = null
  return applySession(next)
})
const openSignIn = (opener: HTMLElement | null): void => signInDialog.open(opener, session.oidcLogin)
const sessionBar = new SessionBar(byId('session'), { onSignIn: openSignIn, onSignOut: () => void endSession() })
const panel = new EpciPanel(byId('panel-content'), { onBuildingChosen: (id) => territoryMap?.focusBuilding(id), onSignIn: openSignIn })
const picker = new EpciPicker(
  {
    form: byId<HTMLFormElement>('epci-form'),
    filter: byId<HTMLInputElement>('epci-filter'),
    select: byId<HTMLSelectElement>('epci-select'),
    count: byId('epci-filter-count'),
  },
  (siren) => {
    navigate(siren)
    void show(siren)
  },
)

let epcis: readonly EpciSummary[] = []
let territoryBounds: Bbox | null = null
/** An error that outlives a route change (the EPCI list could not be loaded). */
let startupError: string | null = null
/** Said again on every route once the external basemap failed: the map shows its own layers only. */
let basemapNotice: string | null = null
let listFailed = false
let territoryMap: TerritoryMap | null = null
let buildings3d: Buildings3d | null = null
/** Each show() takes a number; a slower, older one must not overwrite a newer one. */
let generation = 0
let inFlight: AbortController | null = null
let tileErrorShown = false
let sensorsReload: ReturnType<typeof setTimeout> | null = null
/** The live stream of the EPCI shown, and its SIREN. */
let live: { readonly siren: string; readonly connection: LiveConnection } | null = null
/** Said once, on the next route: the session ended (SESSION_LOST). */
let sessionNotice: string | null = null
let expiry: ReturnType<typeof setTimeout> | null = null
let checkingSession = false

/** Follows the EPCI's live stream (new values reach the building panel), or none. */
function followLive(siren: string | null): void {
  if (live?.siren === siren) return
  live?.connection.close()
  live = siren === null ? null : {
    siren,
    connection: connectLive(siren, (reading) => {
      buildingPanel.updateReading(reading)
      refreshStatusSoon(siren)
      // The sensors on the map: their tiles asked again, at most twice a second.
      if (applied.sensors && sensorsReload === null) {
        sensorsReload = setTimeout(() => {
          sensorsReload = null
          territoryMap?.reloadSource('sensors')
        }, 500)
      }
    }, (alert) => {
      messages.info(`Nouvelle alerte : ${alert.reason}`)
      void showAlerts(siren)
      refreshStatusSoon(siren)
    }, () => void checkSession()),
  }
}

/**
 * Takes a session into the page: the header, the legend and « Couches », the map's staff layers,
 * then the current route again (its panels and map data, as this caller may see them). Resolves
 * once the header is drawn, with its button (the focus goes there after signing in or out); the
 * route follows (body[data-state]).
 */
function applySession(next: Session): HTMLButtonElement {
  session = next
  document.body.dataset.role = session.role
  const button = sessionBar.render(session)
  renderLayers()
  const tilted = applied.buildings3d
  applyLayers(layersFromSearch())
  if (tilted !== applied.buildings3d) territoryMap?.allowTilt(applied.buildings3d, EXTRUDE_FROM_ZOOM)
  if (expiry !== null) clearTimeout(expiry)
  expiry = null
  const ends = session.expiresAt === null ? NaN : Date.parse(session.expiresAt)
  // At its end, the session is checked (and the public view shown): not a 401 at the next click.
  if (isStaff(session) && Number.isFinite(ends)) expiry = setTimeout(() => void checkSession(), Math.min(Math.max(ends - Date.now() + 1000, 0), 2 ** 31 - 1))
  void show(sirenFromPath())
  return button
}

/** « Se déconnecter »: the hub clears the cookie, the page goes back to the public view. */
async function endSession(): Promise<void> {
  try {
    await signOut()
  } catch (error) {
    messages.error(error instanceof SignInError ? error.message : 'La déconnexion a échoué. Réessayez dans un instant.')
    return
  }
  sessionNotice = null
  const button = applySession(await getSession())
  button.focus()
  messages.info('Vous êtes déconnecté : la carte montre la vue publique.')
}

/**
 * Something answered 401, or the live stream was refused, or the session's end has come: if the
 * hub no longer knows the session, back to the public view, saying why. Its cookie is cleared
 * first (a dead session's cookie must not ride on the public requests).
 */
async function checkSession(): Promise<void> {
  if (!isStaff(session) || checkingSession) return
  checkingSession = true
  try {
    const now = await getSession()
    if (isStaff(now)) return
    await signOut().catch(() => undefined)
    sessionNotice = SESSION_LOST
    applySession(now)
  } finally {
    checkingSession = false
  }
}

/** The legend and « Couches » for the session: the public layers only, or all of them. */
function renderLayers(): void {
  renderLegend(byId('legend'), layersFromSearch(), (toggles) => {
    const url = new URL(location.href)
    const names = (Object.keys(LAYER_NAMES) as (keyof typeof LAYER_NAMES)[]).filter((k) => toggles[k]).map((k) => LAYER_NAMES[k])
    if (names.length > 0) url.searchParams.set('couches', names.join(','))
    else url.searchParams.delete('couches')
    if (toggles.communes) url.searchParams.set('communes', toggles.communes)
    else url.searchParams.delete('communes')
    if (toggles.buildingColoring === 'status') url.searchParams.set('batiments', 'etat')
    else url.searchParams.delete('batiments')
    history.replaceState(history.state, '', url.pathname + url.search)
    const before = applied
    applyLayers(toggles)
    if (before.buildings3d !== applied.buildings3d) territoryMap?.allowTilt(applied.buildings3d, EXTRUDE_FROM_ZOOM)
  }, seesStaffLayers(session))
}

function setState(state: PageState): void {
  document.body.dataset.state = state
}

/**
 * Why an OpenID Connect sign-in failed, when the hub sent the browser back with
 * `?connexion=echec&motif=…` (api/auth/oidc-login.ts): said once, then taken out of the address.
 */
const OIDC_FAILURES: Readonly<Record<string, string>> = {
  session: 'La connexion a expiré ou a été interrompue avant la fin : recommencez.',
  annule: 'La connexion a été annulée auprès du fournisseur d’identité.',
  fournisseur: 'Le fournisseur d’identité n’a pas pu être joint ou a refusé la connexion : réessayez dans un instant.',
  jeton: 'L’identité renvoyée par le fournisseur n’a pas pu être vérifiée : la connexion a échoué.',
  acces: 'Votre compte n’a pas de rôle ni de périmètre dans Territoire : demandez un accès à l’opérateur.',
}

function oidcFailureFromAddress(): string | null {
  const params = new URLSearchParams(window.location.search)
  if (params.get('connexion') !== 'echec') return null
  const reason = params.get('motif') ?? ''
  params.delete('connexion')
  params.delete('motif')
  const search = params.toString()
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`)
  return Object.hasOwn(OIDC_FAILURES, reason) ? OIDC_FAILURES[reason]! : 'La connexion a échoué.'
}

async function start(): Promise<void> {
  setState('loading')
  sessionNotice = oidcFailureFromAddress()
  // A 401 means the session ended: the page only asks staff endpoints with one.
  setUnauthorizedHandler(() => void checkSession())
  const sessionLoaded = getSession()
  const provenance = byId('provenance')
  // The static text in index.html already says what is real and what is synthetic; the API's
  // list replaces it with titles, sources and licences (or stays if the call fails).
  void listDatasets().then(
    (datasets) => {
      renderProvenance(provenance, datasets)
      renderProvenanceSummary(byId('provenance-summary'), datasets)
    },
    () => renderProvenanceUnavailable(provenance),
  )

  try {
    epcis = await listEpci()
    territoryBounds = unionOf(epcis.map((e) => e.bbox))
  } catch (error) {
    listFailed = true
    startupError = errorMessage(error)
    messages.error(startupError)
  }
  picker.setEpcis(epcis)
  session = await sessionLoaded
  document.body.dataset.role = session.role
  sessionBar.render(session)
  renderLayers()

  try {
    // Start on the linked EPCI if there is one: no tiles fetched for a view left at once.
    const linked = epcis.find((e) => e.siren === sirenFromPath())
    territoryMap = new TerritoryMap(byId('map'), {
      initialBounds: linked?.bbox ?? territoryBounds,
      onLoadError: onMapError,
      epciName: (siren) => epcis.find((e) => e.siren === siren)?.nom,
      seesCommune: (siren, insee) => seesCommune(session, siren, insee),
      basemapStyleUrl: pageBasemapStyleUrl(),
      onBasemapUnavailable: () => {
        basemapNotice = 'Le fond de carte externe n’a pas pu être chargé (pas d’accès à internet ?) : la carte affiche les couches du territoire sans fond de plan.'
        if (!messages.hasError()) messages.error(basemapNotice)
      },
    })
    window.territoireMap = territoryMap.map
    buildings3d = new Buildings3d(territoryMap.map)
    applyLayers(layersFromSearch())
    window.territoireBuildings3d = buildings3d
  } catch {
    // No WebGL (old browser, disabled GPU): the panel and provenance still work.
    startupError = 'La carte ne peut pas s’afficher dans ce navigateur (WebGL indisponible). Les informations restent consultables dans le panneau.'
    messages.error(startupError)
  }

  onRouteChange((siren) => void show(siren))
  await show(sirenFromPath())
}

/** Shows a route: `null` is the overview, otherwise an EPCI by SIREN. */
async function show(siren: string | null): Promise<void> {
  const current = ++generation
  inFlight?.abort()
  const controller = new AbortController()
  inFlight = controller
  setState('loading')
  tileErrorShown = false
  if (startupError) messages.error(startupError)
  else if (sessionNotice) messages.error(sessionNotice)
  else if (basemapNotice) messages.error(basemapNotice)
  else messages.clearError()
  sessionNotice = null
  picker.setValue(siren)
  /** Set when the route asks what the caller may not see: the page says so (state 'error'). */
  let refused = false

  try {
    if (siren === null) {
      showOverview()
    } else {
      // The list is the caller's whole scope: a SIREN missing from it is unknown, no need to ask
      // (and no 404 in the console). Without a list, the API decides.
      if (epcis.length > 0 && !epcis.some((e) => e.siren === siren)) throw new ApiError(unknownEpciMessage(siren), 404)
      panel.showLoading(epcis.find((e) => e.siren === siren))
      messages.info('Chargement de l’EPCI…')
      // Only what this caller may see is asked: the public view asks no staff endpoint.
      const access = epciAccess(session, siren)
      const full = access === 'full'
      const commune = communeFromPath()
      const building = buildingFromPath()
      const [epci, epciBuildings, indicators] = await Promise.all([
        getEpci(siren, controller.signal),
        full ? getEpciBuildings(siren, controller.signal) : null,
        // Not essential to the view: missing indicators are said in the panel, not an error.
        full ? getEpciIndicators(siren, new Date().getFullYear(), controller.signal).catch(() => null) : null,
      ])
      if (current !== generation) return
      followLive(full ? siren : null)
      // An energy manager's buildings in this EPCI (his communes' and his own): drawn and listed too.
      const own = access === 'own' ? await ownBuildings(epci, controller.signal) : null
      if (current !== generation) return
      const buildings = epciBuildings ?? own
      const view: EpciView = epciBuildings !== null
        ? { access: 'full', buildings: epciBuildings, indicators }
        : access === 'own' ? { access, communes: session.scope === 'all' ? [] : session.scope.communes, buildings: own ?? NO_BUILDINGS } : { access: access === 'full' ? 'outside' : access }
      panel.showEpci(epci, view)
      // Each building's intensity since 1 January (the EPCI's ranking): the 3D layer's colour, and the map's with it on.
      const intensity = new Map((indicators?.intensity.ranking ?? []).map((r) => [r.id, r.energy_kwh_per_m2_year]))
      shownIntensity = intensity
      buildings3d?.setBuildings(buildings, intensity)
      territoryMap?.showEpci(epci, buildings === null ? NO_BUILDINGS : mapBuildings(buildings), territoryBounds)
      shownIndicators = indicators
      applyChoropleth()
      if (full) void showAlerts(siren)
      else territoryMap?.setAlertBuildings([])
      document.title = `${epci.nom} — Territoire`
      messages.info(buildings === null
        ? `${epci.nom} affiché : ${plural(epci.membersLoaded, 'commune')}.`
        : own !== null
          ? `${epci.nom} affiché : ${plural(epci.membersLoaded, 'commune')}, ${plural(own.features.length, 'bâtiment')} de votre périmètre.`
          : `${epci.nom} affiché : ${plural(epci.membersLoaded, 'commune')}, ${plural(buildings.features.length, 'bâtiment')} de démonstration.`)
      /** A sub-panel the caller may not see: a message in the panel and in #alert, the EPCI still on the map. */
      const restrict = (kind: RestrictedKind, why: EpciAccess): void => {
        panel.showRestricted(kind, why, pathForSiren(siren))
        if (why === 'public') {
          document.title = `Connexion nécessaire — Territoire`
          messages.info('Connexion nécessaire pour voir ce détail.')
        } else {
          refused = true
          document.title = `Hors de votre périmètre — Territoire`
          messages.error(outsideText(kind))
        }
      }
      if (commune !== null) {
        if (!seesCommune(session, siren, commune)) restrict('commune', access === 'own' ? 'outside' : access)
        else {
          const nom = await orOutside(communePanel.show(siren, commune, pathForSiren(siren), controller.signal))
          if (current !== generation) return
          if (nom === OUTSIDE) restrict('commune', 'outside')
          else {
            document.title = `${nom} — Territoire`
            messages.info(`${nom} affichée : ses bâtiments classés par intensité.`)
          }
        }
      }
      if (building !== null && (access === 'public' || access === 'outside')) restrict('building', access)
      else if (building !== null) {
        const period = periodFromSearch()
        const shown = await orOutside(buildingPanel.show(building, period, {
          epciPath: pathForSiren(siren),
          onPeriodChange: (next) => {
            navigateTo(withLayers(`${pathForBuilding(siren, building)}?periode=${next === 'year' ? 'annee' : next}`))
            // The panel is drawn again: the focus goes back to the period chosen, not to the page.
            void show(siren).then(() => document.getElementById('building-period')?.focus())
          },
        }, controller.signal))
        if (current !== generation) return
        if (shown === OUTSIDE) restrict('building', 'outside')
        else {
          territoryMap?.focusBuilding(building, false)
          document.title = `${shown.building.nom} — Territoire`
          messages.info(`${shown.building.nom} affiché.`)
        }
      }
    }
    await territoryMap?.settled()
    if (current === generation) setState(startupError || refused ? 'error' : 'ready')
  } catch (error) {
    if (current !== generation || controller.signal.aborted) return
    // The session ended (401): checkSession() shows the route again, as the public sees it.
    if (error instanceof ApiError && error.status === 401 && isStaff(session)) return
    // Never a blank page: say what went wrong, and fall back to the overview.
    messages.error(errorMessage(error))
    showOverview()
    await territoryMap?.settled()
    if (current === generation) setState('error')
  }
}

const NO_BUILDINGS: BuildingCollection = { type: 'FeatureCollection', features: [] }
const OUTSIDE = Symbol('outside the scope')

/** A staff panel's load, its 404 (outside the caller's scope: the hub answers as if it did not exist) as OUTSIDE. */
async function orOutside<T>(load: Promise<T>): Promise<T | typeof OUTSIDE> {
  try {
    return await load
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return OUTSIDE
    throw error
  }
}

/**
 * An energy manager's buildings in this EPCI: the hub answers the EPCI's buildings row by row (his
 * communes' and his own), and 404 when none of his is there — "none of yours here", not an error.
 * Not asked when the page knows there is none (asksOwnBuildings).
 */
async function ownBuildings(epci: EpciDetail, signal: AbortSignal): Promise<BuildingCollection> {
  if (!asksOwnBuildings(session, epci)) return NO_BUILDINGS
  const buildings = await orOutside(getEpciBuildings(epci.siren, signal))
  return buildings === OUTSIDE ? NO_BUILDINGS : buildings
}

function showOverview(): void {
  followLive(null)
  territoryMap?.setAlertBuildings([])
  shownIndicators = null
  applyChoropleth()
  buildings3d?.setBuildings(null, new Map())
  panel.showOverview(epcis, listFailed, !isStaff(session))
  territoryMap?.showOverview(territoryBounds)
  document.title = 'Territoire — hyperviseur territorial'
  messages.info(epcis.length ? 'Vue d’ensemble du territoire : choisissez un EPCI.' : '')
}

function onMapError(error: { readonly message: string; readonly status?: number }): void {
  // A staff layer's tiles refused: the session may have ended (checked; the public view follows if so).
  if (error.status === 401) return void checkSession()
  // One message per route: a hub that went down fails every tile.
  if (tileErrorShown) return
  tileErrorShown = true
  console.warn('map:', error.message)
  if (!messages.hasError()) messages.error('Une partie de la carte n’a pas pu être chargée. Vérifiez que le serveur Territoire est joignable, puis rechargez la page.')
}

function errorMessage(error: unknown): string {
  return error instanceof ApiError ? error.message : 'Une erreur inattendue est survenue. Rechargez la page ; si elle persiste, contactez l’administrateur du hub.'
}

/** The smallest bbox holding all the given ones; null if none. */
function unionOf(boxes: readonly (Bbox | null)[]): Bbox | null {
  let union: Bbox | null = null
  for (const b of boxes) {
    if (!b) continue
    union = union ? [Math.min(union[0], b[0]), Math.min(union[1], b[1]), Math.max(union[2], b[2]), Math.max(union[3], b[3])] : [...b]
  }
  return union
}

/** `path` with the layers turned on kept in its query (a shared link shows the same layers). */
function withLayers(path: string): string {
  const search = new URLSearchParams(location.search)
  const kept = ['couches', 'communes', 'batiments'].filter((k) => search.get(k)).map((k) => `${k}=${encodeURIComponent(search.get(k)!)}`)
  return kept.length === 0 ? path : `${path}${path.includes('?') ? '&' : '?'}${kept.join('&')}`
}

/** The buildings as the map colours them: each with its intensity and its live status. */
function mapBuildings(buildings: BuildingCollection): BuildingCollection {
  return { ...buildings, features: buildings.features.map((f) => ({ ...f, properties: { ...f.properties, intensity: shownIntensity.get(f.properties.id) ?? null, status: buildingStatus(f.properties) } })) }
}

let shownIntensity: ReadonlyMap<string, number | null> = new Map()
let statusRefresh: ReturnType<typeof setTimeout> | null = null

/**
 * With the buildings coloured by live status, what the live stream says (a reading, an alert) may
 * change a building's colour: the EPCI's buildings are asked again, at most every 5 s.
 */
function refreshStatusSoon(siren: string): void {
  if (!applied.buildings3d || applied.buildingColoring !== 'status' || statusRefresh !== null) return
  statusRefresh = setTimeout(() => {
    statusRefresh = null
    void getEpciBuildings(siren).then((buildings) => {
      if (live?.siren !== siren) return
      buildings3d?.setBuildings(buildings, shownIntensity)
      territoryMap?.refreshBuildings(mapBuildings(buildings))
    }, () => undefined)
  }, 5_000)
}

/** Rings the EPCI's buildings with an open alert (failures leave the map as it is). */
async function showAlerts(siren: string): Promise<void> {
  const alerts = await getOpenAlerts({ epci: siren }).catch(() => null)
  if (alerts && live?.siren === siren) territoryMap?.setAlertBuildings([...new Set(alerts.map((a) => a.building.id))])
}

/** The optional layers' names in the URL (`?couches=3d,capteurs,cadastre`). */
const LAYER_NAMES = { buildings3d: '3d', sensors: 'capteurs', cadastre: 'cadastre' } as const
let applied: LayerToggles = { buildings3d: false, buildingColoring: 'intensity', cadastre: false, sensors: false, communes: null }
/** The indicators of the EPCI shown, for the communes' choropleth. */
let shownIndicators: TerritoryIndicators | null = null

/** The layers turned on, from `?couches=` (URL state). */
function layersFromSearch(): LayerToggles {
  const search = new URLSearchParams(location.search)
  const names = (search.get('couches') ?? '').split(',')
  const communes = search.get('communes')
  return {
    buildings3d: names.includes(LAYER_NAMES.buildings3d), sensors: names.includes(LAYER_NAMES.sensors), cadastre: names.includes(LAYER_NAMES.cadastre),
    buildingColoring: search.get('batiments') === 'etat' ? 'status' : 'intensity',
    communes: communes === 'kwh-hab' || communes === 'suivi' ? communes : null,
  }
}

/**
 * The layers asked for, as far as the caller may see them: the public view has the cadastre only
 * (the URL keeps the others, for after a sign-in).
 */
function applyLayers(asked: LayerToggles): void {
  const staff = seesStaffLayers(session)
  const toggles: LayerToggles = staff ? asked : { ...asked, buildings3d: false, sensors: false, communes: null }
  applied = toggles
  buildings3d?.setColoring(toggles.buildingColoring)
  buildings3d?.setVisible(toggles.buildings3d)
  territoryMap?.setBuildingColors(toggles.buildings3d ? toggles.buildingColoring : 'usage')
  territoryMap?.setSensorsLayer(!staff ? 'absent' : toggles.sensors ? 'visible' : 'hidden')
  territoryMap?.setLayersVisible('cadastre', toggles.cadastre)
  applyChoropleth()
}

function applyChoropleth(): void {
  const c = applied.communes && shownIndicators ? choropleth(shownIndicators, applied.communes) : null
  territoryMap?.setChoropleth(c?.colors ?? null)
  renderChoroplethLegend(c)
}

/** The building panel's period, from `?periode=` (URL state: a shared link shows the same period). */
function periodFromSearch(): PeriodChoice {
  const value = new URLSearchParams(location.search).get('periode')
  return value === '7' ? '7' : value === 'annee' ? 'year' : '30'
}

// The EPCI and building links are real links (they open in a new tab, work without JS); a plain
// click navigates in place.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest<HTMLAnchorElement>('a[data-siren], a[data-building], a[data-back], a[data-commune]')
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  const path = new URL(link.href).pathname
  navigateTo(withLayers(path))
  void show(sirenFromPath(path))
  byId('panel-content').focus()
})

void start().catch((error: unknown) => {
  console.error(error)
  messages.error(errorMessage(error))
  setState('error')
})
