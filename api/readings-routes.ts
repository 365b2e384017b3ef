import { Router } from 'express'
import type { Kysely } from 'kysely'
import type { Schema } from '../sql/index.ts'
import { identifier } from './params.ts'
import { getSensor, sensorReadings } from './readings-queries.ts'
import { requireStaff, scopeOf } from './auth/index.ts'
import { nextPage, timeRange } from './time-range.ts'

export function readingsRoutes(db: Kysely<Schema>): Router {
  const router = Router()
  /** Readings in [from, to): by default the last 24 hours; at most `limit` (default 10,000), then a `next` link. */
  router.get('/api/sensors/:id/readings', requireStaff, async (req, res) => {
    const id = identifier(req.params.id, 'id')
    const range = timeRange(req)
    const sensor = await getSensor(db, scopeOf(res), id)
    const page = await sensorReadings(db, sensor, range.from, range.to, range.limit)
    res.json({
      sensor: { id: sensor.id, quantity: sensor.quantity, unit: sensor.unit, device: sensor.deviceId, building: sensor.buildingId, commune: sensor.communeInsee },
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      unit: sensor.unit,
      readings: page.readings,
      next: nextPage(`/api/sensors/${encodeURIComponent(id)}/readings`, range, page.readings.at(-1)?.time, page.truncated),
    })
  })
  return router
}
