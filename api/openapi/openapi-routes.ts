import { Router } from 'express'
import { baseUrl, type OpenDataOptions } from '../ogc/index.ts'
import { openApiDocument } from './openapi-document.ts'

/** `/openapi.json`: the OpenAPI 3.0 document of the whole API (the OGC API's service-desc). */
export function openApiRoutes(options: OpenDataOptions): Router {
  const router = Router()
  router.get('/openapi.json', (req, res) => {
    res.type('application/vnd.oai.openapi+json;version=3.0').send(JSON.stringify(openApiDocument(baseUrl(req, options))))
  })
  return router
}
