import { Router, type Request } from 'express'
import { scopeOf } from '../scope-middleware.ts'
import type { TileService } from './tile-service.ts'

/**
 * Vector tiles: `/tiles/{layer}.json` (TileJSON 3.0) and `/tiles/{layer}/{z}/{x}/{y}.mvt`.
 * Every tile has a strong ETag (of its bytes, computed once per cache entry) and a 304 on a
 * matching If-None-Match. `Cache-Control` is `no-cache` for the live layers (sensors, buildings)
 * and `max-age=60` for the imported ones (docs/tiles.md). An empty tile is a 204 No Content,
 * which MapLibre draws as an empty tile, as Martin does.
 */
export function tileRoutes(tiles: TileService): Router {
  const router = Router()
  router.get('/tiles', (req, res) => {
    res.json(tiles.sources.map((s) => ({ id: s.id, description: s.description, tilejson: `${baseUrl(req)}/tiles/${s.id}.json` })))
  })
  router.get('/tiles/:layer.json', async (req, res) => {
    res.json(await tiles.tileJson(req.params.layer, baseUrl(req), scopeOf(res)))
  })
  router.get('/tiles/:layer/:z/:x/:y.mvt', async (req, res) => {
    const { layer, z, x, y } = req.params
    const address = tiles.address(layer, z, x, y)
    const tile = await tiles.tile(layer, address, scopeOf(res))
    res.setHeader('Cache-Control', tiles.cacheControl(layer))
    res.setHeader('ETag', tile.etag)
    const match = req.headers['if-none-match']
    if (match !== undefined && (match === tile.etag || match.split(/\s*,\s*/).includes(tile.etag))) {
      res.status(304).end()
      return
    }
    if (tile.body.length === 0) {
      res.status(204).end()
      return
    }
    res.setHeader('Content-Type', 'application/vnd.mapbox-vector-tile')
    res.end(tile.body)
  })
  return router
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}`
}
