/**
 * Attaches the caller's scope to each request. Everyone sees every territory until access
 * control lands (issue 7); handlers already read the scope from here and pass it to queries.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestHandler, Response } from 'express'
import { ALL_TERRITORIES, type Scope } from '../core/index.ts'

/** The scope of a request, from the request alone: the one place that decides it (also for the cached-tile path). */
export function requestScope(_req: IncomingMessage): Scope {
  return ALL_TERRITORIES
}

export const attachScope: RequestHandler = (req, res, next) => {
  res.locals.scope = requestScope(req)
  next()
}

export function scopeOf(res: Response): Scope {
  return res.locals.scope as Scope
}
