/**
 * Attaches the caller's scope to each request. Everyone sees every territory until access
 * control lands (issue 7); handlers already read the scope from here and pass it to queries.
 */
import type { RequestHandler, Response } from 'express'
import { ALL_TERRITORIES, type Scope } from '../core/index.ts'

export const attachScope: RequestHandler = (_req, res, next) => {
  res.locals.scope = ALL_TERRITORIES
  next()
}

export function scopeOf(res: Response): Scope {
  return res.locals.scope as Scope
}
