/**
 * The MQTT ingestion: subscribe at QoS 1 on a persistent session, decode, resolve the sensors,
 * write in batches, and acknowledge each message only after the transaction that stored it (or
 * its dead letter) has committed. A crash between receipt and commit therefore loses nothing:
 * the broker delivers again, and the idempotent key turns the repeat into a counted duplicate.
 *
 * MQTT.js acknowledges a QoS 1 message when `handleMessage` calls back, and processes one
 * message at a time until it does. To batch and still acknowledge after commit, the pipeline
 * calls back at once with a marker error (no PUBACK is sent, the next message flows) and sends
 * the PUBACK itself after the commit — on the same connection only: after a reconnect the broker
 * redelivers, so acknowledging an old message id would be wrong.
 */
import type { IPublishPacket, MqttClient } from 'mqtt'
import type { Kysely } from 'kysely'
import { errorMessage, type Logger } from '../core/index.ts'
import { MessageRejection, type SenmlRecord } from '../sensors/index.ts'
import type { Schema } from '../sql/index.ts'
import { decodePayload, toReadings, type DecoderOptions } from './message-decoder.ts'
import { connectMqtt, describeBroker } from './mqtt-connection.ts'
import { ReadingWriter, type DeadLetter, type Reading } from './reading-writer.ts'
import { SensorDirectory } from './sensor-directory.ts'

export interface PipelineOptions extends DecoderOptions {
  readonly mqttUrl: string
  readonly clientId: string
  readonly topics: readonly string[]
  readonly batchSize: number
  readonly batchWaitMs: number
  readonly connectTimeoutSeconds: number
  readonly timeZone: string
  readonly db: Kysely<Schema>
  readonly log: Logger
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

interface Pending {
  readonly topic: string
  readonly payload: Buffer
  readonly qos: number
  readonly messageId: number | undefined
  readonly generation: number
  readonly receivedAt: Date
}

/** Given to MQTT.js's callback: "go on with the next message, the PUBACK will come later". */
const ACK_DEFERRED = new Error('acknowledged after commit')

export const DEFAULT_DECODER_OPTIONS: DecoderOptions = { maxPayloadBytes: 256 * 1024, maxFutureSkewSeconds: 300 }

export class IngestionPipeline {
  private client!: MqttClient
  private generation = 0
  private pending: Pending[] = []
  private held: Array<() => void> = []
  private timer: NodeJS.Timeout | null = null
  private chain: Promise<void> = Promise.resolve()
  private stopping = false
  private readonly writer: ReadingWriter
  private readonly directory: SensorDirectory
  private readonly counters: IngestionStats = { received: 0, stored: 0, duplicates: 0, deadLettered: 0, batches: 0, lastCommitAt: null }

  private constructor(private readonly options: PipelineOptions) {
    this.writer = new ReadingWriter(options.db, options.timeZone)
    this.directory = new SensorDirectory(options.db)
  }

  static async start(options: PipelineOptions): Promise<IngestionPipeline> {
    const pipeline = new IngestionPipeline(options)
    pipeline.client = await connectMqtt(options.mqttUrl, {
      clientId: options.clientId,
      clean: false,
      log: options.log,
      timeoutSeconds: options.connectTimeoutSeconds,
      prepare: (client) => {
        client.handleMessage = (packet, callback) => pipeline.receive(packet, callback)
        client.on('connect', () => pipeline.generation++)
      },
    })
    const granted = await pipeline.client.subscribeAsync(Object.fromEntries(options.topics.map((t) => [t, { qos: 1 as const }])))
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic)
    if (refused.length > 0) options.log.error('the broker refused subscriptions', { topics: refused.join(',') })
    options.log.info('ingestion subscribed', { broker: describeBroker(options.mqttUrl), topics: options.topics.join(','), clientId: options.clientId })
    return pipeline
  }

  get connected(): boolean {
    return this.client.connected
  }

  stats(): Readonly<IngestionStats> {
    return { ...this.counters }
  }

  /** Writes what was received, then disconnects. Messages arriving meanwhile stay with the broker. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    await this.flush()
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
    // Bounded memory: past a few batches waiting, stop reading from the broker until a write completes.
    if (this.pending.length >= this.options.batchSize * 4) this.held.push(release)
    else release()
    if (this.pending.length >= this.options.batchSize) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.options.batchWaitMs)
  }

  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.chain = this.chain.then(() => this.drain())
    return this.chain
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize)
      const written = await this.process(batch)
      if (!written) {
        this.pending.unshift(...batch) // stopping while the database is away: leave them to the broker
        return
      }
      while (this.held.length > 0 && this.pending.length < this.options.batchSize * 4) this.held.shift()!()
    }
  }

  /** Decode, resolve, write and acknowledge one batch. False when it could not be written. */
  private async process(batch: readonly Pending[]): Promise<boolean> {
    const { log } = this.options
    for (let attempt = 0; ; attempt++) {
      try {
        const { readings, deadLetters } = await this.prepare(batch)
        const result = await this.writer.write(readings, deadLetters)
        this.account(result.inserted, result.duplicates, result.deadLettered, readings)
        break
      } catch (error) {
        if (!isTransient(error)) {
          // A batch the database refuses for what it holds: keep every message for replay.
          log.error('batch refused by the database, dead-lettered', { messages: batch.length, error: errorMessage(error) })
          const detail = `database refused the batch: ${errorMessage(error)}`.slice(0, 500)
          await this.writer.write([], batch.map((m) => this.deadLetter(m, new MessageRejection('storage_error', detail))))
          this.account(0, 0, batch.length, [])
          break
        }
        if (this.stopping) return false
        const delay = Math.min(10_000, 250 * 2 ** attempt)
        log.warn('database unavailable, batch kept and retried', { messages: batch.length, retryInMs: delay, error: errorMessage(error) })
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
    for (const message of batch) this.acknowledge(message)
    return true
  }

  private async prepare(batch: readonly Pending[]): Promise<{ readings: Reading[]; deadLetters: DeadLetter[] }> {
    const decoded = batch.map((message) => {
      try {
        return { message, records: decodePayload(message.payload, message.receivedAt, this.options) }
      } catch (error) {
        if (error instanceof MessageRejection) return { message, rejection: error }
        throw error
      }
    })
    const baseNames = decoded.flatMap((d) => d.records?.map((r: SenmlRecord) => r.baseName) ?? [])
    const devices = await this.directory.byBaseNames(baseNames)
    const readings: Reading[] = []
    const deadLetters: DeadLetter[] = []
    for (const item of decoded) {
      if (item.rejection) {
        deadLetters.push(this.deadLetter(item.message, item.rejection))
        continue
      }
      try {
        readings.push(...toReadings(item.records!, devices))
      } catch (error) {
        if (!(error instanceof MessageRejection)) throw error
        deadLetters.push(this.deadLetter(item.message, error))
      }
    }
    return { readings, deadLetters }
  }

  private deadLetter(message: Pending, rejection: MessageRejection): DeadLetter {
    this.options.log.warn('message dead-lettered', { topic: message.topic, reason: rejection.reason, detail: rejection.detail })
    return { topic: message.topic, payload: message.payload, reason: rejection.reason, detail: rejection.detail, receivedAt: message.receivedAt }
  }

  private account(inserted: number, duplicates: number, deadLettered: number, readings: readonly Reading[]): void {
    const c = this.counters
    c.stored += inserted
    c.duplicates += duplicates
    c.deadLettered += deadLettered
    c.batches++
    c.lastCommitAt = new Date().toISOString()
    if (inserted > 0) this.options.onWritten?.(new Set(readings.map((r) => r.sid)))
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
