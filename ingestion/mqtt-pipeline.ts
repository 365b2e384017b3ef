/**
 * The MQTT ingestion: subscribe at QoS 1 on a persistent session, gather messages into batches,
 * have them decoded, resolved and written (batch-processor.ts), and acknowledge each message
 * only after the transaction that stored it — or its dead letter — has committed. A crash
 * between receipt and commit therefore loses nothing: the broker delivers again, and the
 * idempotent key turns the repeat into a counted duplicate.
 *
 * MQTT.js acknowledges a QoS 1 message when `handleMessage` calls back, and processes one
 * message at a time until it does. To batch and still acknowledge after commit, the pipeline
 * calls back at once with a marker error (no PUBACK is sent, the next message flows) and sends
 * the PUBACK itself after the commit — on the same connection only: after a reconnect the broker
 * redelivers, so acknowledging an old message id would be wrong.
 *
 * Up to `concurrency` batches are written at once (on separate connections) so that decoding
 * the next batch overlaps the database's work on the previous one; acknowledgements still go
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
}

interface Batch {
  readonly messages: readonly Pending[]
  done: boolean
}

/**
 * Batches' worth of messages received but not yet being written, before reading from the broker
 * pauses: one batch fills while the others are written. Memory stays bounded (peak RSS is one of
 * the ingestion's measured targets) and the broker keeps the rest.
 */
const PENDING_BATCHES = 1

/** Given to MQTT.js's callback: "go on with the next message, the PUBACK will come later". */
const ACK_DEFERRED = new Error('acknowledged after commit')

export const DEFAULT_DECODER_OPTIONS: DecoderOptions = { maxPayloadBytes: 256 * 1024, maxFutureSkewSeconds: 300 }

export class IngestionPipeline {
  private client!: MqttClient
  private generation = 0
  private pending: Pending[] = []
  private held: Array<() => void> = []
  /** Batches taken from `pending`, oldest first, until their messages are acknowledged. */
  private readonly inFlight: Batch[] = []
  private writing = 0
  private timer: NodeJS.Timeout | null = null
  private idle: Array<() => void> = []
  private stopping = false
  private readonly processor: BatchProcessor
  readonly metrics: IngestionMetrics
  private readonly counters: IngestionStats = { received: 0, stored: 0, duplicates: 0, deadLettered: 0, batches: 0, lastCommitAt: null }

  private constructor(private readonly options: PipelineOptions) {
    this.processor = new BatchProcessor(options.db, options)
    this.metrics = options.metrics ?? new IngestionMetrics()
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
    this.drain()
    await this.whenIdle()
    this.held.splice(0).forEach((release) => release())
    await this.client.endAsync()
  }

  private receive(packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (this.stopping) return callback(ACK_DEFERRED) // not acknowledged: the broker keeps it
    this.counters.received++
    this.pending.push({
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      qos: packet.qos,
      messageId: packet.messageId,
      generation: this.generation,
      receivedAt: new Date(),
    })
    const release = () => callback(packet.qos > 0 ? ACK_DEFERRED : undefined)
    // Bounded memory: past a batch waiting, stop reading from the broker until a write completes.
    if (this.pending.length >= this.options.batchSize * PENDING_BATCHES) this.held.push(release)
    else release()
    if (this.pending.length >= this.options.batchSize) this.drain()
    else this.timer ??= setTimeout(() => {
      this.timer = null
      this.drain()
    }, this.options.batchWaitMs)
  }

  /** Starts writing batches while there are messages and a free writer. */
  private drain(): void {
    const concurrency = this.options.concurrency ?? 1
    while (this.pending.length > 0 && this.writing < concurrency) {
      const batch: Batch = { messages: this.pending.splice(0, this.options.batchSize), done: false }
      this.inFlight.push(batch)
      this.writing++
      void this.write(batch).then((written) => {
        this.writing--
        if (written) batch.done = true
        // Not written (stopping while the database is away): never acknowledged, the broker delivers it again.
        else this.inFlight.splice(this.inFlight.indexOf(batch), 1)
        this.acknowledgeInOrder()
        while (this.held.length > 0 && this.pending.length < this.options.batchSize * PENDING_BATCHES) this.held.shift()!()
        // Stopping: finish what was received, as long as the database answers.
        if (written || !this.stopping) this.drain()
        this.resolveIdle()
      })
    }
    this.resolveIdle()
  }

  private resolveIdle(): void {
    if (this.writing === 0 && (this.pending.length === 0 || this.stopping)) this.idle.splice(0).forEach((resolve) => resolve())
  }

  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.push(resolve)
      this.resolveIdle()
    })
  }

  /** Decode, resolve and write one batch, retrying while the database is away. False if given up (stopping). */
  private async write(batch: Batch): Promise<boolean> {
    const { log } = this.options
    const started = performance.now()
    for (let attempt = 0; ; attempt++) {
      try {
        this.account(batch, await this.processor.process(batch.messages), started)
        return true
      } catch (error) {
        if (!isTransient(error)) {
          // A batch the database refuses for what it holds: keep every message for replay.
          log.error('batch refused by the database, dead-lettered', { messages: batch.messages.length, error: errorMessage(error) })
          const detail = `database refused the batch: ${errorMessage(error)}`.slice(0, 500)
          this.account(batch, await this.processor.deadLetterAll(batch.messages, new MessageRejection('storage_error', detail)), started)
          return true
        }
        if (this.stopping) return false
        const delay = Math.min(10_000, 250 * 2 ** attempt)
        log.warn('database unavailable, batch kept and retried', { messages: batch.messages.length, retryInMs: delay, error: errorMessage(error) })
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }

  private account(batch: Batch, outcome: BatchOutcome<Pending>, started: number): void {
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
    m.batchSize.observe(batch.messages.length)
    m.batchSeconds.observe((performance.now() - started) / 1000)
    const now = Date.now()
    for (const message of batch.messages) m.commitLatency.observe((now - message.receivedAt.getTime()) / 1000)
    if (outcome.inserted > 0) this.options.onWritten?.(outcome.sids)
  }

  /** PUBACKs in arrival order: a batch's go out once every older batch is committed too. */
  private acknowledgeInOrder(): void {
    while (this.inFlight[0]?.done) {
      for (const message of this.inFlight.shift()!.messages) this.acknowledge(message)
    }
  }

  private acknowledge(message: Pending): void {
    if (message.qos === 0 || message.messageId === undefined) return
    // After a reconnect the broker redelivers this message under a new id: nothing to acknowledge.
    if (message.generation !== this.generation || !this.client.connected) return
    const internal = this.client as unknown as { _sendPacket(packet: object, callback?: () => void): void }
    internal._sendPacket({ cmd: 'puback', messageId: message.messageId })
  }
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
