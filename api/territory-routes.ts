import { Router } from 'express'
import type { Kysely } from 'kysely'
import type { Schema } from '../sql/index.ts'
import { siren } from './params.ts'
import { PUBLIC_SCOPE, requireStaff, scopeOf } from './auth/index.ts'
import { epciBuildings, getEpci, listDatasets, listEpci } from './territory-queries.ts'

export function territoryRoutes(db: Kysely<Schema>): Router {
  const router = Router()
  // The EPCI and their communes are public reference data (INSEE, IGN), as in the open data.
  router.get('/api/epci', async (_req, res) => {
    res.json(await listEpci(db, PUBLIC_SCOPE))
  })
  router.get('/api/epci/:siren', async (req, res) => {
    res.json(await getEpci(db, PUBLIC_SCOPE, siren(req.params.siren)))
  })
  router.get('/api/epci/:siren/buildings', requireStaff, async (req, res) => {
    res.type('application/geo+json').send(JSON.stringify(await epciBuildings(db, scopeOf(res), siren(req.params.siren))))
  })
  router.get('/api/datasets', async (_req, res) => {
    res.json(await listDatasets(db))
  })
  return router
}
