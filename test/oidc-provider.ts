/**
 * A tiny OpenID Connect provider for the tests, in-process on a loopback port: discovery, JWKS
 * (RS256 and ES256 keys made with jose), an authorization endpoint that answers at once with a
 * code, a token endpoint checking client authentication and PKCE. Tests also sign any token they
 * need with it, good or bad: the provider's own keys, a key it does not publish, a new key
 * published on the fly (rotation).
 */
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose'
import { freePort } from './ports.ts'

export type TestAlgorithm = 'RS256' | 'ES256'

export interface ProviderKey {
  readonly kid: string
  readonly alg: TestAlgorithm
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
}

export interface SignOptions {
  /** Default: the provider's first key of `alg` (RS256 by default). */
  readonly key?: ProviderKey
  readonly alg?: TestAlgorithm
  /** Merged into the protected header (alg and kid by default from the key). */
  readonly header?: Partial<JWTHeaderParameters>
}

export interface OidcTestProvider {
  readonly issuer: string
  readonly jwksUrl: string
  readonly clientId: string
  readonly clientSecret: string | null
  /** The keys the JWKS publishes. */
  readonly keys: ProviderKey[]
  /** Signs exactly these claims. */
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>
  /** Signs a plausible token: iss, aud (the client id), sub, iat and exp (in 5 min) filled in unless given. */
  token(claims?: JWTPayload, options?: SignOptions): Promise<string>
  /** Makes a key, published in the JWKS from now on (rotation) unless `publish` is false. */
  newKey(alg: TestAlgorithm, publish?: boolean): Promise<ProviderKey>
  /** Claims of the ID tokens the token endpoint issues (besides iss, aud, sub, nonce, iat, exp). */
  userClaims: JWTPayload
  /** Claims forced into those ID tokens after the others (e.g. another nonce). */
  idTokenOverrides: JWTPayload
  /** When set, the authorization endpoint answers with this error instead of a code. */
  authorizeError: string | null
  /** What the endpoints received, for the tests to look at. */
  readonly authorizeRequests: URLSearchParams[]
  readonly tokenRequests: { readonly authorization: string | undefined; readonly body: URLSearchParams }[]
  jwksFetches: number
  close(): Promise<void>
}

export async function startOidcProvider(options: { readonly clientId?: string; readonly clientSecret?: string | null } = {}): Promise<OidcTestProvider> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}/realms/test`
  const clientId = options.clientId ?? 'territoire-web'
  const clientSecret = options.clientSecret === undefined ? null : options.clientSecret
  const codes = new Map<string, { nonce: string | null; challenge: string | null; redirectUri: string }>()
  let counter = 0

  const makeKey = async (alg: TestAlgorithm): Promise<ProviderKey> => {
    const { privateKey, publicKey } = await generateKeyPair(alg)
    return { kid: `${alg.toLowerCase()}-${++counter}`, alg, privateKey, publicJwk: await exportJWK(publicKey) }
  }

  const provider: OidcTestProvider = {
    issuer,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    clientId,
    clientSecret,
    keys: [await makeKey('RS256'), await makeKey('ES256')],
    userClaims: {},
    idTokenOverrides: {},
    authorizeError: null,
    authorizeRequests: [],
    tokenRequests: [],
    jwksFetches: 0,
    async sign(claims, signOptions = {}) {
      const alg = signOptions.key?.alg ?? signOptions.alg ?? 'RS256'
      const key = signOptions.key ?? provider.keys.find((k) => k.alg === alg)!
      return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...signOptions.header }).sign(key.privateKey)
    },
    async token(claims = {}, signOptions) {
      const now = Math.floor(Date.now() / 1000)
      return provider.sign({ iss: issuer, aud: clientId, sub: 'user-1', iat: now, exp: now + 300, ...claims }, signOptions)
    },
    async newKey(alg, publish = true) {
      const key = await makeKey(alg)
      if (publish) provider.keys.push(key)
      return key
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
    }
    const path = url.pathname.slice('/realms/test'.length)
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/protocol/openid-connect/auth?kc_locale=fr`,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        jwks_uri: provider.jwksUrl,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
      })
    }
    if (req.method === 'GET' && path === '/protocol/openid-connect/certs') {
      provider.jwksFetches++
      return json(200, { keys: provider.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) })
    }
    if (req.method === 'GET' && path === '/protocol/openid-connect/auth') {
      const params = url.searchParams
      provider.authorizeRequests.push(params)
      const back = new URL(params.get('redirect_uri') ?? 'http://invalid.test/')
      if (params.get('state') !== null) back.searchParams.set('state', params.get('state')!)
      if (provider.authorizeError !== null) {
        back.searchParams.set('error', provider.authorizeError)
        back.searchParams.set('error_description', 'refused by the test provider')
      } else {
        const code = randomBytes(16).toString('base64url')
        codes.set(code, { nonce: params.get('nonce'), challenge: params.get('code_challenge'), redirectUri: back.origin + back.pathname })
        back.searchParams.set('code', code)
      }
      res.writeHead(302, { location: back.href }).end()
      return
    }
    if (req.method === 'POST' && path === '/protocol/openid-connect/token') {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
        provider.tokenRequests.push({ authorization: req.headers.authorization, body })
        void issueToken(body, req.headers.authorization).then(
          (answer) => json(answer.status, answer.body),
          (error: unknown) => json(500, { error: 'server_error', error_description: String(error) }),
        )
      })
      return
    }
    json(404, { error: 'not_found' })
  })

  const issueToken = async (body: URLSearchParams, authorization: string | undefined): Promise<{ status: number; body: unknown }> => {
    if (clientSecret !== null) {
      const expected = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`
      if (authorization !== expected) return { status: 401, body: { error: 'invalid_client' } }
    } else if (body.get('client_id') !== clientId || authorization !== undefined) {
      return { status: 401, body: { error: 'invalid_client' } }
    }
    const grant = codes.get(body.get('code') ?? '')
    codes.delete(body.get('code') ?? '')
    if (body.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== body.get('redirect_uri')) {
      return { status: 400, body: { error: 'invalid_grant' } }
    }
    const challenge = createHash('sha256').update(body.get('code_verifier') ?? '').digest('base64url')
    if (grant.challenge !== challenge) return { status: 400, body: { error: 'invalid_grant', error_description: 'PKCE verification failed' } }
    const idToken = await provider.token({ ...provider.userClaims, ...(grant.nonce === null ? {} : { nonce: grant.nonce }), ...provider.idTokenOverrides })
    return { status: 200, body: { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken } }
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return provider
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic authentication. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+')
}
