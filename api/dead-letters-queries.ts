/**
 * The dead letter, as the operator inspects it: newest first, filtered by reason and status,
 * payloads shown as text when they are UTF-8 (cut at 4 KiB; the whole payload has its own URL).
 */
import { sql, type Kysely } from 'kysely'
import { NotFoundError } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'

const SHOWN_BYTES = 4096

export interface DeadLetterView {
  readonly id: number
  readonly receivedAt: string
  readonly topic: string
  readonly reason: string
  readonly detail: string | null
  readonly payload: string
  readonly payloadEncoding: 'utf8' | 'base64'
  readonly payloadBytes: number
  readonly payloadTruncated: boolean
  readonly replayedAt: string | null
  readonly replayAttempts: number
}

export interface DeadLetterQuery {
  readonly reason?: string
  readonly status: 'pending' | 'replayed' | 'all'
  readonly beforeId?: number
  readonly limit: number
}

export async function listDeadLetters(db: Kysely<Schema>, query: DeadLetterQuery) {
  const rows = await db
    .selectFrom('dead_letter')
    .select([
      'id',
      'received_at',
      'topic',
      'reason',
      'detail',
      sql<Buffer>`substring(payload FROM 1 FOR ${SHOWN_BYTES + 1})`.as('head'),
      sql<number>`octet_length(payload)`.as('bytes'),
      'replayed_at',
      'replay_attempts',
    ])
    .$if(query.reason !== undefined, (q) => q.where('reason', '=', query.reason!))
    .$if(query.status === 'pending', (q) => q.where('replayed_at', 'is', null))
    .$if(query.status === 'replayed', (q) => q.where('replayed_at', 'is not', null))
    .$if(query.beforeId !== undefined, (q) => q.where('id', '<', String(query.beforeId)))
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute()
  const counts = await db
    .selectFrom('dead_letter')
    .select(['reason', sql<number>`count(*)::int`.as('n')])
    .where('replayed_at', 'is', null)
    .groupBy('reason')
    .orderBy('reason')
    .execute()
  const items: DeadLetterView[] = rows.slice(0, query.limit).map((r) => {
    const truncated = r.bytes > SHOWN_BYTES
    const head = r.head.subarray(0, SHOWN_BYTES)
    const text = new TextDecoder('utf-8', { fatal: true })
    let payload: string
    let payloadEncoding: 'utf8' | 'base64' = 'utf8'
    try {
      payload = text.decode(head, { stream: truncated })
    } catch {
      payload = head.toString('base64')
      payloadEncoding = 'base64'
    }
    return {
      id: Number(r.id),
      receivedAt: r.received_at.toISOString(),
      topic: r.topic,
      reason: r.reason,
      detail: r.detail,
      payload,
      payloadEncoding,
      payloadBytes: r.bytes,
      payloadTruncated: truncated,
      replayedAt: r.replayed_at?.toISOString() ?? null,
      replayAttempts: r.replay_attempts,
    }
  })
  return { items, more: rows.length > query.limit, pendingByReason: Object.fromEntries(counts.map((c) => [c.reason, c.n])) }
}

export async function deadLetterPayload(db: Kysely<Schema>, id: number): Promise<Buffer> {
  const row = await db.selectFrom('dead_letter').select('payload').where('id', '=', String(id)).executeTakeFirst()
  if (!row) throw new NotFoundError(`no dead letter ${id}`)
  return row.payload
}
