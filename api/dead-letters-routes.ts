import express, { Router, type RequestHandler } from 'express'
import type { Kysely } from 'kysely'
import { InvalidInputError } from '../core/index.ts'
import type { ReplayReport } from '../ingestion/index.ts'
import { REJECTION_REASONS } from '../sensors/index.ts'
import { recordAudit, type Schema } from '../sql/index.ts'
import { principalOf } from './auth/index.ts'
import { deadLetterPayload, listDeadLetters } from './dead-letters-queries.ts'
import { integer } from './params.ts'

export type Replay = (filter: { ids?: number[]; reason?: string }) => Promise<ReplayReport>

/** The dead letter (admin only: payloads may hold anything a device sent). */
export function deadLettersRoutes(db: Kysely<Schema>, admin: RequestHandler, replay: Replay): Router {
  const router = Router()
  router.get('/api/dead-letters', admin, async (req, res) => {
    const status = req.query.status ?? 'pending'
    if (status !== 'pending' && status !== 'replayed' && status !== 'all') throw new InvalidInputError('status must be pending, replayed or all', 'status')
    const limit = integer(req.query.limit, 'limit', 1, 1000, 100)
    const beforeId = req.query.before === undefined ? undefined : integer(req.query.before, 'before', 1, Number.MAX_SAFE_INTEGER, 0)
    const page = await listDeadLetters(db, { reason: reason(req.query.reason), status, limit, ...(beforeId ? { beforeId } : {}) })
    const last = page.items.at(-1)
    const params = new URLSearchParams({ status, limit: String(limit), ...(req.query.reason ? { reason: String(req.query.reason) } : {}) })
    res.json({
      pendingByReason: page.pendingByReason,
      items: page.items,
      next: page.more && last ? `/api/dead-letters?${params}&before=${last.id}` : null,
    })
  })

  router.get('/api/dead-letters/:id/payload', admin, async (req, res) => {
    const payload = await deadLetterPayload(db, integer(req.params.id, 'id', 1, Number.MAX_SAFE_INTEGER, 0))
    res.type('application/octet-stream').send(payload)
  })

  /** Replays pending dead letters: all, those of a reason, or the ids given. */
  router.post('/api/dead-letters/replay', admin, express.json({ limit: '64kb' }), async (req, res) => {
    const body = (req.body ?? {}) as { ids?: unknown; reason?: unknown }
    if (body.ids !== undefined && !(Array.isArray(body.ids) && body.ids.every((id) => Number.isSafeInteger(id) && id > 0))) {
      throw new InvalidInputError('ids must be an array of dead-letter ids', 'ids')
    }
    const filter = { ...(body.ids ? { ids: body.ids as number[] } : {}), ...(body.reason !== undefined ? { reason: reason(body.reason) } : {}) }
    const report = await replay(filter)
    await recordAudit(db, { actor: principalOf(res).actor, action: 'dead_letters.replay', target: null, detail: { ...filter, examined: report.examined, stored: report.stored } })
    res.json({ examined: report.examined, stored: report.stored, readings: report.readings, duplicates: report.duplicates, stillRefused: report.refused })
  })
  return router
}

function reason(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !(REJECTION_REASONS as readonly string[]).includes(value)) {
    throw new InvalidInputError(`reason must be one of ${REJECTION_REASONS.join(', ')}`, 'reason')
  }
  return value
}
