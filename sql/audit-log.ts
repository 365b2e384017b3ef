/**
 * The audit log of administrative actions (migration 0013): who did what to what, and when.
 * Appended by the actions themselves — API routes and CLI commands alike — inside the same
 * transaction as the change where there is one, so that a change is never without its entry.
 * Details never hold a secret (a token's secret, a password): only ids, counts and names.
 */
import type { Kysely } from 'kysely'
import type { Schema } from './schema.ts'

/** Known actions; `<thing>.<verb>`. */
export type AuditAction =
  | 'devices.provision'
  | 'import.run'
  | 'dead_letters.replay'
  | 'building.settings'
  | 'token.create'
  | 'token.revoke'
  | 'mqtt_credential.create'
  | 'mqtt_credential.revoke'
  | 'mqtt_credential.export'

export interface AuditEntry {
  /** Who: `token:<id>`, `oidc:<sub>`, `admin-token`, `cli:<system user>`. */
  readonly actor: string
  readonly action: AuditAction
  /** What it was done to (a device id, a token id, a dataset); null when many or none. */
  readonly target: string | null
  readonly detail?: Readonly<Record<string, unknown>>
}

export async function recordAudit(db: Kysely<Schema>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor: entry.actor, action: entry.action, target: entry.target, detail: JSON.stringify(entry.detail ?? {}) })
    .execute()
}

export interface AuditRecord {
  readonly id: string
  readonly at: Date
  readonly actor: string
  readonly action: string
  readonly target: string | null
  readonly detail: Record<string, unknown>
}

/** Newest first; `before` pages by id. */
export async function listAudit(db: Kysely<Schema>, options: { readonly limit: number; readonly before?: string; readonly action?: string }): Promise<AuditRecord[]> {
  return db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor', 'action', 'target', 'detail'])
    .$if(options.before !== undefined, (q) => q.where('id', '<', options.before!))
    .$if(options.action !== undefined, (q) => q.where('action', '=', options.action!))
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute()
}
