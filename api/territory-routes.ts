import { Router } from 'express'
import type { Kysely } from 'kysely'
import type { Schema } from '../sql/index.ts'
import { siren } from './params.ts'
import { scopeOf } from './scope-middleware.ts'
import { epciBuildings, getEpci, listDatasets, listEpci } from './territory-queries.ts'

export function territoryRoutes(db: Kysely<Schema>): Router {
  const router = Router()
  router.get('/api/epci', async (_req, res) => {
    res.json(await listEpci(db, scopeOf(res)))
  })
  router.get('/api/epci/:siren', async (req, res) => {
    res.json(await getEpci(db, scopeOf(res), siren(req.params.siren)))
  })
  router.get('/api/epci/:siren/buildings', async (req, res) => {
    res.type('application/geo+json').send(JSON.stringify(await epciBuildings(db, scopeOf(res), siren(req.params.siren))))
  })
  router.get('/api/datasets', async (_req, res) => {
    res.json(await listDatasets(db))
  })
  return router
}
