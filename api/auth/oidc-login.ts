/**
 * The staff sign-in of the web app (issue 7): OpenID Connect authorization-code flow with PKCE,
 * run by the server, so that no token ever reaches the page's script.
 *
 *  1. `GET /auth/oidc/login` redirects (302) to the provider's authorization endpoint (from its
 *     discovery document, cached) with a fresh `state`, `nonce` and S256 `code_challenge`. The
 *     three secrets travel in the cookie `territoire_oidc` — HttpOnly, SameSite=Lax (the provider
 *     sends the browser back with a cross-site top-level GET), Path=/auth/oidc, 10 minutes —
 *     sealed with AES-256-GCM, so that it can be neither read nor forged by the browser.
 *  2. `GET /auth/oidc/callback` opens the cookie (and clears it: one use), checks `state`, then the
 *     provider's `error` if any, exchanges the code at the token endpoint (client_secret_basic with
 *     a secret, a public client with PKCE alone otherwise), verifies the ID token with the hub's
 *     OIDC verifier, the nonce included, hands it to `setSession` and redirects (303) to `/`.
 *
 * Failures answer a browser, mid-navigation, not an API client: a problem+json page would leave
 * the user before raw JSON. So every refusal is a 303 to `/?connexion=echec&motif=<why>`, where the
 * page can say in French what happened, and a warning in the log (never a code or a token):
 *   - `session`: the sign-in cookie is missing, forged, expired, or its state is not the one returned
 *     (a forged callback, two sign-ins in two tabs, more than 10 minutes at the provider);
 *   - `annule`: the provider answered `access_denied` (the user declined or cancelled);
 *   - `fournisseur`: the provider could not be reached, answered another error, or refused the code;
 *   - `jeton`: the ID token could not be trusted (signature, issuer, audience, expiry, nonce);
 *   - `acces`: the identity is real but has no Territoire role or scope.
 *
 * The cookie's key is derived from the client secret when there is one, so that several hub
 * processes behind one load balancer open each other's cookies; a public client gets a random key
 * per process (a sign-in then needs the same process for both steps: sticky sessions).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { Router, type Request, type Response } from 'express'
import { AuthError, StartupError, errorMessage, type Logger, type Principal } from '../../core/index.ts'
import { createOidcDiscovery, type OidcExpectations } from './oidc.ts'

export const OIDC_LOGIN_PATH = '/auth/oidc/login'
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback'
/** The cookie carrying state, nonce and PKCE verifier between the two steps. */
export const OIDC_STATE_COOKIE = 'territoire_oidc'

const COOKIE_PATH = '/auth/oidc'
const COOKIE_LIFETIME_MS = 10 * 60_000
const EXCHANGE_TIMEOUT_MS = 10_000

export type OidcLoginFailure = 'session' | 'annule' | 'fournisseur' | 'jeton' | 'acces'

export interface OidcLoginOptions {
  readonly issuer: string
  readonly clientId: string
  /** null: a public client (PKCE only). */
  readonly clientSecret: string | null
  /** The absolute callback URL registered at the provider, e.g. `${PUBLIC_URL}/auth/oidc/callback`. */
  readonly redirectUri: (req: Request) => string
  /** Space-separated; must hold `openid`. */
  readonly scopes: string
  readonly verifier: { verify(jwt: string, expected?: OidcExpectations): Promise<Principal> }
  /** Opens the hub's session with the verified ID token (the lead's `territoire_session` cookie). */
  setSession(res: Response, token: string, expiresAt: Date | null): void
  readonly log: Logger
  /** Longest wait for the discovery document and the token endpoint; default 10 s. */
  readonly timeoutMs?: number
}

interface LoginState {
  readonly state: string
  readonly nonce: string
  readonly verifier: string
  /** Milliseconds since the epoch. */
  readonly expires: number
}

export function oidcLoginRoutes(options: OidcLoginOptions): Router {
  if (!options.scopes.split(/\s+/).includes('openid')) throw new StartupError(`OIDC sign-in scopes must include openid (got "${options.scopes}")`)
  const timeoutMs = options.timeoutMs ?? EXCHANGE_TIMEOUT_MS
  const discovery = createOidcDiscovery(options.issuer, { timeoutMs })
  const key =
    options.clientSecret === null
      ? randomBytes(32)
      : Buffer.from(hkdfSync('sha256', options.clientSecret, options.clientId, 'territoire oidc login state', 32))
  const log = options.log
  const router = Router()

  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, path: COOKIE_PATH, secure: req.protocol === 'https' })
  const fail = (res: Response, motif: OidcLoginFailure, why: string, fields: Record<string, string | number> = {}) => {
    log.warn(`OIDC sign-in refused: ${why}`, { motif, ...fields })
    res.set('Cache-Control', 'no-store').redirect(303, `/?connexion=echec&motif=${motif}`)
  }

  router.get(OIDC_LOGIN_PATH, async (req, res) => {
    let authorizationEndpoint: string
    try {
      const doc = await discovery()
      if (doc.code_challenge_methods_supported && !doc.code_challenge_methods_supported.includes('S256')) {
        throw new Error('the provider does not support PKCE with S256')
      }
      authorizationEndpoint = doc.authorization_endpoint
    } catch (error) {
      return fail(res, 'fournisseur', 'the discovery document could not be had', { error: errorMessage(error) })
    }
    const login: LoginState = {
      state: randomToken(),
      nonce: randomToken(),
      verifier: randomToken(),
      expires: Date.now() + COOKIE_LIFETIME_MS,
    }
    res.cookie(OIDC_STATE_COOKIE, seal(key, login), { ...cookieOptions(req), maxAge: COOKIE_LIFETIME_MS })
    // The endpoint may carry its own query (e.g. a locale): add to it, never replace it.
    const target = new URL(authorizationEndpoint)
    target.searchParams.set('response_type', 'code')
    target.searchParams.set('client_id', options.clientId)
    target.searchParams.set('redirect_uri', options.redirectUri(req))
    target.searchParams.set('scope', options.scopes)
    target.searchParams.set('state', login.state)
    target.searchParams.set('nonce', login.nonce)
    target.searchParams.set('code_challenge', createHash('sha256').update(login.verifier).digest('base64url'))
    target.searchParams.set('code_challenge_method', 'S256')
    res.set('Cache-Control', 'no-store').redirect(302, target.href)
  })

  router.get(OIDC_CALLBACK_PATH, async (req, res) => {
    const login = open(key, readCookie(req, OIDC_STATE_COOKIE))
    res.clearCookie(OIDC_STATE_COOKIE, cookieOptions(req))
    const query = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined)
    const state = query('state')
    if (login === null) return fail(res, 'session', 'no valid sign-in cookie (missing, forged or expired)')
    if (state === undefined || !sameText(state, login.state)) return fail(res, 'session', 'the state returned is not the one sent')

    const error = query('error')
    if (error !== undefined) {
      const code = /^[\w.-]{1,64}$/.test(error) ? error : 'invalid'
      return fail(res, code === 'access_denied' ? 'annule' : 'fournisseur', 'the provider answered an error', { error: code })
    }
    const code = query('code')
    if (code === undefined || code === '') return fail(res, 'fournisseur', 'the provider returned no code')

    let idToken: string
    try {
      idToken = await exchange(code, options.redirectUri(req), login.verifier)
    } catch (exchangeError) {
      return fail(res, 'fournisseur', 'the code could not be exchanged', { error: errorMessage(exchangeError) })
    }

    let principal: Principal
    try {
      principal = await options.verifier.verify(idToken, { nonce: login.nonce })
    } catch (verifyError) {
      if (verifyError instanceof AuthError) return fail(res, verifyError.status === 403 ? 'acces' : 'jeton', verifyError.message)
      throw verifyError
    }
    options.setSession(res, idToken, principal.expiresAt)
    log.info('OIDC sign-in', { actor: principal.actor, role: principal.role })
    res.set('Cache-Control', 'no-store').redirect(303, '/')
  })

  /** The ID token for a code (RFC 6749 §4.1.3, RFC 7636 §4.5); errors name the status and the OAuth error code only. */
  async function exchange(code: string, redirectUri: string, verifier: string): Promise<string> {
    const { token_endpoint: endpoint } = await discovery()
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    if (options.clientSecret === null) body.set('client_id', options.clientId)
    else headers.authorization = `Basic ${Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')}`
    const response = await fetch(endpoint, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
    const answer = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown }
    if (!response.ok) {
      const oauthError = typeof answer.error === 'string' && /^[\w.-]{1,64}$/.test(answer.error) ? ` (${answer.error})` : ''
      throw new Error(`the token endpoint answered ${response.status}${oauthError}`)
    }
    if (typeof answer.id_token !== 'string') throw new Error('the token endpoint returned no ID token')
    return answer.id_token
  }

  return router
}

/** 256 bits, URL-safe (43 characters: also a valid PKCE verifier). */
function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

/** AES-256-GCM: the browser can neither read nor alter it. */
function seal(key: Buffer, login: LoginState): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')
}

/** The sealed state, or null when missing, forged, or expired. */
function open(key: Buffer, sealed: string | undefined): LoginState | null {
  if (sealed === undefined || sealed.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null
  const bytes = Buffer.from(sealed, 'base64url')
  if (bytes.length < 29) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12))
    decipher.setAuthTag(bytes.subarray(12, 28))
    const login = JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as LoginState
    return typeof login.expires === 'number' && login.expires > Date.now() ? login : null
  } catch {
    return null
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic authentication. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+')
}
