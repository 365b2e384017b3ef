import { Router } from 'express'
import type { Kysely } from 'kysely'
import { InvalidInputError } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'
import { identifier, instant, integer } from './params.ts'
import { getSensor, sensorReadings } from './readings-queries.ts'
import { scopeOf } from './scope-middleware.ts'

const DAY_MS = 86_400_000
const MAX_RANGE_DAYS = 366

export function readingsRoutes(db: Kysely<Schema>): Router {
  const router = Router()
  /** Readings in [from, to): by default the last 24 hours; at most `limit` (default 10,000), then a `next` link. */
  router.get('/api/sensors/:id/readings', async (req, res) => {
    const id = identifier(req.params.id, 'id')
    const to = instant(req.query.to, 'to') ?? new Date()
    const from = instant(req.query.from, 'from') ?? new Date(to.getTime() - DAY_MS)
    const limit = integer(req.query.limit, 'limit', 1, 100_000, 10_000)
    if (from >= to) throw new InvalidInputError('from must be before to', 'from')
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new InvalidInputError(`the range may not exceed ${MAX_RANGE_DAYS} days; use the daily aggregates for longer periods`, 'from')
    }
    const sensor = await getSensor(db, scopeOf(res), id)
    const page = await sensorReadings(db, sensor, from, to, limit)
    const last = page.readings.at(-1)
    const next = page.truncated && last
      ? `/api/sensors/${encodeURIComponent(id)}/readings?from=${encodeURIComponent(new Date(Date.parse(last.time) + 1).toISOString())}&to=${encodeURIComponent(to.toISOString())}&limit=${limit}`
      : null
    res.json({
      sensor: { id: sensor.id, quantity: sensor.quantity, unit: sensor.unit, device: sensor.deviceId, building: sensor.buildingId, commune: sensor.communeInsee },
      from: from.toISOString(),
      to: to.toISOString(),
      unit: sensor.unit,
      readings: page.readings,
      next,
    })
  })
  return router
}
