import { Router, type Request } from 'express'
import { scopeOf } from '../scope-middleware.ts'
import type { TileService } from './tile-service.ts'

/**
 * Vector tiles: `/tiles/{layer}.json` (TileJSON 3.0) and `/tiles/{layer}/{z}/{x}/{y}.mvt`.
 * Every tile has a strong ETag; clients revalidate (`no-cache`) so a changed layer is never
 * served stale, and an unchanged one costs a 304. An empty tile is answered 204 No Content.
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
    res.set('Cache-Control', 'no-cache')
    res.set('ETag', tile.etag)
    if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(tile.etag)) {
      res.status(304).end()
      return
    }
    if (tile.body.length === 0) {
      res.status(204).end()
      return
    }
    res.type('application/vnd.mapbox-vector-tile').send(tile.body)
  })
  return router
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}`
}
