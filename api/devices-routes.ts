import express, { Router, type RequestHandler } from 'express'
import type { Kysely } from 'kysely'
import { parseDeviceSpec, provisionDevices } from '../ingestion/index.ts'
import { recordAudit, type Schema } from '../sql/index.ts'
import { deviceReadings, getDevice } from './devices-queries.ts'
import { identifier } from './params.ts'
import { principalOf, requireStaff, scopeOf } from './auth/index.ts'
import { nextPage, timeRange } from './time-range.ts'

export function devicesRoutes(db: Kysely<Schema>, admin: RequestHandler, onProvisioned: () => void): Router {
  const router = Router()

  /** Provision one device (JSON body, see ingestion/device-spec.ts). 201 with the device as attributed. */
  router.post('/api/devices', admin, express.json({ limit: '256kb' }), async (req, res) => {
    const spec = parseDeviceSpec(req.body, 'body')
    await provisionDevices(db, [spec], 'create')
    await recordAudit(db, { actor: principalOf(res).actor, action: 'devices.provision', target: spec.id, detail: { via: 'api', devices: 1 } })
    onProvisioned()
    res.status(201).location(`/api/devices/${encodeURIComponent(spec.id)}`).json(await getDevice(db, scopeOf(res), spec.id))
  })

  router.get('/api/devices/:id', requireStaff, async (req, res) => {
    res.json(await getDevice(db, scopeOf(res), identifier(req.params.id, 'id')))
  })

  /** Readings of every sensor of the device in [from, to), with quantity and unit. */
  router.get('/api/devices/:id/readings', requireStaff, async (req, res) => {
    const id = identifier(req.params.id, 'id')
    const range = timeRange(req)
    await getDevice(db, scopeOf(res), id) // 404 outside the scope
    const page = await deviceReadings(db, id, range.from, range.to, range.limit)
    res.json({
      device: id,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      readings: page.readings,
      next: nextPage(`/api/devices/${encodeURIComponent(id)}/readings`, range, page.readings.at(-1)?.time, page.truncated),
    })
  })
  return router
}
