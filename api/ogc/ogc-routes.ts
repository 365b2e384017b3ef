import { Router, type Request } from 'express'
import type { Kysely } from 'kysely'
import { NotFoundError } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { identifier } from '../params.ts'
import { accessScope, principalOf } from '../auth/index.ts'
import { isStaff } from '../../core/index.ts'
import { baseUrl, type OpenDataOptions } from '../base-url.ts'
import { COLLECTIONS, findCollection, type Collection } from './collections.ts'
import { collectionExtent, countFeatures, featureById, featurePage } from './feature-queries.ts'
import { itemsQuery } from './items-params.ts'
import { GEOJSON, OGC_PREFIX, collectionDocument, conformance, itemsText, landingPage, pagingLinks, singleFeatureText } from './ogc-documents.ts'

/**
 * OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) under /ogc: landing page, conformance,
 * collections and their items. Parsing here, SQL in feature-queries.ts, documents in ogc-documents.ts.
 */
export function ogcRoutes(db: Kysely<Schema>, options: OpenDataOptions): Router {
  const router = Router()
  router.get(OGC_PREFIX, (req, res) => {
    res.json(landingPage(baseUrl(req, options)))
  })
  router.get(`${OGC_PREFIX}/conformance`, (_req, res) => {
    res.json(conformance())
  })
  router.get(`${OGC_PREFIX}/collections`, async (req, res) => {
    const base = baseUrl(req, options)
    const collections = []
    // The staff's collections are listed to staff only, with what their scope sees.
    const staff = isStaff(principalOf(res))
    for (const collection of COLLECTIONS) {
      if (collection.access === 'staff' && !staff) continue
      collections.push(collectionDocument(base, collection, await collectionExtent(db, collection, accessScope(collection.access, `the collection ${collection.id}`, res))))
    }
    res.json({
      links: [{ href: `${base}${OGC_PREFIX}/collections`, rel: 'self', type: 'application/json', title: 'Collections' }],
      collections,
    })
  })
  router.get(`${OGC_PREFIX}/collections/:collectionId`, async (req, res) => {
    const collection = collectionOf(req)
    res.json(collectionDocument(baseUrl(req, options), collection, await collectionExtent(db, collection, accessScope(collection.access, `the collection ${collection.id}`, res))))
  })
  router.get(`${OGC_PREFIX}/collections/:collectionId/items`, async (req, res) => {
    const collection = collectionOf(req)
    const scope = accessScope(collection.access, `the collection ${collection.id}`, res)
    const query = itemsQuery(collection, req.query)
    const [matched, rows] = [await countFeatures(db, collection, query.filter, scope), await featurePage(db, collection, query.filter, scope, query.limit, query.offset)]
    const base = baseUrl(req, options)
    const links = pagingLinks(new URL(req.originalUrl, base), collection, base, { limit: query.limit, offset: query.offset, returned: rows.length, matched })
    res.type(GEOJSON).send(itemsText(rows, matched, links))
  })
  router.get(`${OGC_PREFIX}/collections/:collectionId/items/:featureId`, async (req, res) => {
    const collection = collectionOf(req)
    const scope = accessScope(collection.access, `the collection ${collection.id}`, res)
    const row = await featureById(db, collection, identifier(req.params.featureId, 'featureId'), scope)
    res.type(GEOJSON).send(singleFeatureText(baseUrl(req, options), collection, row))
  })
  return router
}

function collectionOf(req: Request): Collection {
  const id = String(req.params.collectionId)
  const collection = findCollection(id)
  if (!collection) throw new NotFoundError(`no collection ${id}; the collections are ${COLLECTIONS.map((c) => c.id).join(', ')}`)
  return collection
}
