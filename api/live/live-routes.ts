/**
 * GET /api/epci/{siren}/live: server-sent events (text/event-stream) of the EPCI — `reading`
 * (a sensor's new latest value) and `alert` (an alert raised), each `data` one JSON object — with
 * a comment every HEARTBEAT_MS so that proxies keep the connection, and `retry` for the browser's
 * reconnection. An EPCI outside the caller's scope is a 404, as everywhere.
 */
import { Router } from 'express'
import type { Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import { siren } from '../params.ts'
import { requireStaff, scopeOf } from '../auth/index.ts'
import { getEpci } from '../territory-queries.ts'
import { ALL_TERRITORIES, NotFoundError, scopeSeesEpci } from '../../core/index.ts'
import type { LiveFeed } from './live-feed.ts'

export const HEARTBEAT_MS = 20_000
const RETRY_MS = 2_000

export function liveRoutes(db: Kysely<Schema>, feed: LiveFeed): Router {
  const router = Router()
  router.get('/api/epci/:siren/live', requireStaff, async (req, res) => {
    const id = siren(req.params.siren)
    // 404 outside the scope: the stream is the EPCI's as a whole.
    if (!scopeSeesEpci(scopeOf(res), id)) throw new NotFoundError(`no EPCI with SIREN ${id}`)
    await getEpci(db, ALL_TERRITORIES, id)
    let closed = false
    let unsubscribe = () => {}
    let heartbeat: NodeJS.Timeout | null = null
    req.on('close', () => {
      closed = true
      if (heartbeat) clearInterval(heartbeat)
      unsubscribe()
    })
    unsubscribe = await feed.subscribe(id, (event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`))
    if (closed) return unsubscribe() // gone while the stream was being set up
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no', // nginx: do not buffer the stream
    })
    res.flushHeaders()
    res.write(`retry: ${RETRY_MS}\n: flux de l’EPCI ${id}\n\n`)
    heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS)
    heartbeat.unref()
  })
  return router
}
