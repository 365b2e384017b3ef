/**
 * The OPSN's view of access: the API tokens (listed, revoked — created with the CLI only, so that
 * a secret is never sent over HTTP) and the audit log. Admin only.
 */
import { Router, type RequestHandler } from 'express'
import type { Kysely } from 'kysely'
import { InvalidInputError } from '../../core/index.ts'
import { listAudit, type Schema } from '../../sql/index.ts'
import { integer } from '../params.ts'
import { listTokens, revokeToken } from './api-tokens.ts'
import { principalOf } from './credentials.ts'

export function accessAdminRoutes(db: Kysely<Schema>, admin: RequestHandler, onRevoked: () => void): Router {
  const router = Router()
  router.get('/api/tokens', admin, async (_req, res) => {
    res.json({ tokens: await listTokens(db) })
  })
  router.delete('/api/tokens/:id', admin, async (req, res) => {
    const revoked = await revokeToken(db, String(req.params.id), principalOf(res).actor)
    onRevoked()
    res.json(revoked)
  })
  /** Newest first, `limit` (default 100, at most 1,000), `before` an entry id, `action` one action. */
  router.get('/api/audit', admin, async (req, res) => {
    const limit = integer(req.query.limit, 'limit', 1, 1000, 100)
    const before = req.query.before
    if (before !== undefined && (typeof before !== 'string' || !/^[1-9]\d{0,17}$/.test(before))) throw new InvalidInputError('before must be an audit entry id', 'before')
    const action = req.query.action
    if (action !== undefined && (typeof action !== 'string' || !/^[a-z_]+\.[a-z_]+$/.test(action))) throw new InvalidInputError('action must read like token.create', 'action')
    res.json({ entries: await listAudit(db, { limit, ...(before ? { before } : {}), ...(action ? { action } : {}) }) })
  })
  return router
}
