/**
 * The HTTP application: thin routes over the query modules, one scope per request, one error
 * mapping (problem.ts). Built by a factory so that tests and the CLI assemble the same app.
 */
import express, { type Express } from 'express'
import type { Kysely } from 'kysely'
import type { Logger } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'
import { healthRoutes, type HealthCheck } from './health.ts'
import { notFoundHandler, problemHandler } from './problem.ts'
import { readingsRoutes } from './readings-routes.ts'
import { attachScope } from './scope-middleware.ts'
import { territoryRoutes } from './territory-routes.ts'
import { tileRoutes } from './tiles/tile-routes.ts'
import type { TileService } from './tiles/tile-service.ts'
import { webRoutes } from './web-routes.ts'

export interface AppDependencies {
  readonly db: Kysely<Schema>
  readonly tiles: TileService
  readonly health: HealthCheck
  readonly log: Logger
  /** Built web app (web/dist); null to serve the API only. */
  readonly webDir: string | null
}

export function createApp(deps: AppDependencies): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false) // tiles set strong ETags themselves; JSON answers are not cached
  app.use((req, res, next) => {
    const started = Date.now()
    res.on('finish', () => deps.log.debug('request', { method: req.method, path: req.originalUrl, status: res.statusCode, ms: Date.now() - started }))
    next()
  })
  app.use(attachScope)
  app.use(healthRoutes(deps.health))
  app.use(territoryRoutes(deps.db))
  app.use(readingsRoutes(deps.db))
  app.use(tileRoutes(deps.tiles))
  if (deps.webDir) app.use(webRoutes(deps.webDir))
  app.use(notFoundHandler)
  app.use(problemHandler(deps.log))
  return app
}
