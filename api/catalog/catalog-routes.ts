import { Router } from 'express'
import type { Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { baseUrl, type OpenDataOptions } from '../ogc/index.ts'
import { PUBLIC_SCOPE } from '../auth/index.ts'
import { catalogFacts } from './catalog-queries.ts'
import { dcatCatalog } from './dcat-document.ts'

/** `/catalog`: the DCAT-AP catalogue of the open data, JSON-LD. */
export function catalogRoutes(db: Kysely<Schema>, options: OpenDataOptions): Router {
  const router = Router()
  router.get('/catalog', async (req, res) => {
    const document = dcatCatalog(baseUrl(req, options), options.publisherName, await catalogFacts(db, PUBLIC_SCOPE))
    res.type('application/ld+json').send(JSON.stringify(document))
  })
  return router
}
