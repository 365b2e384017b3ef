/**
 * Security headers on every response, set before anything else answers (cached tiles included).
 * Two Content-Security-Policies: API answers (JSON, tiles, downloads) load nothing, so theirs
 * forbids everything; the page and its assets get the page's own policy (web-routes.ts), which
 * lets MapLibre, deck.gl and uPlot work and nothing more. No dependency: five fixed headers do not
 * need helmet, and its defaults (Cross-Origin-Resource-Policy: same-origin among them) would have
 * to be undone for the open data anyway.
 */
import type { RequestHandler } from 'express'

/** Of every response that is not the page: nothing may be loaded, nothing may frame it. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"

/**
 * The page's policy. Scripts only from the hub (no inline script: Vite emits none); MapLibre's
 * worker from the hub, or from a blob: URL where MapLibre builds one; images also from data: and
 * blob: (MapLibre's control icons, decoded sprites); inline styles because MapLibre, deck.gl and
 * uPlot set style attributes on the elements they create; requests to the hub only.
 *
 * With an external basemap (BASEMAP_STYLE_URL), the style's origin is allowed for requests and
 * images, and so is any https: host: a style names its tiles, glyphs and sprites by URL, often on
 * other hosts than the style (a CDN, a glyph server) that the hub cannot know in advance. An
 * http: basemap is allowed on its own origin only. Without a basemap the page talks to the hub alone.
 */
export function pageContentSecurityPolicy(basemapStyleUrl: string | null): string {
  const origin = basemapOrigin(basemapStyleUrl)
  const external = origin ? [origin, 'https:'] : []
  const sources = (...list: string[]) => [...new Set(list)].join(' ')
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    `img-src ${sources("'self'", 'data:', 'blob:', ...external)}`,
    "style-src 'self' 'unsafe-inline'",
    `connect-src ${sources("'self'", ...external)}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** The basemap's origin, serialised by URL (no space or quote can reach the header); null: none usable. */
function basemapOrigin(url: string | null): string | null {
  if (!url || !URL.canParse(url)) return null
  const parsed = new URL(url)
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null
}

/** The headers every response carries (the page's CSP replaces the API one on the page's answers). */
const HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  // The origin only, and nothing from https to http: a basemap provider that restricts its keys
  // by site still sees which site asks, never the page's path (an EPCI, a building).
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  // frame-ancestors for browsers that read CSP, X-Frame-Options for those that do not.
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy', API_CONTENT_SECURITY_POLICY],
]

export const securityHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of HEADERS) res.setHeader(name, value)
  next()
}
