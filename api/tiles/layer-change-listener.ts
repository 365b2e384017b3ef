/**
 * Hears layer changes from any process: `LISTEN territoire_layers` on a dedicated connection
 * made from the pool's configuration (a pooled connection would be handed to other queries).
 * Importers notify in the transaction that bumps `layer_version`, the ingestion in every batch
 * that stored readings (sql/layer-versions.ts); notifications arrive at commit.
 * A lost connection is re-made with a growing delay; since notifications sent meanwhile are
 * lost, `onConnected` runs after every (re)connection so the service can re-read the stored
 * versions and drop what it cannot check (the live layers).
 * Not for the embedded engine: its connections share one session, and a notification goes back
 * to the connection that sent it (checked: docs/tiles.md), so the hub wires in-process calls.
 */
import pg from 'pg'
import { errorMessage, type Logger } from '../../core/index.ts'
import { LAYER_CHANNEL } from '../../sql/index.ts'

export interface LayerChangeListener {
  close(): Promise<void>
}

export interface ListenOptions {
  readonly pool: pg.Pool
  readonly log: Logger
  readonly onChange: (layer: string) => void
  /** After the first connection and every reconnection, before any notification is handled. */
  readonly onConnected: () => Promise<void>
}

export async function listenForLayerChanges(options: ListenOptions): Promise<LayerChangeListener> {
  const { pool, log } = options
  let client: pg.Client | null = null
  let closed = false
  let retry: NodeJS.Timeout | null = null
  let delay = 250

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...pool.options, application_name: 'territoire-tile-listener' } as pg.ClientConfig)
    next.on('notification', (message) => {
      if (message.channel === LAYER_CHANNEL && message.payload) options.onChange(message.payload)
    })
    next.on('error', (error) => {
      log.warn('tile change listener lost its connection; reconnecting', { error: errorMessage(error) })
      lost(next)
    })
    next.on('end', () => lost(next))
    try {
      await next.connect()
      await next.query(`LISTEN ${pg.escapeIdentifier(LAYER_CHANNEL)}`)
    } catch (error) {
      await next.end().catch(() => undefined)
      throw error
    }
    if (closed) {
      await next.end().catch(() => undefined)
      return
    }
    client = next
    delay = 250
    await options.onConnected()
  }

  const lost = (which: pg.Client) => {
    if (client !== which || closed) return
    client = null
    which.end().catch(() => undefined)
    schedule()
  }

  const schedule = () => {
    if (closed || retry) return
    retry = setTimeout(() => {
      retry = null
      connect().catch((error) => {
        log.debug('tile change listener cannot reconnect yet', { error: errorMessage(error) })
        delay = Math.min(delay * 2, 5_000)
        schedule()
      })
    }, delay)
    retry.unref()
  }

  await connect()
  return {
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      const current = client
      client = null
      await current?.end().catch(() => undefined)
    },
  }
}
