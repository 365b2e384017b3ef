/**
 * The page's two routes: `/` (whole département, nothing selected) and `/epci/{siren}`.
 * The API serves index.html for both, so deep links and reloads land here.
 */

/** The SIREN in the current path, null for `/`. Any text after /epci/ is returned as is
 * (the API then answers "unknown EPCI", which the page shows as a message). */
export function sirenFromPath(pathname: string = location.pathname): string | null {
  const match = /^\/epci\/([^/]+)\/?$/.exec(pathname)
  return match ? decodeURIComponent(match[1]!) : null
}

export function pathForSiren(siren: string | null): string {
  return siren === null ? '/' : `/epci/${encodeURIComponent(siren)}`
}

/** Pushes a history entry unless the URL is already that one (re-selecting must not stack entries). */
export function navigate(siren: string | null): void {
  const path = pathForSiren(siren)
  if (location.pathname !== path) history.pushState({ siren }, '', path)
}

export function onRouteChange(listener: (siren: string | null) => void): void {
  window.addEventListener('popstate', () => listener(sirenFromPath()))
}
