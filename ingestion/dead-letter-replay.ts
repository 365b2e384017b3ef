/**
 * Replays dead letters once their cause is fixed (a device provisioned, a profile corrected):
 * each message goes through the same decoding and rules as on arrival (relative times and the
 * future-time check count from its original reception). What can now be stored is stored and
 * its dead letter marked replayed, in the same transaction; what still fails keeps its dead
 * letter, with the latest reason. Nothing is deleted.
 */
import { sql, type Kysely } from 'kysely'
import type { Logger } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'
import { BatchProcessor, type IncomingMessage } from './batch-processor.ts'
import type { DecoderOptions } from './message-decoder.ts'

export interface ReplayFilter {
  readonly ids?: readonly number[]
  readonly reason?: string
}

export interface ReplayReport {
  readonly examined: number
  readonly stored: number
  readonly readings: number
  readonly duplicates: number
  /** Still refused, by (latest) reason. */
  readonly refused: Readonly<Record<string, number>>
  /** Sensors that received new readings. */
  readonly sids: ReadonlySet<number>
}

interface StoredMessage extends IncomingMessage {
  readonly id: number
}

const CHUNK = 500

export async function replayDeadLetters(
  db: Kysely<Schema>,
  options: DecoderOptions & { readonly timeZone: string },
  filter: ReplayFilter,
  log: Logger,
): Promise<ReplayReport> {
  const processor = new BatchProcessor(db, options) // a fresh directory: it sees devices provisioned just now
  const refused: Record<string, number> = {}
  const sids = new Set<number>()
  let examined = 0
  let stored = 0
  let readings = 0
  let duplicates = 0
  let after = 0
  for (;;) {
    const rows = await db
      .selectFrom('dead_letter')
      .select(['id', 'topic', 'payload', 'received_at'])
      .where('replayed_at', 'is', null)
      .where('id', '>', String(after))
      .$if(filter.reason !== undefined, (q) => q.where('reason', '=', filter.reason!))
      .$if(filter.ids !== undefined, (q) => q.where('id', 'in', (filter.ids ?? []).length ? filter.ids!.map(String) : ['0']))
      .orderBy('id')
      .limit(CHUNK)
      .execute()
    if (rows.length === 0) break
    after = Number(rows.at(-1)!.id)
    const messages: StoredMessage[] = rows.map((r) => ({ id: Number(r.id), topic: r.topic, payload: r.payload, receivedAt: r.received_at }))
    const outcome = await processor.process(messages, {
      rejected: 'return',
      alsoIn: async (trx, accepted, rejected) => {
        if (accepted.length > 0) {
          await sql`UPDATE dead_letter SET replayed_at = now(), replay_attempts = replay_attempts + 1
                    WHERE id = ANY(${accepted.map((m) => m.id)}::bigint[])`.execute(trx)
        }
        if (rejected.length > 0) {
          await sql`
            UPDATE dead_letter SET reason = r.reason, detail = r.detail, replay_attempts = replay_attempts + 1
            FROM unnest(${rejected.map((r) => r.message.id)}::bigint[], ${rejected.map((r) => r.rejection.reason)}::text[],
                        ${rejected.map((r) => r.rejection.detail)}::text[]) AS r (id, reason, detail)
            WHERE dead_letter.id = r.id`.execute(trx)
        }
      },
    })
    examined += rows.length
    stored += outcome.accepted.length
    readings += outcome.inserted
    duplicates += outcome.duplicates
    for (const sid of outcome.sids) sids.add(sid)
    for (const { rejection } of outcome.rejected) refused[rejection.reason] = (refused[rejection.reason] ?? 0) + 1
    if (rows.length < CHUNK) break
  }
  log.info('dead letters replayed', { examined, stored, readings, duplicates, stillRefused: examined - stored })
  return { examined, stored, readings, duplicates, refused, sids }
}
