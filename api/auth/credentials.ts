/**
 * Who is asking, decided once per request, before anything is served (cached tiles included):
 * the credential is `Authorization: Bearer <credential>`, or the page's session cookie holding
 * one (set by POST /auth/session, so that the page's tiles and live stream carry it too). A
 * credential is, in this order:
 *  - HUB_ADMIN_TOKEN, the operator's break-glass credential (compared in constant time);
 *  - an API token `tt_<id>_<secret>` (api-tokens.ts), looked up and remembered for CACHE_MS;
 *  - an OpenID Connect JWT, when OIDC is configured (oidc.ts), verified and remembered likewise.
 * No credential is the public. A header credential that is not valid is a 401 — never the
 * public view in disguise; a session cookie that is no longer valid (expired, revoked) is cleared
 * and the request goes on as the public's. Either spends the address's budget of failed attempts
 * (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE); once it is empty, any credential from the address is
 * refused with 429 until it refills.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import type { Kysely } from 'kysely'
import { ADMIN_TOKEN_PRINCIPAL, ANONYMOUS, AuthError, RateLimitError, type Logger, type Principal } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { clientKey, TokenBuckets, type RateLimits } from '../rate-limit/index.ts'
import { looksLikeApiToken, tokenPrincipal } from './api-tokens.ts'

export const SESSION_COOKIE = 'territoire_session'
/** How long a token's lookup is remembered: a revoked token stops working within this delay. */
export const CACHE_MS = 10_000
/** Longest life of a page's session, whatever the credential's own expiry. */
export const SESSION_MAX_SECONDS = 12 * 3600

export interface JwtVerifier {
  verify(jwt: string): Promise<Principal>
}

export interface AuthenticatorOptions {
  readonly db: Kysely<Schema>
  /** HUB_ADMIN_TOKEN; null: none. */
  readonly adminToken: string | null
  /** The OpenID Connect verifier; null: JWTs are not accepted. */
  readonly oidc: JwtVerifier | null
  readonly rateLimits: RateLimits
  readonly log: Logger
}

export interface Authenticator {
  /** Sets `res.locals.principal` for every request. */
  readonly middleware: RequestHandler
  /**
   * The principal of a credential the request presents (POST /auth/session): a 401 AuthError
   * when not valid, which spends the address's budget; a 429 once that is empty.
   */
  attempt(req: Request, credential: string): Promise<Principal>
  /** Forgets remembered lookups (after a token is revoked through the API). */
  forget(): void
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const adminDigest = options.adminToken === null ? null : digest(options.adminToken)
  const failures = options.rateLimits.authFailuresPerMinute > 0 ? new TokenBuckets(options.rateLimits.authFailuresPerMinute, options.rateLimits.now) : null
  const remembered = new Map<string, { readonly principal: Principal | null; readonly until: number }>()

  /**
   * A lookup remembered CACHE_MS under the credential's digest: a page's every tile and request
   * costs one map read, not a query (a token) or a signature check (a JWT). A credential found to
   * be wrong is remembered too (null), so that guessing costs the database nothing more; one
   * whose check throws (a JWT refused) is not. Expiry is checked at each use.
   */
  async function remember(credential: string, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    const now = Date.now()
    const key = digest(credential).toString('base64')
    let entry = remembered.get(key)
    if (!entry || entry.until <= now) {
      if (remembered.size >= 10_000) remembered.clear()
      entry = { principal: await lookup(), until: now + CACHE_MS }
      remembered.set(key, entry)
    }
    return entry.principal && (entry.principal.expiresAt === null || entry.principal.expiresAt.getTime() > now) ? entry.principal : null
  }

  async function principal(credential: string): Promise<Principal> {
    if (adminDigest !== null && timingSafeEqual(digest(credential), adminDigest)) return ADMIN_TOKEN_PRINCIPAL
    if (looksLikeApiToken(credential)) {
      const found = await remember(credential, () => tokenPrincipal(options.db, credential))
      if (found) return found
      throw new AuthError('this access token is unknown, revoked or expired', 401)
    }
    const oidc = options.oidc
    if (oidc && JWT_SHAPE.test(credential)) {
      const found = await remember(credential, () => oidc.verify(credential))
      if (found) return found
      throw new AuthError('this token has expired', 401)
    }
    throw new AuthError('this credential is not one the hub accepts (an access token tt_…, or a JWT of the configured identity provider)', 401)
  }

  async function attempt(req: Request, credential: string, from: 'header' | 'cookie' | 'sign-in' = 'sign-in'): Promise<Principal> {
    const key = clientKey(req.ip)
    const wait = failures?.wait(key) ?? 0
    if (wait > 0) throw new RateLimitError(`too many failed sign-in attempts from this address: retry in ${wait} s`, wait)
    try {
      return await principal(credential)
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) {
        failures?.spend(key)
        options.log.warn('credential refused', { from, address: req.ip ?? null, reason: error.message })
      }
      throw error
    }
  }

  const middleware: RequestHandler = (req, res, next) => {
    const presented = credentialOf(req)
    if (presented === null) {
      res.locals.principal = ANONYMOUS
      return next()
    }
    attempt(req, presented.credential, presented.from).then(
      (found) => {
        res.locals.principal = found
        res.locals.credentialFrom = presented.from
        next()
      },
      (error: unknown) => {
        if (error instanceof AuthError && error.status === 401) {
          if (presented.from === 'cookie') {
            // A session that ended (expired, revoked): the page goes on as the public, and its
            // staff requests answer 401 like any anonymous one's.
            clearSession(req, res)
            res.locals.principal = ANONYMOUS
            return next()
          }
        }
        next(error)
      },
    )
  }

  return { middleware, attempt: (req, credential) => attempt(req, credential), forget: () => remembered.clear() }
}

/** The request's credential: the Authorization header first, else the session cookie. */
function credentialOf(req: Request): { credential: string; from: 'header' | 'cookie' } | null {
  const header = req.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(header)
    if (!match) throw new AuthError('the Authorization header must read "Bearer <credential>"', 401)
    return { credential: match[1]!, from: 'header' }
  }
  const cookie = sessionCookie(req.headers.cookie)
  return cookie === null ? null : { credential: cookie, from: 'cookie' }
}

export function sessionCookie(header: string | undefined): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim()
      return value.length > 0 ? value : null
    }
  }
  return null
}

export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? ANONYMOUS
}

/** Whether the request was authenticated by the page's cookie (not by an Authorization header). */
export function byCookie(res: Response): boolean {
  return res.locals.credentialFrom === 'cookie'
}

export function setSession(req: Request, res: Response, credential: string, expiresAt: Date | null): void {
  const left = expiresAt === null ? SESSION_MAX_SECONDS : Math.floor((expiresAt.getTime() - Date.now()) / 1000)
  const maxAge = Math.max(0, Math.min(SESSION_MAX_SECONDS, left))
  res.append('Set-Cookie', `${SESSION_COOKIE}=${credential}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`)
}

export function clearSession(req: Request, res: Response): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`)
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
