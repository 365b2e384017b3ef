/**
 * One batch of messages, from bytes to rows: decode each message (message-decoder.ts), resolve
 * every device of the batch in one lookup (sensor-directory.ts), refuse a payload that is not
 * the device its topic names (topic-binding.ts), map values to readings (reading-mapper.ts), and
 * write readings and dead letters in one transaction (reading-writer.ts). Used by the MQTT
 * pipeline and by the dead-letter replay, so both follow the same rules.
 */
import type { Kysely, Transaction } from 'kysely'
import { MessageRejection, type RejectionReason } from '../sensors/index.ts'
import type { Schema } from '../sql/index.ts'
import { decodeMessage, formatOf, type DecodedMessage, type DecoderOptions, type MessageFormat } from './message-decoder.ts'
import { senmlReadings, uplinkReadings, type MappedReadings } from './reading-mapper.ts'
import { ConflictingReadings, ReadingWriter, readingKey, type DeadLetter, type Reading, type WriteResult } from './reading-writer.ts'
import { SensorDirectory } from './sensor-directory.ts'
import { checkTopicBinding, topicDevice, type ResolvedDevices, type TopicDevice } from './topic-binding.ts'

export interface IncomingMessage {
  readonly topic: string
  readonly payload: Buffer
  readonly receivedAt: Date
}

export interface Rejected<M extends IncomingMessage = IncomingMessage> {
  readonly message: M
  readonly rejection: MessageRejection
}

export interface BatchOutcome<M extends IncomingMessage = IncomingMessage> extends WriteResult {
  /** Sensors that received new readings (for caches and live views). */
  readonly sids: ReadonlySet<number>
  /** What was refused, with why. */
  readonly rejected: readonly Rejected<M>[]
  /** Messages whose readings are stored (new or already there). */
  readonly accepted: readonly M[]
  readonly formats: ReadonlyMap<MessageFormat, number>
  readonly ignoredFields: number
}

export interface ProcessOptions<M extends IncomingMessage> {
  /** 'write' (the pipeline): refused messages become dead letters in the same transaction; 'return' (the replay): the caller decides. */
  readonly rejected: 'write' | 'return'
  /** More statements in the same transaction, told what was accepted and rejected (the replay marks its dead letters). */
  readonly alsoIn?: (trx: Transaction<Schema>, accepted: readonly M[], rejected: readonly Rejected<M>[]) => Promise<void>
}

export class BatchProcessor {
  readonly directory: SensorDirectory
  private readonly writer: ReadingWriter

  constructor(
    db: Kysely<Schema>,
    private readonly options: DecoderOptions & { readonly timeZone: string },
  ) {
    this.directory = new SensorDirectory(db)
    this.writer = new ReadingWriter(db, options.timeZone)
  }

  /** Decodes, resolves and writes; throws only when the database fails (the caller decides whether to retry). */
  async process<M extends IncomingMessage>(messages: readonly M[], options: ProcessOptions<M> = { rejected: 'write' }): Promise<BatchOutcome<M>> {
    const prepared = await this.prepare(messages)
    const rejected = [...prepared.rejected]
    let accepted = prepared.accepted
    for (;;) {
      const readings = accepted.flatMap((a) => a.readings)
      try {
        const deadLetters = options.rejected === 'write' ? rejected.map(toDeadLetter) : []
        const result = await this.writer.write(readings, deadLetters, options.alsoIn
          ? (trx) => options.alsoIn!(trx, accepted.map((a) => a.message), rejected)
          : undefined)
        return {
          ...result,
          duplicates: result.duplicates + prepared.inBatchDuplicates,
          sids: new Set(readings.map((r) => r.sid)),
          rejected,
          accepted: accepted.map((a) => a.message),
          formats: prepared.formats,
          ignoredFields: prepared.ignoredFields,
        }
      } catch (error) {
        if (!(error instanceof ConflictingReadings)) throw error
        // Rare: a different value is stored for some (sensor, time). Refuse those messages whole and write the rest again.
        const keys = new Set(error.keys.map((k) => readingKey(k.sid, k.ts)))
        const conflicting = accepted.filter((a) => a.readings.some((r) => keys.has(readingKey(r.sid, r.ts))))
        if (conflicting.length === 0) throw error
        accepted = accepted.filter((a) => !conflicting.includes(a))
        for (const item of conflicting) {
          const clash = item.readings.find((r) => keys.has(readingKey(r.sid, r.ts)))!
          rejected.push({ message: item.message, rejection: conflict(clash) })
        }
      }
    }
  }

  /** Writes every message as a dead letter with the same reason (a batch the database refused). */
  async deadLetterAll<M extends IncomingMessage>(messages: readonly M[], rejection: MessageRejection): Promise<BatchOutcome<M>> {
    const rejected = messages.map((message) => ({ message, rejection }))
    const result = await this.writer.write([], rejected.map(toDeadLetter))
    return { ...result, sids: new Set(), rejected, accepted: [], formats: new Map(), ignoredFields: 0 }
  }

  private async prepare<M extends IncomingMessage>(messages: readonly M[]) {
    const formats = new Map<MessageFormat, number>()
    const decoded: Array<{ message: M; decoded?: DecodedMessage; named?: TopicDevice | null; rejection?: MessageRejection }> = messages.map((message) => {
      const format = formatOf(message.topic)
      formats.set(format, (formats.get(format) ?? 0) + 1)
      try {
        return { message, decoded: decodeMessage(message.topic, message.payload, message.receivedAt, this.options), named: topicDevice(message.topic, format) }
      } catch (error) {
        if (error instanceof MessageRejection) return { message, rejection: error }
        throw error
      }
    })

    const euis: string[] = []
    const senmlNames: Array<{ baseName: string; name: string }> = []
    const topicIds: string[] = []
    for (const { decoded: d, named } of decoded) {
      if (d?.format === 'senml') senmlNames.push(...d.records)
      else if (d?.format === 'ttn-v3' || d?.format === 'chirpstack-v4') euis.push(d.uplink.devEui)
      if (named?.by === 'id') topicIds.push(named.id)
    }
    const [devices, names, ids] = await Promise.all([
      this.directory.byDevEuis(euis),
      this.directory.bySenmlNames(senmlNames),
      this.directory.byIds(topicIds),
    ])
    const resolved: ResolvedDevices = { byId: ids, byDevEui: devices, bySenmlName: names }

    const accepted: Array<{ message: M; readings: readonly Reading[] }> = []
    const rejected: Rejected<M>[] = []
    const seen = new Map<string, number>()
    let inBatchDuplicates = 0
    let ignoredFields = 0
    for (const item of decoded) {
      if (item.rejection) {
        rejected.push({ message: item.message, rejection: item.rejection })
        continue
      }
      try {
        checkTopicBinding(item.message.topic, item.named ?? null, item.decoded!, resolved)
        const mapped = map(item.decoded!, devices, names)
        ignoredFields += mapped.ignoredFields
        // Within the batch: the same reading twice is a re-delivery; another value at the same time is a conflict.
        // Keys are remembered only once the whole message is accepted: a refused one leaves no trace.
        const fresh: Array<{ key: string; reading: Reading }> = []
        for (const reading of mapped.readings) {
          const key = readingKey(reading.sid, reading.ts)
          const earlier = seen.get(key)
          if (earlier === undefined) fresh.push({ key, reading })
          else if (earlier === reading.value) inBatchDuplicates++
          else throw conflict(reading)
        }
        for (const { key, reading } of fresh) seen.set(key, reading.value)
        accepted.push({ message: item.message, readings: fresh.map((f) => f.reading) })
      } catch (error) {
        if (!(error instanceof MessageRejection)) throw error
        rejected.push({ message: item.message, rejection: error })
      }
    }
    return { accepted, rejected, formats, inBatchDuplicates, ignoredFields }
  }
}

function map(
  decoded: DecodedMessage,
  devices: Awaited<ReturnType<SensorDirectory['byDevEuis']>>,
  names: Awaited<ReturnType<SensorDirectory['bySenmlNames']>>,
): MappedReadings {
  switch (decoded.format) {
    case 'senml':
      return senmlReadings(decoded.records, names)
    case 'ttn-v3':
    case 'chirpstack-v4':
      return uplinkReadings(decoded.uplink, devices.get(decoded.uplink.devEui))
    case 'chirpstack-v4-log': {
      const { log } = decoded
      const reason: RejectionReason = log.code === 'UPLINK_CODEC' ? 'decoder_error' : 'network_log'
      const device = log.devEui ? ` (DevEUI ${log.devEui.toUpperCase()})` : ''
      throw new MessageRejection(reason, `ChirpStack ${log.level} ${log.code}${device}: ${log.description}`)
    }
  }
}


function conflict(reading: Reading): MessageRejection {
  return new MessageRejection('conflicting_value', `another value is already stored for sensor #${reading.sid} at ${new Date(reading.ts).toISOString()}`)
}

function toDeadLetter({ message, rejection }: Rejected): DeadLetter {
  return { topic: message.topic, payload: message.payload, reason: rejection.reason, detail: rejection.detail, receivedAt: message.receivedAt }
}
