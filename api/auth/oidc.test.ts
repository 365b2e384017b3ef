import { SignJWT, base64url } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_TERRITORIES, AuthError, StartupError, createLogger, someTerritories } from '../../core/index.ts'
import { freePort } from '../../test/ports.ts'
import { startOidcProvider, type OidcTestProvider } from '../../test/oidc-provider.ts'
import { DEFAULT_OIDC_CLAIMS, createOidcVerifier, type OidcOptions } from './oidc.ts'

let idp: OidcTestProvider
beforeAll(async () => {
  idp = await startOidcProvider()
})
afterAll(async () => {
  await idp.close()
})

function options(overrides: Partial<OidcOptions> = {}): OidcOptions {
  return {
    issuer: idp.issuer,
    audiences: ['territoire-api', idp.clientId],
    jwksUrl: idp.jwksUrl,
    roleClaim: DEFAULT_OIDC_CLAIMS.role,
    epciClaim: DEFAULT_OIDC_CLAIMS.epci,
    communesClaim: DEFAULT_OIDC_CLAIMS.communes,
    buildingsClaim: DEFAULT_OIDC_CLAIMS.buildings,
    ...overrides,
  }
}

/** The AuthError a verification ends with (its status and message). */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AuthError) return { status: error.status, message: error.message }
    throw error
  }
  throw new Error('the token was accepted')
}

describe('OpenID Connect bearer tokens', () => {
  it('gives each role its principal: admin everywhere, EPCI staff their EPCI, energy managers their communes and buildings', async () => {
    const verifier = createOidcVerifier(options())
    const exp = Math.floor(Date.now() / 1000) + 600
    const admin = await verifier.verify(await idp.token({ sub: 'a-1', name: 'Alice Martin', exp, territoire_role: 'admin', territoire_epci: ['200070779'] }))
    expect(admin).toEqual({ role: 'admin', scope: ALL_TERRITORIES, actor: 'oidc:a-1', name: 'Alice Martin', expiresAt: new Date(exp * 1000) })
    expect(Object.isFrozen(admin)).toBe(true)

    const staff = await verifier.verify(
      await idp.token({ sub: 'e-1', email: 'e@cc.fr', territoire_role: ['epci_staff'], territoire_epci: ['248000531', '200070779'], territoire_communes: '80021' }, { alg: 'ES256' }),
    )
    expect(staff).toMatchObject({ role: 'epci_staff', scope: someTerritories({ epci: ['200070779', '248000531'] }), actor: 'oidc:e-1', name: 'e@cc.fr' })

    const manager = await verifier.verify(
      await idp.token({ sub: 'm-1', preferred_username: 'gestionnaire', aud: ['territoire-api'], territoire_role: 'energy_manager', territoire_communes: '80021 2A004', territoire_buildings: ['80021-mairie'] }),
    )
    expect(manager).toMatchObject({ role: 'energy_manager', scope: someTerritories({ communes: ['80021', '2A004'], buildings: ['80021-mairie'] }), name: 'gestionnaire' })

    const bare = await verifier.verify(await idp.token({ sub: 'm-2', territoire_role: 'energy_manager', territoire_buildings: 'b-17' }))
    expect(bare).toMatchObject({ actor: 'oidc:m-2', name: 'm-2', scope: someTerritories({ buildings: ['b-17'] }) })
  })

  it('maps the provider\'s values to roles, from a nested claim, ignoring values that are not roles', async () => {
    const verifier = createOidcVerifier(options({ roleClaim: 'realm_access.roles', roleValues: { 'opsn-admins': 'admin', 'cc-staff': 'epci_staff' }, epciClaim: 'https://territoire.example.fr/epci' }))
    const staff = await verifier.verify(
      await idp.token({ realm_access: { roles: ['offline_access', 'uma_authorization', 'cc-staff'] }, 'https://territoire.example.fr/epci': '200070779' }),
    )
    expect(staff).toMatchObject({ role: 'epci_staff', scope: someTerritories({ epci: ['200070779'] }) })
    // With a mapping, our own role names are no longer values of the provider.
    expect(await refusal(verifier.verify(await idp.token({ realm_access: { roles: ['admin'] } })))).toMatchObject({ status: 403 })
    // A top-level claim of that exact name wins over the path.
    const literal = createOidcVerifier(options({ roleClaim: 'a.b' }))
    expect(await literal.verify(await idp.token({ 'a.b': 'admin', a: { b: 'epci_staff' } }))).toMatchObject({ role: 'admin' })
  })

  it('refuses every token it cannot trust with a 401 that never quotes the token', async () => {
    const verifier = createOidcVerifier(options())
    const now = Math.floor(Date.now() / 1000)
    const claims = { territoire_role: 'admin' }
    const rsa = idp.keys.find((k) => k.alg === 'RS256')!
    const stranger = await idp.newKey('RS256', false)
    const good = await idp.token(claims)
    const [header, payload] = good.split('.') as [string, string]
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))), sub: 'someone-else' }))}.${good.split('.')[2]}`
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`
    // The "public key as HMAC secret" attack: HS256 keyed with the published JWK.
    const hs256 = await new SignJWT({ iss: idp.issuer, aud: idp.clientId, sub: 'x', exp: now + 300, ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .sign(new TextEncoder().encode(JSON.stringify(rsa.publicJwk)))

    const cases: Array<[string, string, RegExp]> = [
      ['expired', await idp.token({ ...claims, exp: now - 120 }), /expired/],
      ['another issuer', await idp.token({ ...claims, iss: 'https://evil.example/realms/test' }), /not issued by the configured identity provider/],
      ['another audience', await idp.token({ ...claims, aud: 'another-app' }), /audience/],
      ['no expiry', await idp.sign({ iss: idp.issuer, aud: idp.clientId, sub: 'x', ...claims }), /expiry/],
      ['no subject', await idp.sign({ iss: idp.issuer, aud: idp.clientId, exp: now + 300, ...claims }), /subject/],
      ['not yet valid', await idp.token({ ...claims, nbf: now + 3600 }), /not valid yet/],
      ['a key the provider does not publish, under its kid', await idp.token(claims, { key: { ...stranger, kid: rsa.kid } }), /signature/],
      ['a key the provider does not publish', await idp.token(claims, { key: stranger }), /key the identity provider does not publish/],
      ['a tampered payload', tampered, /signature/],
      ['alg none', none, /algorithm|not a valid signed JWT/],
      ['HS256 keyed with the public key', hs256, /algorithm/],
      ['a payload that is not JSON', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', /signature|not a valid signed JWT/],
      ['garbage', 'a.b.c', /not a valid signed JWT/],
    ]
    for (const [what, token, message] of cases) {
      const refused = await refusal(verifier.verify(token))
      expect({ what, ...refused }).toEqual({ what, status: 401, message: expect.stringMatching(message) })
      expect(refused.message).not.toContain(token.split('.')[1] || token)
      expect(refused.message).not.toContain('\n')
    }
  })

  it('refuses with a 403 a valid token without one usable role and scope', async () => {
    const verifier = createOidcVerifier(options())
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /no Territoire role \(claim territoire_role\)/],
      [{ territoire_role: 'superuser' }, /no Territoire role/],
      [{ territoire_role: 'public' }, /no Territoire role/],
      [{ territoire_role: 'admin energy_manager', territoire_communes: '80021' }, /several Territoire roles \(admin, energy_manager/],
      [{ territoire_role: ['epci_staff', 'admin'] }, /several Territoire roles/],
      [{ territoire_role: 42 }, /must be a string or an array of strings/],
      [{ territoire_role: 'epci_staff' }, /epci_staff but no EPCI/],
      [{ territoire_role: 'epci_staff', territoire_epci: [] }, /epci_staff but no EPCI/],
      [{ territoire_role: 'epci_staff', territoire_epci: ['20007077'] }, /territoire_epci holds "20007077", which is not an EPCI SIREN/],
      [{ territoire_role: 'epci_staff', territoire_epci: [200070779] }, /must be a string or an array of strings/],
      [{ territoire_role: 'energy_manager', territoire_epci: '200070779' }, /energy_manager but no commune nor building/],
      [{ territoire_role: 'energy_manager', territoire_communes: '80021 8002X' }, /territoire_communes holds "8002X", which is not an INSEE commune code/],
      [{ territoire_role: 'energy_manager', territoire_buildings: ['../etc/passwd'] }, /territoire_buildings holds "..\/etc\/passwd", which is not a building id/],
    ]
    for (const [claims, message] of cases) {
      const refused = await refusal(verifier.verify(await idp.token(claims)))
      expect({ claims, ...refused }).toEqual({ claims, status: 403, message: expect.stringMatching(message) })
    }
  })

  it('checks the nonce of a sign-in when asked to', async () => {
    const verifier = createOidcVerifier(options())
    const token = await idp.token({ territoire_role: 'admin', nonce: 'n-1' })
    await expect(verifier.verify(token, { nonce: 'n-1' })).resolves.toMatchObject({ role: 'admin' })
    expect(await refusal(verifier.verify(token, { nonce: 'n-2' }))).toEqual({ status: 401, message: expect.stringMatching(/nonce/) })
    expect(await refusal(verifier.verify(await idp.token({ territoire_role: 'admin' }), { nonce: 'n-1' }))).toMatchObject({ status: 401 })
  })

  it('follows a key rotation: an unknown kid fetches the JWKS again, at most once per cooldown', async () => {
    const rotating = createOidcVerifier(options({ jwksCooldownMs: 0 }))
    const patient = createOidcVerifier(options({ jwksCooldownMs: 60_000 }))
    const before = idp.jwksFetches
    await rotating.verify(await idp.token({ territoire_role: 'admin' }))
    await patient.verify(await idp.token({ territoire_role: 'admin' }))
    await rotating.verify(await idp.token({ territoire_role: 'admin' }, { alg: 'ES256' }))
    expect(idp.jwksFetches - before).toBe(2) // one each, then from the cache

    const fresh = await idp.newKey('ES256')
    const rotated = await idp.token({ territoire_role: 'admin' }, { key: fresh })
    await expect(rotating.verify(rotated)).resolves.toMatchObject({ role: 'admin' })
    expect(idp.jwksFetches - before).toBe(3)
    // Within its cooldown, an unknown kid costs the provider nothing and is refused.
    expect(await refusal(patient.verify(rotated))).toMatchObject({ status: 401, message: expect.stringMatching(/does not publish/) })
    expect(idp.jwksFetches - before).toBe(3)
  })

  it('finds the JWKS through discovery when no URL is configured', async () => {
    const verifier = createOidcVerifier(options({ jwksUrl: null }))
    await expect(verifier.verify(await idp.token({ territoire_role: 'admin' }))).resolves.toMatchObject({ role: 'admin', actor: 'oidc:user-1' })
  })

  it('refuses with a 401 to retry, and logs why, when the provider cannot be reached', async () => {
    const lines: string[] = []
    const deadPort = await freePort()
    const verifier = createOidcVerifier(options({ jwksUrl: `http://127.0.0.1:${deadPort}/certs`, log: createLogger('warn', 'test', (line) => lines.push(line)) }))
    const token = await idp.token({ territoire_role: 'admin' })
    expect(await refusal(verifier.verify(token))).toEqual({ status: 401, message: expect.stringMatching(/identity provider keys are unavailable, try again/) })
    expect(lines).toEqual([expect.stringContaining('OIDC: the identity provider keys could not be fetched')])
    expect(lines.join()).not.toContain(token)

    const noDiscovery = createOidcVerifier(options({ issuer: `http://127.0.0.1:${deadPort}/realms/x`, jwksUrl: null }))
    expect(await refusal(noDiscovery.verify(token))).toMatchObject({ status: 401, message: expect.stringMatching(/unavailable/) })
  })

  it('refuses symmetric algorithms and none at start', async () => {
    expect(() => createOidcVerifier(options({ algorithms: ['HS256'] as never }))).toThrow(StartupError)
    expect(() => createOidcVerifier(options({ algorithms: ['RS256', 'none'] as never }))).toThrow(/refused: none/)
    expect(() => createOidcVerifier(options({ audiences: [] }))).toThrow(StartupError)
    // An RS256-only verifier refuses an ES256 token even from the right key.
    const rsOnly = createOidcVerifier(options({ algorithms: ['RS256'] }))
    expect(await refusal(rsOnly.verify(await idp.token({ territoire_role: 'admin' }, { alg: 'ES256' })))).toMatchObject({ status: 401, message: expect.stringMatching(/algorithm/) })
  })
})
