import { InvalidInputError } from '../core/index.ts'
import { cliActor, loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'Inspect and replay refused messages: `dead-letters list`, `dead-letters replay`',
  usage: 'territoire dead-letters list [--reason <r>] [--limit <n>]\n       territoire dead-letters replay [--reason <r>] [--id <n>]',
  options: {
    reason: { type: 'string', description: 'only dead letters refused for this reason (e.g. unknown_device)' },
    id: { type: 'string', description: 'only this dead letter (replay)' },
    limit: { type: 'string', description: 'how many to list, newest first (default 20)' },
  },
  details: () =>
    'Replay runs each pending dead letter through the ingestion again, after you fixed its cause (provisioned the device…):\n' +
    'what can be stored is stored and marked replayed; the rest keeps its latest reason. Uses DATABASE_URL, or the\n' +
    'embedded database in HUB_DATA_DIR (stop the hub first, or use POST /api/dead-letters/replay).',
  async run({ positionals, values, env }) {
    const [action, ...extra] = positionals
    if ((action !== 'list' && action !== 'replay') || extra.length > 0) {
      throw new InvalidInputError('usage: territoire dead-letters list|replay [--reason <r>] [--id <n>]')
    }
    const { config, log } = loadConfig(env)
    const { REJECTION_REASONS } = await import('../sensors/index.ts')
    const reason = values.reason as string | undefined
    if (reason !== undefined && !(REJECTION_REASONS as readonly string[]).includes(reason)) {
      throw new InvalidInputError(`--reason must be one of ${REJECTION_REASONS.join(', ')}`)
    }
    const id = values.id === undefined ? undefined : Number(values.id)
    if (id !== undefined && !(Number.isSafeInteger(id) && id > 0)) throw new InvalidInputError('--id must be a dead-letter id')

    if (action === 'list') {
      const limit = values.limit === undefined ? 20 : Number(values.limit)
      if (!(Number.isSafeInteger(limit) && limit > 0 && limit <= 1000)) throw new InvalidInputError('--limit must be from 1 to 1000')
      const { listDeadLetters } = await import('../api/dead-letters-queries.ts')
      const page = await withDatabase(config, log, (database) => listDeadLetters(database.db, { status: 'pending', limit, ...(reason ? { reason } : {}) }))
      const counts = Object.entries(page.pendingByReason)
      process.stdout.write(counts.length === 0 ? 'no pending dead letter\n' : `pending: ${counts.map(([r, n]) => `${r} ${n}`).join(', ')}\n`)
      for (const item of page.items) process.stdout.write(`#${item.id}\t${item.receivedAt}\t${item.reason}\t${item.topic}\t${item.detail ?? ''}\n`)
      return 0
    }
    const { DEFAULT_DECODER_OPTIONS, replayDeadLetters } = await import('../ingestion/index.ts')
    const decoder = { ...DEFAULT_DECODER_OPTIONS, maxPayloadBytes: config.ingestion.maxPayloadBytes, maxFutureSkewSeconds: config.ingestion.maxFutureSkewSeconds, timeZone: config.timeZone }
    const { recordAudit } = await import('../sql/index.ts')
    const report = await withDatabase(config, log, async (database) => {
      const filter = { ...(reason ? { reason } : {}), ...(id ? { ids: [id] } : {}) }
      const done = await replayDeadLetters(database.db, decoder, filter, log)
      await recordAudit(database.db, { actor: cliActor(env), action: 'dead_letters.replay', target: null, detail: { via: 'cli', ...filter, examined: done.examined, stored: done.stored } })
      return done
    })
    const refused = Object.entries(report.refused).map(([r, n]) => `${r} ${n}`).join(', ')
    process.stdout.write(`replayed ${report.examined}: ${report.stored} stored (${report.readings} new readings, ${report.duplicates} already there)` +
      `${refused ? `, still refused: ${refused}` : ''}\n`)
    return 0
  },
}
