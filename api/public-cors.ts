/**
 * CORS, deliberately: the open data is readable from any site, the rest from none.
 *
 * The open-data paths (OGC API – Features, downloads, the DCAT catalogue, the datasets list,
 * vector tiles and TileJSON, the OpenAPI description) answer GET and HEAD with
 * `Access-Control-Allow-Origin: *` — never with credentials, so a browser sends no cookie and no
 * Authorization through it — and their preflight with 204. Every other path (the hypervisor's
 * JSON, writes, /health, /metrics, the page) sends no CORS header: a browser on another site
 * cannot read it, and cannot send a write that needs a preflight.
 */
import type { RequestHandler } from 'express'
import { OGC_PREFIX } from './ogc/index.ts'

/** Each path, and everything under it (`/tiles` and `/tiles/…`), is open data. */
export const PUBLIC_PATHS: readonly string[] = [OGC_PREFIX, '/download', '/catalog', '/api/datasets', '/tiles', '/openapi.json']

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Request headers a cross-site reader may send: content negotiation and revalidation. */
const ALLOWED_HEADERS = 'Accept, Accept-Language, If-None-Match, If-Modified-Since'
/** Response headers it may read beyond the safelisted ones: revalidation, and when to retry a 429. */
const EXPOSED_HEADERS = 'ETag, Retry-After'

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`))
}

export const publicCors: RequestHandler = (req, res, next) => {
  if (!READ_METHODS.has(req.method) || !isPublicPath(req.path)) return next()
  // The same value whatever the Origin: no Vary needed, caches may share the answer.
  res.setHeader('Access-Control-Allow-Origin', '*')
  if (req.method !== 'OPTIONS') {
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS)
    return next()
  }
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
  res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS)
  res.setHeader('Access-Control-Max-Age', '86400')
  res.setHeader('Allow', 'GET, HEAD, OPTIONS')
  res.status(204).end()
}
