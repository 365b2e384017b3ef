import type { IncomingMessage, ServerResponse } from 'node:http'
import { Router, type RequestHandler, type Response } from 'express'
import type { Scope } from '../../core/index.ts'
import { accessScope, PUBLIC_SCOPE } from '../auth/index.ts'
import { baseUrl, DEFAULT_OPEN_DATA, type OpenDataOptions } from '../base-url.ts'
import type { Tile, TileService } from './tile-service.ts'

/** A tile address written canonically (no leading zeros): the only form the cache is keyed by. */
const TILE_PATH = /^\/tiles\/([a-z][a-z-]*)\/(0|[1-9]\d{0,1})\/(0|[1-9]\d{0,9})\/(0|[1-9]\d{0,9})\.mvt(?:\?|$)/

/**
 * Cached tiles, answered before the rest of the application: the warm path of a map's most
 * frequent request does no routing, no parsing beyond the path, and no query. The scope is
 * decided by the same function as on the routes (`layerScope`), after the caller was
 * authenticated. Anything else — a miss, a malformed address, another method — goes on to the
 * routes below.
 */
export function cachedTiles(tiles: TileService): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const match = TILE_PATH.exec(req.url)
    if (!match || !tiles.sources.some((s) => s.id === match[1])) return next()
    const tile = tiles.cached(match[1]!, Number(match[2]), Number(match[3]), Number(match[4]), layerScope(tiles, match[1]!, res))
    if (!tile) return next()
    sendTile(req, res, tile, tiles.cacheControl(match[1]!))
  }
}

/**
 * What a layer's tiles show the caller: a public layer, the same to everyone; a staff layer, the
 * caller's scope — and a 401 for the public. An unknown layer is left to the routes' 404.
 */
function layerScope(tiles: TileService, layer: string, res: Response): Scope {
  const source = tiles.sources.find((s) => s.id === layer)
  return source ? accessScope(source.access, `the layer ${layer}`, res) : PUBLIC_SCOPE
}

/**
 * The answer for a tile: 304 on a matching If-None-Match, 204 when empty, else its bytes —
 * gzip-compressed for a client that accepts it (each encoding has its own strong ETag).
 */
function sendTile(req: IncomingMessage, res: ServerResponse, tile: Tile, cacheControl: string): void {
  const gzip = tile.gzip !== null && acceptsGzip(req.headers['accept-encoding'])
  const etag = gzip ? tile.gzipEtag : tile.etag
  res.setHeader('Cache-Control', cacheControl)
  res.setHeader('Vary', 'Accept-Encoding')
  res.setHeader('ETag', etag)
  const match = req.headers['if-none-match']
  if (match !== undefined && (match === etag || match.split(/\s*,\s*/).includes(etag))) {
    res.statusCode = 304
    res.end()
    return
  }
  if (tile.body.length === 0) {
    res.statusCode = 204
    res.end()
    return
  }
  const body = gzip ? tile.gzip! : tile.body
  res.setHeader('Content-Type', 'application/vnd.mapbox-vector-tile')
  if (gzip) res.setHeader('Content-Encoding', 'gzip')
  res.setHeader('Content-Length', body.length)
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** Whether an Accept-Encoding header allows gzip (listed, or `*`, without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  let star = false
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const allowed = q === undefined || Number(q.slice(2)) > 0
    if (name.trim() === 'gzip') return allowed
    if (name.trim() === '*') star = allowed
  }
  return star
}

/**
 * Vector tiles: `/tiles/{layer}.json` (TileJSON 3.0) and `/tiles/{layer}/{z}/{x}/{y}.mvt`.
 * Every tile has a strong ETag (of its bytes, computed once per cache entry) and a 304 on a
 * matching If-None-Match. `Cache-Control` is `no-cache` for the live layers (sensors, buildings)
 * and `max-age=60` for the imported ones (docs/tiles.md). An empty tile is a 204 No Content,
 * which MapLibre draws as an empty tile, as Martin does.
 */
export function tileRoutes(tiles: TileService, urls: OpenDataOptions = DEFAULT_OPEN_DATA): Router {
  const router = Router()
  router.get('/tiles', (req, res) => {
    res.json(tiles.sources.map((s) => ({ id: s.id, description: s.description, access: s.access, tilejson: `${baseUrl(req, urls)}/tiles/${s.id}.json` })))
  })
  router.get('/tiles/:layer.json', async (req, res) => {
    res.json(await tiles.tileJson(req.params.layer, baseUrl(req, urls), layerScope(tiles, req.params.layer, res)))
  })
  router.get('/tiles/:layer/:z/:x/:y.mvt', async (req, res) => {
    const { layer, z, x, y } = req.params
    const address = tiles.address(layer, z, x, y)
    const tile = await tiles.tile(layer, address, layerScope(tiles, layer, res))
    sendTile(req, res, tile, tiles.cacheControl(layer))
  })
  return router
}
