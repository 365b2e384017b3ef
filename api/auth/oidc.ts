/**
 * OpenID Connect bearer JWTs (issue 7): an OPSN plugs its identity provider (Keycloak, Entra ID,
 * a provider brokering ProConnect…) and its users' tokens become Principals. A token is checked
 * with jose against the provider's published keys (JWKS, fetched over HTTP and cached), then its
 * claims give a role and a scope.
 *
 * The rules, and why:
 *  - **Signature**: asymmetric algorithms only (RS*, PS*, ES*, EdDSA). `none` and HS* are refused
 *    whatever the configuration: with a JWKS, HS256 is the "public key as HMAC secret" attack.
 *  - **Claims required**: `iss` equal to the configured issuer, `aud` holding one of the configured
 *    audiences, `exp` (a token that never expires is refused) and `sub` (the actor of the audit log).
 *  - **Role**: the role claim is a string (one value, or several separated by spaces) or an array of
 *    strings. Each value is mapped through `roleValues` (default: our role names themselves); values
 *    that map to no role are ignored, since a `groups` claim also carries unrelated groups. Exactly
 *    one role must remain: none, or two different ones, is refused (403). We never pick "the
 *    highest": an identity given both admin and energy_manager is a provisioning mistake the OPSN
 *    should see, not one we quietly widen. `public` is not a role a token can give.
 *  - **Scope**: admin sees every territory and its scope claims are ignored; epci_staff reads the EPCI
 *    claim only (≥ 1 SIREN); energy_manager reads the communes and buildings claims only (≥ 1 value
 *    between them). Each value must be a SIREN, an INSEE code or a building id as the API accepts
 *    them (api/params.ts); one bad value refuses the token (403) rather than being dropped.
 *  - **Claim names** are looked up as given at the top level first, then as a dotted path
 *    (`realm_access.roles`, Keycloak's realm roles); a namespaced name such as
 *    `https://territoire.example.fr/role` works when it is a top-level claim.
 *  - **Errors**: a token that cannot be trusted is a 401 whose one-line message says why (expired,
 *    wrong issuer, audience, signature, key…) and never quotes the token; a valid token without a
 *    usable role or scope is a 403. When the provider's keys cannot be fetched, the token is refused
 *    with a 401 asking to retry, and the reason is logged.
 *
 * Keys: jose caches the JWKS (refetched after `jwksCacheMaxAgeMs`), fetches it again for an
 * unknown `kid` (key rotation) at most once per `jwksCooldownMs`, and gives up on a fetch after
 * `jwksTimeoutMs`. Without `jwksUrl`, the JWKS address is the `jwks_uri` of the issuer's discovery
 * document (`<issuer>/.well-known/openid-configuration`), fetched on first use and cached.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { ALL_TERRITORIES, AuthError, StartupError, errorMessage, someTerritories, type Logger, type Principal, type Role } from '../../core/index.ts'
import { identifier, insee, siren } from '../params.ts'

/** The signature algorithms a token may use: asymmetric only. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const
export type OidcAlgorithm = (typeof OIDC_ALGORITHMS)[number]

/** The roles a token may give (`public` is what no token gives). */
export type StaffRole = Exclude<Role, 'public'>
const STAFF_ROLES: readonly StaffRole[] = ['admin', 'epci_staff', 'energy_manager']

/** Default names of the claims, when the provider is configured for Territoire. */
export const DEFAULT_OIDC_CLAIMS = Object.freeze({
  role: 'territoire_role',
  epci: 'territoire_epci',
  communes: 'territoire_communes',
  buildings: 'territoire_buildings',
})

export interface OidcOptions {
  /** Exactly the `iss` of the tokens, e.g. https://sso.example.fr/realms/opsn. */
  readonly issuer: string
  /** A token's `aud` must hold one of these (the API's audience, the web sign-in's client id). */
  readonly audiences: readonly string[]
  /** null: the `jwks_uri` of the issuer's discovery document. */
  readonly jwksUrl: string | null
  readonly roleClaim: string
  readonly epciClaim: string
  readonly communesClaim: string
  readonly buildingsClaim: string
  /** Provider values → our roles (e.g. `{ 'opsn-admins': 'admin' }`); replaces the default, which accepts our role names as they are. */
  readonly roleValues?: Readonly<Record<string, StaffRole>> | null
  /** Default: every algorithm of OIDC_ALGORITHMS. */
  readonly algorithms?: readonly OidcAlgorithm[]
  /** Clock skew allowed on exp, nbf and iat; default 30 s. */
  readonly clockToleranceSeconds?: number
  /** Longest wait for the JWKS or the discovery document; default 5 s. */
  readonly jwksTimeoutMs?: number
  /** Least time between two JWKS fetches caused by an unknown key id; default 30 s. */
  readonly jwksCooldownMs?: number
  /** Keys are fetched again after this long; default 10 min. */
  readonly jwksCacheMaxAgeMs?: number
  /** Told when the provider cannot be reached (never a token). */
  readonly log?: Logger
}

export interface OidcExpectations {
  /** The ID token of a sign-in must carry the nonce sent with it. */
  readonly nonce?: string
}

export interface OidcVerifier {
  /** The Principal of a valid token; AuthError 401 (untrusted token) or 403 (no usable role or scope) otherwise. */
  verify(jwt: string, expected?: OidcExpectations): Promise<Principal>
}

export function createOidcVerifier(options: OidcOptions): OidcVerifier {
  const algorithms = [...(options.algorithms ?? OIDC_ALGORITHMS)]
  const refused = algorithms.filter((alg) => !(OIDC_ALGORITHMS as readonly string[]).includes(alg))
  if (algorithms.length === 0 || refused.length > 0) {
    throw new StartupError(`OIDC algorithms must be among ${OIDC_ALGORITHMS.join(', ')} (refused: ${refused.join(', ') || 'none given'})`)
  }
  if (options.audiences.length === 0) throw new StartupError('OIDC needs at least one audience')
  const jwksOptions = {
    timeoutDuration: options.jwksTimeoutMs ?? 5000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
  }
  const discovery = options.jwksUrl === null ? createOidcDiscovery(options.issuer, { timeoutMs: jwksOptions.timeoutDuration }) : null
  const fixedKeys = options.jwksUrl === null ? null : createRemoteJWKSet(new URL(options.jwksUrl), jwksOptions)
  let discoveredKeys: { url: string; keys: JWTVerifyGetKey } | null = null

  const keys = async (): Promise<JWTVerifyGetKey> => {
    if (fixedKeys) return fixedKeys
    const url = (await discovery!()).jwks_uri
    if (discoveredKeys?.url !== url) discoveredKeys = { url, keys: createRemoteJWKSet(new URL(url), jwksOptions) }
    return discoveredKeys.keys
  }

  const mapRole = (value: string): StaffRole | undefined => {
    if (options.roleValues) return Object.hasOwn(options.roleValues, value) ? options.roleValues[value] : undefined
    return (STAFF_ROLES as readonly string[]).includes(value) ? (value as StaffRole) : undefined
  }

  return {
    async verify(jwt, expected = {}) {
      let payload: JWTPayload
      try {
        const getKey = await keys()
        payload = (
          await jwtVerify(jwt, getKey, {
            issuer: options.issuer,
            audience: [...options.audiences],
            algorithms,
            clockTolerance: options.clockToleranceSeconds ?? 30,
            requiredClaims: ['exp', 'sub'],
          })
        ).payload
      } catch (error) {
        throw untrusted(error, options.log)
      }
      if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
        throw new AuthError('the ID token does not carry the nonce of this sign-in', 401)
      }
      return principalOf(payload, options, mapRole)
    },
  }
}

/** The role and scope a verified token's claims give. */
function principalOf(payload: JWTPayload, options: OidcOptions, mapRole: (value: string) => StaffRole | undefined): Principal {
  const roles = new Set<StaffRole>()
  for (const value of claimValues(payload, options.roleClaim)) {
    const role = mapRole(value)
    if (role) roles.add(role)
  }
  if (roles.size === 0) throw new AuthError(`the token gives no Territoire role (claim ${options.roleClaim}): ask the operator for access`, 403)
  if (roles.size > 1) throw new AuthError(`the token gives several Territoire roles (${[...roles].join(', ')}, claim ${options.roleClaim}): an identity must have one`, 403)
  const role = [...roles][0]!

  let scope = ALL_TERRITORIES
  if (role === 'epci_staff') {
    const epci = checked(payload, options.epciClaim, (v) => siren(v), 'an EPCI SIREN (9 digits)')
    if (epci.length === 0) throw new AuthError(`the token gives the role epci_staff but no EPCI (claim ${options.epciClaim})`, 403)
    scope = someTerritories({ epci })
  } else if (role === 'energy_manager') {
    const communes = checked(payload, options.communesClaim, (v) => insee(v), 'an INSEE commune code')
    const buildings = checked(payload, options.buildingsClaim, (v) => identifier(v, 'building'), 'a building id')
    if (communes.length + buildings.length === 0) {
      throw new AuthError(`the token gives the role energy_manager but no commune nor building (claims ${options.communesClaim}, ${options.buildingsClaim})`, 403)
    }
    scope = someTerritories({ communes, buildings })
  }

  const sub = payload.sub as string
  const name = [payload.name, payload.email, payload.preferred_username].find((v): v is string => typeof v === 'string' && v.trim() !== '')
  return Object.freeze({
    role,
    scope,
    actor: `oidc:${sub}`,
    name: (name ?? sub).trim().slice(0, 200),
    expiresAt: new Date((payload.exp as number) * 1000),
  })
}

/** A claim's strings: a space-separated string or an array of strings; absent: none. */
function claimValues(payload: JWTPayload, name: string): string[] {
  const value = claim(payload, name)
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean)
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim()).filter(Boolean)
  throw new AuthError(`the token's claim ${name} must be a string or an array of strings`, 403)
}

/** A top-level claim of that exact name, else a dotted path into nested objects. */
function claim(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name]
  let value: unknown = payload
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function checked(payload: JWTPayload, name: string, parse: (value: string) => string, what: string): string[] {
  return claimValues(payload, name).map((value) => {
    try {
      return parse(value)
    } catch {
      throw new AuthError(`the token's claim ${name} holds ${JSON.stringify(value.slice(0, 40))}, which is not ${what}`, 403)
    }
  })
}

/** Why a token cannot be trusted, in one line that never quotes it. */
function untrusted(error: unknown, log: Logger | undefined): AuthError {
  if (error instanceof AuthError) return error
  if (error instanceof errors.JWTExpired) return new AuthError('the token has expired', 401)
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = {
      iss: 'the token was not issued by the configured identity provider',
      aud: 'the token is not addressed to this hub (audience)',
      exp: 'the token has no valid expiry (exp)',
      sub: 'the token has no subject (sub)',
      nbf: 'the token is not valid yet (nbf)',
      iat: 'the token has an invalid issue time (iat)',
    }[error.claim]
    return new AuthError(reason ?? `the token's claim ${error.claim} is invalid`, 401)
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new AuthError('the token is signed with an algorithm this hub refuses', 401)
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthError('the token signature is invalid', 401)
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthError('the token is signed with a key the identity provider does not publish', 401)
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JWKInvalid) {
    return new AuthError('the token is not a valid signed JWT', 401)
  }
  // The JWKS or the discovery document could not be had: the provider's fault, or the network's.
  log?.warn('OIDC: the identity provider keys could not be fetched', { error: errorMessage(error) })
  return new AuthError('the token could not be checked: the identity provider keys are unavailable, try again', 401)
}

/** What the hub uses of an issuer's discovery document (OpenID Connect Discovery 1.0). */
export interface OidcDiscovery {
  readonly issuer: string
  readonly authorization_endpoint: string
  readonly token_endpoint: string
  readonly jwks_uri: string
  readonly code_challenge_methods_supported?: readonly string[]
}

/**
 * The issuer's discovery document, fetched on first use, kept an hour; after a failure, the same
 * error for 30 s (a flood of tokens never becomes a flood of requests to the provider).
 */
export function createOidcDiscovery(issuer: string, options: { readonly timeoutMs?: number } = {}): () => Promise<OidcDiscovery> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  let cached: { value: Promise<OidcDiscovery>; until: number } | null = null
  return () => {
    const now = Date.now()
    if (cached && now < cached.until) return cached.value
    const value = fetchDiscovery(url, issuer, options.timeoutMs ?? 5000)
    const entry = { value, until: now + 3_600_000 }
    cached = entry
    value.catch(() => {
      entry.until = Date.now() + 30_000
    })
    return value
  }
}

async function fetchDiscovery(url: string, issuer: string, timeoutMs: number): Promise<OidcDiscovery> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
  if (!response.ok) throw new Error(`${url} answered ${response.status}`)
  const doc = (await response.json()) as Record<string, unknown>
  // Discovery §4.3: the document's issuer must be exactly the one configured.
  if (doc.issuer !== issuer) throw new Error(`${url} names another issuer (${String(doc.issuer).slice(0, 100)})`)
  const secure = new URL(issuer).protocol === 'https:'
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    const value = doc[field]
    let parsed: URL | null = null
    try {
      parsed = typeof value === 'string' ? new URL(value) : null
    } catch {
      parsed = null
    }
    if (!parsed || !(parsed.protocol === 'https:' || (!secure && parsed.protocol === 'http:'))) {
      throw new Error(`${url} has no valid ${field}`)
    }
  }
  return doc as unknown as OidcDiscovery
}
