/**
 * API tokens (migration 0013): created and revoked with the CLI (`territoire tokens …`), each
 * with a role, a scope and an expiry. A token reads `tt_<id>_<secret>`: the id (12 hex digits) is
 * the row's key and may be shown and logged; the secret (32 random bytes, base64url) is shown
 * once, at creation, and stored as its SHA-256 only — a random 256-bit secret needs no slow hash,
 * and a stolen table gives no usable token. Checking compares digests in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { ALL_TERRITORIES, InvalidInputError, NotFoundError, someTerritories, type Principal, type Role } from '../../core/index.ts'
import { recordAudit, type Schema } from '../../sql/index.ts'
import type { TokenRole } from '../../sql/schema.ts'
import { identifier, insee, siren } from '../params.ts'

export const TOKEN_ROLES: readonly TokenRole[] = ['admin', 'epci_staff', 'energy_manager']
const TOKEN_SHAPE = /^tt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/
/** Longest life of a token: a year (a token is rotated, not kept forever). */
export const MAX_TOKEN_DAYS = 366

export interface TokenRequest {
  readonly label: string
  readonly role: TokenRole
  readonly epci?: readonly string[]
  readonly communes?: readonly string[]
  readonly buildings?: readonly string[]
  /** Days until it expires, 1 to MAX_TOKEN_DAYS. */
  readonly days: number
  /** Who creates it, for the audit log. */
  readonly actor: string
}

export interface TokenInfo {
  readonly id: string
  readonly label: string
  readonly role: TokenRole
  readonly epci: readonly string[]
  readonly communes: readonly string[]
  readonly buildings: readonly string[]
  readonly createdAt: Date
  readonly createdBy: string
  readonly expiresAt: Date
  readonly revokedAt: Date | null
}

/** Whether a credential has the shape of an API token (it may still be unknown). */
export function looksLikeApiToken(credential: string): boolean {
  return TOKEN_SHAPE.test(credential)
}

export function isTokenRole(value: string): value is TokenRole {
  return (TOKEN_ROLES as readonly string[]).includes(value)
}

/**
 * Checks the request against the role's rules and the territory (every EPCI, commune and
 * building named must exist), stores the token's digest, and answers the token — the only time
 * its secret exists outside the caller's hands.
 */
export async function createToken(db: Kysely<Schema>, request: TokenRequest): Promise<{ token: string; info: TokenInfo }> {
  const label = request.label.trim()
  if (label.length === 0 || label.length > 200) throw new InvalidInputError('the label must be 1 to 200 characters (who or what the token is for)')
  if (!isTokenRole(request.role)) throw new InvalidInputError(`the role must be one of ${TOKEN_ROLES.join(', ')}`)
  if (!(Number.isInteger(request.days) && request.days >= 1 && request.days <= MAX_TOKEN_DAYS)) {
    throw new InvalidInputError(`the token must expire in 1 to ${MAX_TOKEN_DAYS} days`)
  }
  const epci = (request.epci ?? []).map((v) => siren(v))
  const communes = (request.communes ?? []).map((v) => insee(v))
  const buildings = (request.buildings ?? []).map((v) => identifier(v, 'building'))
  const listed = epci.length + communes.length + buildings.length
  if (request.role === 'admin' && listed > 0) throw new InvalidInputError('an admin token sees every territory: give it no --epci, --commune or --building')
  if (request.role === 'epci_staff' && (epci.length === 0 || communes.length + buildings.length > 0)) {
    throw new InvalidInputError('an epci_staff token needs one or more --epci <SIREN>, and nothing else')
  }
  if (request.role === 'energy_manager' && (communes.length + buildings.length === 0 || epci.length > 0)) {
    throw new InvalidInputError('an energy_manager token needs one or more --commune <INSEE> or --building <id>, and no --epci')
  }
  await mustExist(db, 'epci', 'siren', epci, 'EPCI')
  await mustExist(db, 'commune', 'insee', communes, 'commune')
  await mustExist(db, 'building', 'id', buildings, 'building')

  const id = randomBytes(6).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  const expiresAt = new Date(Date.now() + request.days * 86_400_000)
  const info = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('api_token')
      .values({ id, secret_sha256: sha256(secret), label, role: request.role, scope_epci: epci, scope_communes: communes, scope_buildings: buildings, created_by: request.actor, expires_at: expiresAt })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, { actor: request.actor, action: 'token.create', target: id, detail: { label, role: request.role, epci, communes, buildings, expires_at: expiresAt.toISOString() } })
    return tokenInfo(row)
  })
  return { token: `tt_${id}_${secret}`, info }
}

export async function revokeToken(db: Kysely<Schema>, id: string, actor: string): Promise<TokenInfo> {
  if (!/^[0-9a-f]{12}$/.test(id)) throw new InvalidInputError('a token id is 12 hexadecimal digits (see `territoire tokens list`)')
  return db.transaction().execute(async (tx) => {
    const row = await tx.updateTable('api_token').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returningAll().executeTakeFirst()
    if (!row) {
      const exists = await tx.selectFrom('api_token').select('id').where('id', '=', id).executeTakeFirst()
      throw exists ? new InvalidInputError(`token ${id} is already revoked`) : new NotFoundError(`no token ${id}`)
    }
    await recordAudit(tx, { actor, action: 'token.revoke', target: id, detail: { label: row.label } })
    return tokenInfo(row)
  })
}

export async function listTokens(db: Kysely<Schema>): Promise<TokenInfo[]> {
  return (await db.selectFrom('api_token').selectAll().orderBy('created_at').execute()).map(tokenInfo)
}

/** The principal of a token: null when unknown, wrong, revoked or expired (the caller says 401). */
export async function tokenPrincipal(db: Kysely<Schema>, token: string, now = new Date()): Promise<Principal | null> {
  const match = TOKEN_SHAPE.exec(token)
  if (!match) return null
  const row = await db.selectFrom('api_token').selectAll().where('id', '=', match[1]!).executeTakeFirst()
  if (!row || !timingSafeEqual(row.secret_sha256, sha256(match[2]!))) return null
  if (row.revoked_at !== null || row.expires_at <= now) return null
  const role: Role = row.role
  return {
    role,
    scope: role === 'admin' ? ALL_TERRITORIES : someTerritories({ epci: row.scope_epci, communes: row.scope_communes, buildings: row.scope_buildings }),
    actor: `token:${row.id}`,
    name: row.label,
    expiresAt: row.expires_at,
  }
}

function tokenInfo(row: { id: string; label: string; role: TokenRole; scope_epci: string[]; scope_communes: string[]; scope_buildings: string[]; created_at: Date; created_by: string; expires_at: Date; revoked_at: Date | null }): TokenInfo {
  return {
    id: row.id,
    label: row.label,
    role: row.role,
    epci: row.scope_epci,
    communes: row.scope_communes,
    buildings: row.scope_buildings,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  }
}

async function mustExist(db: Kysely<Schema>, table: 'epci' | 'commune' | 'building', column: 'siren' | 'insee' | 'id', values: readonly string[], what: string): Promise<void> {
  if (values.length === 0) return
  const { rows } = await sql<{ key: string }>`SELECT ${sql.ref(column)} AS key FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ANY(${[...values]}::text[])`.execute(db)
  const known = new Set(rows.map((r) => r.key))
  const missing = values.filter((v) => !known.has(v))
  if (missing.length > 0) throw new InvalidInputError(`unknown ${what}: ${missing.join(', ')}`)
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
