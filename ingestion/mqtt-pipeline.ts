/**
 * The MQTT ingestion: subscribe at QoS 1 on a persistent session, gather messages into batches,
 * have them decoded, resolved and written (batch-processor.ts), and acknowledge each message
 * only after the transaction that stored it — or its dead letter — has committed. A crash
 * between receipt and commit therefore loses nothing: the broker delivers again, and the
 * idempotent key turns the repeat into a counted duplicate.
 *
 * MQTT.js acknowledges a QoS 1 message when `handleMessage` calls back, and processes one
 * message at a time until it does. To batch and still acknowledge after commit, the pipeline
 * calls back at once with a marker error (no PUBACK is sent, the next message flows) and writes
 * the PUBACKs itself after the commit, all those a commit releases in one write to the
 * connection's stream — on the same connection only: after a reconnect the broker redelivers, so
 * acknowledging an old message id would be wrong.
 *
 * Messages are spread over `concurrency` lanes by topic (a device publishes on its own topic), and
 * each lane writes its batches one after another on its own connection. Lanes therefore touch
 * different sensors, and their transactions do not wait on each other's rollup rows — batches
 * taken in arrival order did, which left one database connection idle. Acknowledgements still go
 * out in the order the messages came in, as MQTT requires.
 */
import type { IPublishPacket, MqttClient } from 'mqtt'
import type { Kysely } from 'kysely'
import { errorMessage, type Logger } from '../core/index.ts'
import { MessageRejection } from '../sensors/index.ts'
import type { Schema } from '../sql/index.ts'
import { BatchProcessor, type BatchOutcome, type IncomingMessage } from './batch-processor.ts'
import { IngestionMetrics } from './ingestion-metrics.ts'
import type { DecoderOptions } from './message-decoder.ts'
import { connectMqtt, describeBroker } from './mqtt-connection.ts'

export interface PipelineOptions extends DecoderOptions {
  readonly mqttUrl: string
  readonly clientId: string
  readonly topics: readonly string[]
  /**
   * Share the stream with other ingestion processes: subscribe to `$share/<group>/<topic>` (MQTT 5
   * shared subscriptions; the broker gives each message to one member of the group).
   */
  readonly shareGroup?: string | null
  readonly batchSize: number
  readonly batchWaitMs: number
  /** Batches written at once; 1 on the embedded engine, which runs one transaction at a time anyway. */
  readonly concurrency?: number
  readonly connectTimeoutSeconds: number
  readonly timeZone: string
  readonly db: Kysely<Schema>
  readonly log: Logger
  readonly metrics?: IngestionMetrics
  /** Called after each commit with the sensors that received new readings. */
  readonly onWritten?: (sids: ReadonlySet<number>) => void
}

export interface IngestionStats {
  received: number
  stored: number
  duplicates: number
  deadLettered: number
  batches: number
  lastCommitAt: string | null
}

interface Pending extends IncomingMessage {
  readonly qos: number
  readonly messageId: number | undefined
  readonly generation: number
  /** 'received' until its batch ends: 'written' (acknowledge) or 'abandoned' (stopping, never acknowledged). */
  state: 'received' | 'written' | 'abandoned'
}

interface Lane {
  pending: Pending[]
  writing: boolean
}

/**
 * Batches' worth of messages received but not yet being written, before reading from the broker
 * pauses: one batch fills while the lanes write theirs. Memory stays bounded (peak RSS is one of
 * the ingestion's measured targets) and the broker keeps the rest.
 */
const PENDING_BATCHES = 1

/** Given to MQTT.js's callback: "go on with the next message, the PUBACK will come later". */
const ACK_DEFERRED = new Error('acknowledged after commit')

export const DEFAULT_DECODER_OPTIONS: DecoderOptions = { maxPayloadBytes: 256 * 1024, maxFutureSkewSeconds: 300 }

export class IngestionPipeline {
  private client!: MqttClient
  private generation = 0
  private readonly lanes: Lane[]
  /** Every message received and not yet acknowledged, in arrival order (from `unackedHead` on). */
  private unacked: Pending[] = []
  private unackedHead = 0
  private held: Array<() => void> = []
  private timer: NodeJS.Timeout | null = null
  private idle: Array<() => void> = []
  private stopping = false
  private readonly processor: BatchProcessor
  readonly metrics: IngestionMetrics
  private readonly counters: IngestionStats = { received: 0, stored: 0, duplicates: 0, deadLettered: 0, batches: 0, lastCommitAt: null }

  private constructor(private readonly options: PipelineOptions) {
    this.processor = new BatchProcessor(options.db, options)
    this.metrics = options.metrics ?? new IngestionMetrics()
    this.lanes = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => ({ pending: [], writing: false }))
  }

  static async start(options: PipelineOptions): Promise<IngestionPipeline> {
    const pipeline = new IngestionPipeline(options)
    const shared = options.shareGroup ?? null
    pipeline.client = await connectMqtt(options.mqttUrl, {
      clientId: options.clientId,
      clean: false,
      protocolVersion: shared ? 5 : 4,
      log: options.log,
      timeoutSeconds: options.connectTimeoutSeconds,
      prepare: (client) => {
        client.handleMessage = (packet, callback) => pipeline.receive(packet, callback)
        client.on('connect', () => pipeline.generation++)
      },
    })
    const filters = options.topics.map((t) => (shared ? `$share/${shared}/${t}` : t))
    const granted = await pipeline.client.subscribeAsync(Object.fromEntries(filters.map((t) => [t, { qos: 1 as const }])))
    const refused = granted.filter((g) => g.qos >= 128).map((g) => g.topic)
    if (refused.length > 0) options.log.error('the broker refused subscriptions', { topics: refused.join(',') })
    options.log.info('ingestion subscribed', { broker: describeBroker(options.mqttUrl), topics: filters.join(','), clientId: options.clientId })
    return pipeline
  }

  get connected(): boolean {
    return this.client.connected
  }

  /** Forget cached device lookups (after provisioning): the next message sees the new devices. */
  forgetDevices(): void {
    this.processor.directory.clear()
  }

  stats(): Readonly<IngestionStats> {
    return { ...this.counters }
  }

  /** Writes what was received, then disconnects. Messages arriving meanwhile stay with the broker. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.drain(true)
    await this.whenIdle()
    this.held.splice(0).forEach((release) => release())
    await this.client.endAsync()
  }

  private receive(packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (this.stopping) return callback(ACK_DEFERRED) // not acknowledged: the broker keeps it
    this.counters.received++
    const message: Pending = {
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      qos: packet.qos,
      messageId: packet.messageId,
      generation: this.generation,
      receivedAt: new Date(),
      state: 'received',
    }
    const lane = this.lanes[this.lanes.length === 1 ? 0 : laneOf(packet.topic, this.lanes.length)]!
    lane.pending.push(message)
    this.unacked.push(message)
    const release = () => callback(packet.qos > 0 ? ACK_DEFERRED : undefined)
    // Bounded memory: past the batches being written and one waiting, stop reading from the broker until a write completes.
    if (this.waiting() >= this.holdAt()) {
      this.held.push(release)
      this.drain(true) // whatever the lanes hold goes now: nothing more will come until a write completes
    } else release()
    if (lane.pending.length >= this.options.batchSize) this.drain(false)
    else this.timer ??= setTimeout(() => {
      this.timer = null
      this.drain(true)
    }, this.options.batchWaitMs)
  }

  /** Messages received and not yet acknowledged. */
  private waiting(): number {
    return this.unacked.length - this.unackedHead
  }

  private holdAt(): number {
    return this.options.batchSize * (this.lanes.length + PENDING_BATCHES)
  }

  /** Each free lane writes a batch: a full one, or (flush) whatever it holds. */
  private drain(flush: boolean): void {
    for (const lane of this.lanes) {
      if (lane.writing || lane.pending.length === 0 || (!flush && lane.pending.length < this.options.batchSize)) continue
      const messages = lane.pending.splice(0, this.options.batchSize)
      lane.writing = true
      void this.write(messages).then((written) => {
        lane.writing = false
        // Not written (stopping while the database is away): never acknowledged, the broker delivers it again.
        for (const message of messages) message.state = written ? 'written' : 'abandoned'
        this.acknowledgeInOrder()
        while (this.held.length > 0 && this.waiting() < this.holdAt()) this.held.shift()!()
        // What arrived during the write forms the next batch. Stopping: finish it, as long as the database answers.
        if (written || !this.stopping) this.drain(true)
        this.resolveIdle()
      })
    }
    this.resolveIdle()
  }

  private resolveIdle(): void {
    if (this.lanes.every((lane) => !lane.writing) && (this.stopping || this.lanes.every((lane) => lane.pending.length === 0))) this.idle.splice(0).forEach((resolve) => resolve())
  }

  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.push(resolve)
      this.resolveIdle()
    })
  }

  /** Decode, resolve and write one batch, retrying while the database is away. False if given up (stopping). */
  private async write(batch: readonly Pending[]): Promise<boolean> {
    const { log } = this.options
    const started = performance.now()
    for (let attempt = 0; ; attempt++) {
      try {
        this.account(batch, await this.processor.process(batch), started)
        return true
      } catch (error) {
        if (!isTransient(error)) {
          // A batch the database refuses for what it holds: keep every message for replay.
          log.error('batch refused by the database, dead-lettered', { messages: batch.length, error: errorMessage(error) })
          const detail = `database refused the batch: ${errorMessage(error)}`.slice(0, 500)
          this.account(batch, await this.processor.deadLetterAll(batch, new MessageRejection('storage_error', detail)), started)
          return true
        }
        if (this.stopping) return false
        const delay = Math.min(10_000, 250 * 2 ** attempt)
        log.warn('database unavailable, batch kept and retried', { messages: batch.length, retryInMs: delay, error: errorMessage(error) })
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }

  private account(batch: readonly Pending[], outcome: BatchOutcome<Pending>, started: number): void {
    const c = this.counters
    c.stored += outcome.inserted
    c.duplicates += outcome.duplicates
    c.deadLettered += outcome.deadLettered
    c.batches++
    c.lastCommitAt = new Date().toISOString()
    const m = this.metrics
    for (const [format, count] of outcome.formats) m.received.inc({ format }, count)
    m.ignoredFields.inc(outcome.ignoredFields)
    m.stored.inc(outcome.inserted)
    m.duplicates.inc(outcome.duplicates)
    for (const { rejection, message } of outcome.rejected) {
      m.deadLetters.inc({ reason: rejection.reason })
      this.options.log.warn('message dead-lettered', { topic: message.topic, reason: rejection.reason, detail: rejection.detail })
    }
    m.batchSize.observe(batch.length)
    m.batchSeconds.observe((performance.now() - started) / 1000)
    const now = Date.now()
    for (const message of batch) m.commitLatency.observe((now - message.receivedAt.getTime()) / 1000)
    if (outcome.inserted > 0) this.options.onWritten?.(outcome.sids)
  }

  /** PUBACKs in arrival order: a message's goes out once it and every older one are written. */
  private acknowledgeInOrder(): void {
    const queue = this.unacked
    let head = this.unackedHead
    const ids: number[] = []
    for (; head < queue.length && queue[head]!.state !== 'received'; head++) {
      const message = queue[head]!
      // After a reconnect the broker redelivers a message under a new id: nothing to acknowledge.
      if (message.state === 'written' && message.qos > 0 && message.messageId !== undefined && message.generation === this.generation) ids.push(message.messageId)
    }
    if (ids.length > 0 && this.client.connected) this.client.stream.write(pubacks(ids))
    if (head === queue.length) {
      this.unacked = []
      head = 0
    } else if (head > 4096 && head * 2 > queue.length) {
      this.unacked = queue.slice(head)
      head = 0
    }
    this.unackedHead = head
  }

}

/**
 * PUBACK packets for these message ids, in one buffer written at once (a batch's worth of
 * acknowledgements, one system call). Four bytes each, the same in MQTT 3.1.1 and 5 (where a
 * success without properties may omit its reason code, MQTT 5 §3.4.2.1).
 */
function pubacks(ids: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(ids.length * 4)
  ids.forEach((id, i) => {
    buffer[i * 4] = 0x40
    buffer[i * 4 + 1] = 0x02
    buffer.writeUInt16BE(id, i * 4 + 2)
  })
  return buffer
}

/** The lane of a topic: a stable hash (FNV-1a) of it, so that a device's messages share a lane. */
export function laneOf(topic: string, lanes: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < topic.length; i++) hash = Math.imul(hash ^ topic.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % lanes
}

/** Connection loss, shutdown, overload, serialisation conflicts: worth retrying the same batch. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return /^(08|53|57)/.test(code) || code === '40001' || code === '40P01'
  }
  if (typeof code === 'string' && code.startsWith('E')) return true // ECONNREFUSED, ECONNRESET, …
  return /connection|terminated|timeout/i.test(errorMessage(error))
}
