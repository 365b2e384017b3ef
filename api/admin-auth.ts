/**
 * Write endpoints need `Authorization: Bearer <HUB_ADMIN_TOKEN>` until access control lands
 * (issue 7). Without a configured token they are refused outright. The comparison takes the
 * same time whatever the guess.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { AuthError } from '../core/index.ts'

export function requireAdmin(token: string | null): RequestHandler {
  const expected = token === null ? null : digest(token)
  return (req, res, next) => {
    if (expected === null) {
      throw new AuthError('write endpoints are disabled: set HUB_ADMIN_TOKEN on the hub', 403)
    }
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="territoire"')
      throw new AuthError('this endpoint needs Authorization: Bearer <HUB_ADMIN_TOKEN>', 401)
    }
    next()
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
