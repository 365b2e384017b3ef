/**
 * What each route lets through, by role (docs/SECURITY.md has the table), and the page's
 * session: GET /auth/me, POST /auth/session, DELETE /auth/session. A route's scope — what its
 * queries read — is the caller's (`scopeOf`) for the staff's data, ALL_TERRITORIES for the open
 * data and the public territorial reference (EPCI and communes).
 */
import express, { Router, type RequestHandler, type Response } from 'express'
import { ALL_TERRITORIES, AuthError, InvalidInputError, isStaff, type Role, type Scope } from '../../core/index.ts'
import { byCookie, clearSession, principalOf, setSession, type Authenticator } from './credentials.ts'

const ROLE_NAMES: Record<Role, string> = { admin: 'the OPSN admin role', epci_staff: 'EPCI staff', energy_manager: 'energy managers', public: 'the public' }

/** Signed in, whatever the role: else 401. */
export const requireStaff: RequestHandler = (_req, res, next) => {
  if (!isStaff(principalOf(res))) throw unauthenticated()
  next()
}

/** One of these roles: 401 for the public, 403 for another role. */
export function requireRole(...roles: readonly Role[]): RequestHandler {
  return (_req, res, next) => {
    const { role } = principalOf(res)
    if (role === 'public') throw unauthenticated()
    if (!roles.includes(role)) throw new AuthError(`this needs ${roles.map((r) => ROLE_NAMES[r]).join(' or ')}; your role is ${role}`, 403)
    next()
  }
}

export const requireAdmin = requireRole('admin')

function unauthenticated(): AuthError {
  return new AuthError('this needs a signed-in staff member: send Authorization: Bearer <access token>, or sign in on the page', 401)
}

/** What the caller's queries may read. */
export function scopeOf(res: Response): Scope {
  return principalOf(res).scope
}

/** The open data and the public reference: every territory, whoever asks. */
export const PUBLIC_SCOPE: Scope = ALL_TERRITORIES

/**
 * A write authenticated by the page's cookie must come from the page itself: its Origin must be
 * the hub's own (SameSite=Strict already keeps the cookie off other sites' requests; this is the
 * second lock). A write with an Authorization header carries no ambient credential: no check.
 */
export const sameOriginWrites: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || !byCookie(res)) return next()
  const origin = req.headers.origin
  if (origin === undefined || origin !== `${req.protocol}://${req.get('host') ?? ''}`) {
    throw new AuthError('a write signed in by the page\'s cookie must come from the page itself (Origin)', 403)
  }
  next()
}

export function sessionRoutes(auth: Authenticator, oidcLogin: string | null): Router {
  const router = Router()
  router.get('/auth/me', (_req, res) => {
    const principal = principalOf(res)
    const scope = principal.scope
    res.set('Cache-Control', 'no-store').json({
      role: principal.role,
      name: principal.name,
      scope: scope.kind === 'all' ? 'all' : { epci: scope.epci, communes: scope.communes, buildings: scope.buildings },
      expiresAt: principal.expiresAt?.toISOString() ?? null,
      oidcLogin,
    })
  })
  router.post('/auth/session', express.json({ limit: '16kb' }), async (req, res) => {
    const token = (req.body as { token?: unknown } | undefined)?.token
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192 || /\s/.test(token)) {
      throw new InvalidInputError('send {"token": "<access token>"}', 'token')
    }
    const principal = await auth.attempt(req, token)
    setSession(req, res, token, principal.expiresAt)
    res.status(204).end()
  })
  router.delete('/auth/session', (req, res) => {
    clearSession(req, res)
    res.status(204).end()
  })
  return router
}

/**
 * What a public-or-staff resource (a tile layer, an OGC collection) shows the caller: a public
 * one, every territory to everyone; a staff one, the caller's scope — and a 401 for the public.
 */
export function accessScope(access: 'public' | 'staff', what: string, res: Response): Scope {
  if (access === 'public') return PUBLIC_SCOPE
  const principal = principalOf(res)
  if (!isStaff(principal)) throw new AuthError(`${what} is for signed-in staff: send Authorization: Bearer <access token>, or sign in on the page`, 401)
  return principal.scope
}
