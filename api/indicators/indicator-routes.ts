/**
 * Energy and indoor-air indicators: per EPCI and commune (a calendar year, `year`), per building
 * (`year`, or `from` and `to`). Read from the rollups the refresher keeps (indicator-queries.ts).
 */
import { Router } from 'express'
import type { Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { identifier, insee, siren } from '../params.ts'
import { scopeOf } from '../scope-middleware.ts'
import { listAlerts, parseAlertFilter } from './alert-queries.ts'
import { indicatorPeriod, parseYear } from './indicator-period.ts'
import { buildingIndicators, buildingSignatureOf, communeIndicators, epciIndicators } from './indicator-queries.ts'

export function indicatorRoutes(db: Kysely<Schema>): Router {
  const router = Router()
  router.get('/api/epci/:siren/indicators', async (req, res) => {
    res.json(await epciIndicators(db, scopeOf(res), siren(req.params.siren), parseYear(req.query.year, new Date().getUTCFullYear())))
  })
  router.get('/api/communes/:insee/indicators', async (req, res) => {
    res.json(await communeIndicators(db, scopeOf(res), insee(req.params.insee), parseYear(req.query.year, new Date().getUTCFullYear())))
  })
  router.get('/api/buildings/:id/indicators', async (req, res) => {
    res.json(await buildingIndicators(db, scopeOf(res), identifier(req.params.id, 'id'), indicatorPeriod(req.query as Record<string, unknown>)))
  })
  router.get('/api/alerts', async (req, res) => {
    res.json(await listAlerts(db, scopeOf(res), parseAlertFilter(req.query as Record<string, unknown>)))
  })
  router.get('/api/buildings/:id/signature', async (req, res) => {
    res.json(await buildingSignatureOf(db, scopeOf(res), identifier(req.params.id, 'id'), indicatorPeriod(req.query as Record<string, unknown>)))
  })
  return router
}
