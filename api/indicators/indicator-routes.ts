/**
 * Energy and indoor-air indicators: per EPCI and commune (a calendar year, `year`), per building
 * (`year`, or `from` and `to`). Read from the rollups the refresher keeps (indicator-queries.ts).
 */
import express, { Router } from 'express'
import { InvalidInputError } from '../../core/index.ts'
import type { Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { identifier, insee, siren } from '../params.ts'
import { principalOf, requireRole, requireStaff, scopeOf } from '../auth/index.ts'
import { csvDialect, streamChunks } from '../downloads/index.ts'
import { listAlerts, parseAlertFilter } from './alert-queries.ts'
import { parseBuildingSettings, updateBuildingSettings } from './building-settings.ts'
import { operatLines, parseOperatBuildings } from './operat-export.ts'
import { indicatorPeriod, parseYear } from './indicator-period.ts'
import { buildingIndicators, buildingSignatureOf, communeIndicators, epciIndicators } from './indicator-queries.ts'

export function indicatorRoutes(db: Kysely<Schema>, timeZone: string): Router {
  const router = Router()
  router.get('/api/epci/:siren/indicators', requireStaff, async (req, res) => {
    res.json(await epciIndicators(db, scopeOf(res), siren(req.params.siren), parseYear(req.query.year, new Date().getUTCFullYear())))
  })
  router.get('/api/communes/:insee/indicators', requireStaff, async (req, res) => {
    res.json(await communeIndicators(db, scopeOf(res), insee(req.params.insee), parseYear(req.query.year, new Date().getUTCFullYear())))
  })
  router.get('/api/buildings/:id/indicators', requireStaff, async (req, res) => {
    res.json(await buildingIndicators(db, scopeOf(res), identifier(req.params.id, 'id'), indicatorPeriod(req.query as Record<string, unknown>), timeZone))
  })
  router.patch('/api/buildings/:id/settings', requireRole('admin', 'energy_manager'), express.json({ limit: '64kb' }), async (req, res) => {
    const principal = principalOf(res)
    res.json(await updateBuildingSettings(db, principal.scope, identifier(req.params.id, 'id'), parseBuildingSettings(req.body), principal.actor))
  })
  router.get('/api/alerts', requireStaff, async (req, res) => {
    res.json(await listAlerts(db, scopeOf(res), parseAlertFilter(req.query as Record<string, unknown>)))
  })
  router.get('/api/exports/operat.csv', requireStaff, async (req, res) => {
    const known = new Set(['year', 'buildings', 'sep'])
    for (const key of Object.keys(req.query)) if (!known.has(key)) throw new InvalidInputError(`unknown parameter ${key} (known: year, buildings, sep)`, key)
    const year = parseYear(req.query.year, new Date().getUTCFullYear() - 1)
    const lines = operatLines(db, scopeOf(res), year, parseOperatBuildings(req.query.buildings), csvDialect(req.query.sep))
    const first = await lines.next() // the header: parameters are checked before the status is sent
    res.status(200).set({ 'Content-Type': 'text/csv; charset=utf-8; header=present', 'Content-Disposition': `attachment; filename="operat-${year}.csv"` })
    await streamChunks(res, (async function* () {
      if (!first.done) yield first.value
      yield* lines
    })())
  })
  router.get('/api/buildings/:id/signature', requireStaff, async (req, res) => {
    res.json(await buildingSignatureOf(db, scopeOf(res), identifier(req.params.id, 'id'), indicatorPeriod(req.query as Record<string, unknown>)))
  })
  return router
}
