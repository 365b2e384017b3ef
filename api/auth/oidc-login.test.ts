import { createHash } from 'node:crypto'
import type { Server } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { StartupError, createLogger, someTerritories } from '../../core/index.ts'
import { startOidcProvider, type OidcTestProvider } from '../../test/oidc-provider.ts'
import { freePort } from '../../test/ports.ts'
import { problemHandler } from '../problem.ts'
import { createOidcVerifier, DEFAULT_OIDC_CLAIMS, type OidcVerifier } from './oidc.ts'
import { OIDC_STATE_COOKIE, oidcLoginRoutes } from './oidc-login.ts'

interface Hub {
  readonly base: string
  readonly verifier: OidcVerifier
  readonly sessions: Array<{ token: string; expiresAt: Date | null }>
  readonly logs: string[]
  close(): Promise<void>
}

/** A minimal app: the sign-in routes, a setSession that records, the problem handler. */
async function startHub(idp: OidcTestProvider, issuer = idp.issuer): Promise<Hub> {
  const verifier = createOidcVerifier({
    issuer,
    audiences: [idp.clientId],
    jwksUrl: null,
    roleClaim: DEFAULT_OIDC_CLAIMS.role,
    epciClaim: DEFAULT_OIDC_CLAIMS.epci,
    communesClaim: DEFAULT_OIDC_CLAIMS.communes,
    buildingsClaim: DEFAULT_OIDC_CLAIMS.buildings,
  })
  const sessions: Hub['sessions'] = []
  const logs: string[] = []
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const app = express()
  const log = createLogger('debug', 'test', (line) => logs.push(line))
  app.use(
    oidcLoginRoutes({
      issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: (req) => `${req.protocol}://${req.get('host')}/auth/oidc/callback`,
      scopes: 'openid profile email',
      verifier,
      setSession: (res, token, expiresAt) => {
        sessions.push({ token, expiresAt })
        res.cookie('territoire_session', 'recorded', { httpOnly: true, sameSite: 'strict', path: '/' })
      },
      log,
      timeoutMs: 2000,
    }),
  )
  app.use(problemHandler(log))
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s))
  })
  return {
    base,
    verifier,
    sessions,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Step 1: the hub's redirect to the provider and its sign-in cookie. */
async function beginLogin(hub: Hub): Promise<{ response: Response; authorize: URL; cookie: string }> {
  const response = await fetch(`${hub.base}/auth/oidc/login`, { redirect: 'manual' })
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${OIDC_STATE_COOKIE}=`)) ?? ''
  return { response, authorize: new URL(response.headers.get('location') ?? '/', hub.base), cookie: setCookie.split(';')[0]! }
}

/** Step 2: the provider sends the browser back to the callback. */
async function atProvider(authorize: URL): Promise<URL> {
  const response = await fetch(authorize, { redirect: 'manual' })
  expect(response.status).toBe(302)
  return new URL(response.headers.get('location')!)
}

async function callback(url: URL | string, cookie: string | null): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
}

/** The whole sign-in; the callback's response. */
async function signIn(hub: Hub): Promise<Response> {
  const { authorize, cookie } = await beginLogin(hub)
  return callback(await atProvider(authorize), cookie)
}

function failure(response: Response): string | null {
  expect(response.status).toBe(303)
  const location = new URL(response.headers.get('location')!, 'http://hub.test')
  return location.searchParams.get('connexion') === 'echec' ? location.searchParams.get('motif') : 'ok'
}

describe('web sign-in with OpenID Connect (confidential client)', () => {
  let idp: OidcTestProvider
  let hub: Hub
  beforeAll(async () => {
    idp = await startOidcProvider({ clientSecret: 's3cret with spaces & more' })
    hub = await startHub(idp)
  })
  afterAll(async () => {
    await hub.close()
    await idp.close()
  })
  beforeEach(() => {
    idp.userClaims = { name: 'Élise Durand', territoire_role: 'epci_staff', territoire_epci: ['200070779'] }
    idp.idTokenOverrides = {}
    idp.authorizeError = null
    hub.sessions.length = 0
    hub.logs.length = 0
  })

  it('redirects to the provider with code flow, state, nonce and an S256 challenge, keeping them in a sealed cookie', async () => {
    const { response, authorize, cookie } = await beginLogin(hub)
    expect(response.status).toBe(302)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(authorize.origin + authorize.pathname).toBe(`${idp.issuer}/protocol/openid-connect/auth`)
    const params = Object.fromEntries(authorize.searchParams)
    expect(params).toEqual({
      kc_locale: 'fr', // the endpoint's own query is kept
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: `${hub.base}/auth/oidc/callback`,
      scope: 'openid profile email',
      state: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    })
    expect(params.state).not.toBe(params.nonce)
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${OIDC_STATE_COOKIE}=`))!
    expect(setCookie).toMatch(/; Max-Age=600;/)
    expect(setCookie).toMatch(/; Path=\/auth\/oidc;/)
    expect(setCookie).toMatch(/; HttpOnly/)
    expect(setCookie).toMatch(/; SameSite=Lax/)
    expect(setCookie).not.toMatch(/Secure/) // plain HTTP here; behind HTTPS (TRUST_PROXY) it is Secure
    for (const secret of [params.state!, params.nonce!]) expect(cookie).not.toContain(secret)
  })

  it('exchanges the code with client_secret_basic and PKCE, verifies the ID token and opens the session', async () => {
    const response = await signIn(hub)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/')
    const cookies = response.headers.getSetCookie()
    expect(cookies).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${OIDC_STATE_COOKIE}=;.*Path=/auth/oidc`)), expect.stringMatching(/^territoire_session=recorded/)]))

    expect(hub.sessions).toHaveLength(1)
    const [session] = hub.sessions
    const principal = await hub.verifier.verify(session!.token)
    expect(principal).toMatchObject({ role: 'epci_staff', scope: someTerritories({ epci: ['200070779'] }), name: 'Élise Durand', actor: 'oidc:user-1' })
    expect(session!.expiresAt).toEqual(principal.expiresAt)

    const exchange = idp.tokenRequests.at(-1)!
    expect(exchange.authorization).toBe(`Basic ${Buffer.from(`${idp.clientId}:s3cret+with+spaces+%26+more`).toString('base64')}`)
    expect(exchange.body.get('client_id')).toBeNull()
    const challenge = idp.authorizeRequests.at(-1)!.get('code_challenge')
    expect(createHash('sha256').update(exchange.body.get('code_verifier')!).digest('base64url')).toBe(challenge)

    // The log says who signed in, never the code nor the token.
    expect(hub.logs.join('\n')).toContain('OIDC sign-in actor=oidc:user-1 role=epci_staff')
    expect(hub.logs.join('\n')).not.toContain(exchange.body.get('code')!)
    expect(hub.logs.join('\n')).not.toContain(session!.token.split('.')[1]!)
  })

  it('refuses a callback without its cookie, with a forged one, or with another sign-in\'s state', async () => {
    const first = await beginLogin(hub)
    const second = await beginLogin(hub)
    const back = await atProvider(second.authorize)
    expect(failure(await callback(back, null))).toBe('session')
    const value = second.cookie.slice(OIDC_STATE_COOKIE.length + 1)
    const flipped = value.slice(0, 40) + (value[40] === 'A' ? 'B' : 'A') + value.slice(41)
    expect(failure(await callback(back, `${OIDC_STATE_COOKIE}=${flipped}`))).toBe('session')
    expect(failure(await callback(back, `${OIDC_STATE_COOKIE}=${'A'.repeat(80)}`))).toBe('session')
    expect(failure(await callback(back, first.cookie))).toBe('session') // another tab's sign-in
    const noState = new URL(back)
    noState.searchParams.delete('state')
    expect(failure(await callback(noState, second.cookie))).toBe('session')
    expect(hub.sessions).toHaveLength(0)
    expect(idp.tokenRequests.filter((r) => r.body.get('code') === back.searchParams.get('code'))).toHaveLength(0) // never exchanged
    // The right pair still works, once: a replay finds the code spent.
    expect(failure(await callback(back, second.cookie))).toBe('ok')
    expect(failure(await callback(back, second.cookie))).toBe('fournisseur')
    expect(hub.sessions).toHaveLength(1)
  })

  it('refuses when the provider answers an error: declined, or anything else', async () => {
    idp.authorizeError = 'access_denied'
    expect(failure(await signIn(hub))).toBe('annule')
    idp.authorizeError = 'temporarily_unavailable'
    expect(failure(await signIn(hub))).toBe('fournisseur')
    expect(hub.sessions).toHaveLength(0)
    expect(hub.logs.join('\n')).toMatch(/OIDC sign-in refused: the provider answered an error motif=annule error=access_denied/)
  })

  it('refuses an ID token whose nonce is not this sign-in\'s, and an identity without a role', async () => {
    idp.idTokenOverrides = { nonce: 'replayed-from-elsewhere' }
    expect(failure(await signIn(hub))).toBe('jeton')
    idp.idTokenOverrides = {}
    idp.userClaims = { name: 'Visiteur' }
    expect(failure(await signIn(hub))).toBe('acces')
    expect(hub.sessions).toHaveLength(0)
    expect(hub.logs.join('\n')).toMatch(/no Territoire role/)
  })

  it('answers the browser with a failure redirect, not a stack, when the provider cannot be reached', async () => {
    const dead = await startHub(idp, `http://127.0.0.1:${await freePort()}/realms/gone`)
    try {
      const { response } = await beginLogin(dead)
      expect(failure(response)).toBe('fournisseur')
      expect(response.headers.getSetCookie().some((c) => c.startsWith(`${OIDC_STATE_COOKIE}=`))).toBe(false)
    } finally {
      await dead.close()
    }
  })
})

describe('web sign-in with OpenID Connect (public client)', () => {
  it('authenticates the exchange with client_id and PKCE alone', async () => {
    const idp = await startOidcProvider({ clientSecret: null })
    const hub = await startHub(idp)
    try {
      idp.userClaims = { email: 'gestion@mairie.fr', territoire_role: 'energy_manager', territoire_communes: '80021' }
      expect(failure(await signIn(hub))).toBe('ok')
      const exchange = idp.tokenRequests.at(-1)!
      expect(exchange.authorization).toBeUndefined()
      expect(exchange.body.get('client_id')).toBe(idp.clientId)
      expect(hub.sessions).toHaveLength(1)
      await expect(hub.verifier.verify(hub.sessions[0]!.token)).resolves.toMatchObject({ role: 'energy_manager', name: 'gestion@mairie.fr' })
    } finally {
      await hub.close()
      await idp.close()
    }
  })

  it('refuses sign-in scopes without openid at start', () => {
    const options = { issuer: 'https://idp.example', clientId: 'x', clientSecret: null, redirectUri: () => 'https://hub.example/auth/oidc/callback', verifier: { verify: () => Promise.reject(new Error('unused')) }, setSession: () => {}, log: createLogger('silent') }
    expect(() => oidcLoginRoutes({ ...options, scopes: 'profile email' })).toThrow(StartupError)
  })
})
