/**
 * `GET /health`: 200 when the hub can do its job (database reachable with every migration
 * applied, broker connected), 503 otherwise — with what is wrong, for the operator.
 */
import { Router } from 'express'

export interface HealthReport {
  readonly status: 'ok' | 'unavailable'
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>
  readonly [more: string]: unknown
}

export type HealthCheck = () => Promise<HealthReport>

export function healthRoutes(check: HealthCheck): Router {
  const router = Router()
  router.get('/health', async (_req, res) => {
    const report = await check()
    res.status(report.status === 'ok' ? 200 : 503).set('Cache-Control', 'no-store').json(report)
  })
  return router
}
