/**
 * Who is looking at the page (GET /auth/me), and the staff sign-in: the access token is sent once
 * (POST /auth/session) and the hub answers with an HttpOnly session cookie, so that every later
 * request of the page — fetch, MapLibre's tiles, the live stream — is authenticated without the
 * page keeping the token anywhere. Signing out (DELETE /auth/session) clears the cookie.
 */

export type Role = 'public' | 'admin' | 'epci_staff' | 'energy_manager'

/** What a signed-in caller may see: everything, or EPCI (SIRENs), communes (INSEE) and buildings (ids). */
export type SessionScope = 'all' | { readonly epci: readonly string[]; readonly communes: readonly string[]; readonly buildings: readonly string[] }

export interface Session {
  readonly role: Role
  readonly name: string
  readonly scope: SessionScope
  /** ISO date when the credential stops working; null: it does not expire (or anonymous). */
  readonly expiresAt: string | null
  /** Where an OpenID Connect sign-in starts, or null when the hub has none configured. */
  readonly oidcLogin: string | null
}

export const PUBLIC_SESSION: Session = Object.freeze({
  role: 'public',
  name: 'public',
  scope: Object.freeze({ epci: [], communes: [], buildings: [] }),
  expiresAt: null,
  oidcLogin: null,
})

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  public: 'Public',
  admin: 'Administrateur OPSN',
  epci_staff: 'Agent d’EPCI',
  energy_manager: 'Économe de flux',
}

export function isStaff(session: Session): boolean {
  return session.role !== 'public'
}

/** A refused or failed sign-in, with the French message the dialog shows. */
export class SignInError extends Error {
  constructor(message: string, readonly status: number) {
    super(message)
    this.name = 'SignInError'
  }
}

/**
 * The caller as the hub sees it. Anything but a well-formed answer (hub unreachable, a hub without
 * access control) is the public view: the page then asks nothing it could be refused.
 */
export async function getSession(signal?: AbortSignal): Promise<Session> {
  try {
    const response = await fetch('/auth/me', { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) })
    if (!response.ok) return PUBLIC_SESSION
    return asSession(await response.json())
  } catch (error) {
    if (signal?.aborted) throw error
    return PUBLIC_SESSION
  }
}

/** Exchanges an access token for the session cookie; throws a SignInError with a French message. */
export async function signIn(token: string): Promise<void> {
  let response: Response
  try {
    response = await fetch('/auth/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/problem+json, application/json' },
      body: JSON.stringify({ token }),
    })
  } catch {
    throw new SignInError('Le serveur Territoire ne répond pas : la connexion n’a pas pu être faite. Vérifiez votre connexion ou réessayez dans un instant.', 0)
  }
  if (response.ok) return
  if (response.status === 401 || response.status === 400 || response.status === 403) {
    throw new SignInError('Jeton d’accès refusé : il est inconnu, expiré ou révoqué. Vérifiez-le, ou demandez-en un nouveau à l’OPSN.', response.status)
  }
  if (response.status === 429) throw new SignInError(tooManyAttempts(response.headers.get('Retry-After')), 429)
  throw new SignInError(`Le serveur n’a pas pu vous connecter (erreur ${response.status}). Réessayez dans un instant.`, response.status)
}

/** Ends the session (the hub clears its cookie). */
export async function signOut(): Promise<void> {
  let response: Response
  try {
    response = await fetch('/auth/session', { method: 'DELETE' })
  } catch {
    throw new SignInError('Le serveur Territoire ne répond pas : la déconnexion n’a pas pu être faite. Réessayez dans un instant.', 0)
  }
  if (!response.ok && response.status !== 401) {
    throw new SignInError(`Le serveur n’a pas pu vous déconnecter (erreur ${response.status}). Réessayez dans un instant.`, response.status)
  }
}

/** "Trop de tentatives… dans 5 minutes", from Retry-After (seconds, or an HTTP date). */
export function tooManyAttempts(retryAfter: string | null, now = Date.now()): string {
  const seconds = retryAfter === null ? NaN : /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : (Date.parse(retryAfter) - now) / 1000
  const base = 'Trop de tentatives de connexion.'
  if (!Number.isFinite(seconds) || seconds <= 0) return `${base} Patientez quelques minutes avant de réessayer.`
  if (seconds < 60) {
    const s = Math.ceil(seconds)
    return `${base} Réessayez dans ${s} seconde${s > 1 ? 's' : ''}.`
  }
  const minutes = Math.ceil(seconds / 60)
  return `${base} Réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`
}

/** Checks /auth/me's answer: a malformed one is the public view, never a half-signed-in page. */
export function asSession(json: unknown): Session {
  const body = json as Partial<Record<keyof Session, unknown>> | null
  if (body === null || typeof body !== 'object') return PUBLIC_SESSION
  const role = body.role
  if (role !== 'admin' && role !== 'epci_staff' && role !== 'energy_manager') {
    return { ...PUBLIC_SESSION, oidcLogin: safeLink(body.oidcLogin) }
  }
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])
  const raw = body.scope as { epci?: unknown; communes?: unknown; buildings?: unknown } | 'all' | null | undefined
  const scope: SessionScope = raw === 'all'
    ? 'all'
    : { epci: list(raw?.epci), communes: list(raw?.communes), buildings: list(raw?.buildings) }
  return {
    role,
    name: typeof body.name === 'string' && body.name.trim() !== '' ? body.name : ROLE_LABELS[role],
    scope,
    expiresAt: typeof body.expiresAt === 'string' ? body.expiresAt : null,
    oidcLogin: safeLink(body.oidcLogin),
  }
}

/** A link the page may follow: a path of the hub, or an http(s) URL (never `javascript:` and the like). */
function safeLink(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null
  if (value.startsWith('/') && !value.startsWith('//')) return value
  return /^https?:\/\//i.test(value) && URL.canParse(value) ? value : null
}
