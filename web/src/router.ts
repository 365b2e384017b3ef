/**
 * The page's routes: `/` (whole département, nothing selected), `/epci/{siren}`,
 * `/epci/{siren}/batiments/{id}` (a building's panel; `?periode=7|30|annee`) and
 * `/epci/{siren}/communes/{insee}` (a commune's panel, its buildings ranked). The API serves
 * index.html for all of them, so deep links and reloads land here.
 */

const ROUTE = /^\/epci\/([^/]+)(?:\/(batiments|communes)\/([^/]+))?\/?$/

/** The SIREN in the current path, null for `/`. Any text after /epci/ is returned as is
 * (the API then answers "unknown EPCI", which the page shows as a message). */
export function sirenFromPath(pathname: string = location.pathname): string | null {
  const match = ROUTE.exec(pathname)
  return match ? decodeURIComponent(match[1]!) : null
}

/** The building of `/epci/{siren}/batiments/{id}`, else null. */
export function buildingFromPath(pathname: string = location.pathname): string | null {
  const match = ROUTE.exec(pathname)
  return match?.[2] === 'batiments' ? decodeURIComponent(match[3]!) : null
}

/** The commune of `/epci/{siren}/communes/{insee}`, else null. */
export function communeFromPath(pathname: string = location.pathname): string | null {
  const match = ROUTE.exec(pathname)
  return match?.[2] === 'communes' ? decodeURIComponent(match[3]!) : null
}

export function pathForCommune(siren: string, insee: string): string {
  return `${pathForSiren(siren)}/communes/${encodeURIComponent(insee)}`
}

export function pathForSiren(siren: string | null): string {
  return siren === null ? '/' : `/epci/${encodeURIComponent(siren)}`
}

export function pathForBuilding(siren: string, building: string): string {
  return `${pathForSiren(siren)}/batiments/${encodeURIComponent(building)}`
}

/** Pushes a history entry unless the URL is already that one (re-selecting must not stack entries). */
export function navigate(siren: string | null): void {
  navigateTo(pathForSiren(siren))
}

export function navigateTo(path: string): void {
  if (location.pathname + location.search !== path) history.pushState({}, '', path)
}

export function onRouteChange(listener: (siren: string | null) => void): void {
  window.addEventListener('popstate', () => listener(sirenFromPath()))
}
