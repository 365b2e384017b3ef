/**
 * Who may connect to the embedded broker and what each client may do, from mqtt_credential:
 * a client presents a known, unrevoked username and its password; a device or an integration
 * then publishes only to its topic filters and subscribes to nothing. The hub's own clients (the
 * ingestion, the simulator) use an internal credential made in memory at each start, which may
 * do anything: it never leaves the process.
 *
 * Credentials are read from the database at each CONNECT and kept CACHE_MS (a reconnection storm
 * costs one query per device); publishes check the cached row again, so a revoked or rotated
 * credential is refused — its live connection closed — within CACHE_MS.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Schema } from '../sql/index.ts'
import { verifyMqttPassword } from './mqtt-password.ts'
import { matchesAny } from './mqtt-topic-filter.ts'

export const CACHE_MS = 5_000

/** What a connected client was granted. */
export type MqttGrant =
  | { readonly kind: 'internal'; readonly username: string }
  | { readonly kind: 'credential'; readonly username: string; readonly passwordHash: string; readonly topics: readonly string[] }

export interface InternalCredential {
  readonly username: string
  readonly password: string
}

/** A fresh internal credential: a username no device can have (it starts with `_`) and 32 random bytes. */
export function internalCredential(): InternalCredential {
  return { username: '_territoire-hub', password: randomBytes(32).toString('hex') }
}

/** A broker URL with a client's credentials in it (MQTT.js reads them from there). */
export function urlWithCredentials(url: string, credential: InternalCredential): string {
  const parsed = new URL(url)
  parsed.username = encodeURIComponent(credential.username)
  parsed.password = encodeURIComponent(credential.password)
  return parsed.toString()
}

interface CachedRow {
  readonly row: { readonly passwordHash: string; readonly topics: readonly string[] } | null
  readonly expires: number
}

export class MqttAccess {
  private readonly cache = new Map<string, CachedRow>()

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly internal: InternalCredential,
  ) {}

  /** The grant of a username and password, or null: unknown, revoked, or the wrong password. */
  async authenticate(username: string | undefined, password: Buffer | undefined): Promise<MqttGrant | null> {
    if (username === undefined || username === '' || password === undefined) return null
    if (username === this.internal.username) {
      const expected = Buffer.from(this.internal.password, 'utf8')
      return password.length === expected.length && timingSafeEqual(password, expected) ? { kind: 'internal', username } : null
    }
    const row = await this.credential(username)
    if (row === null || !(await verifyMqttPassword(password, row.passwordHash))) return null
    return { kind: 'credential', username, passwordHash: row.passwordHash, topics: row.topics }
  }

  /**
   * Whether a connected client may still publish to a topic: its credential still active with the
   * same password (else 'revoked'), and the topic within its filters (else 'topic').
   */
  async mayPublish(grant: MqttGrant, topic: string): Promise<'ok' | 'revoked' | 'topic'> {
    if (grant.kind === 'internal') return 'ok'
    const row = await this.credential(grant.username)
    if (row === null || row.passwordHash !== grant.passwordHash) return 'revoked'
    return matchesAny(row.topics, topic) ? 'ok' : 'topic'
  }

  /** Only the hub subscribes: devices and integrations publish. */
  maySubscribe(grant: MqttGrant): boolean {
    return grant.kind === 'internal'
  }

  private async credential(username: string): Promise<CachedRow['row']> {
    const now = Date.now()
    const cached = this.cache.get(username)
    if (cached !== undefined && cached.expires > now) return cached.row
    const found = await this.db
      .selectFrom('mqtt_credential')
      .select(['password_hash', 'topics'])
      .where('username', '=', username)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    const row = found === undefined ? null : { passwordHash: found.password_hash, topics: found.topics }
    if (this.cache.size > 100_000) this.cache.clear() // unknown usernames are cached too: bounded
    this.cache.set(username, { row, expires: now + CACHE_MS })
    return row
  }
}
