/**
 * Turns one MQTT message into the readings it carries, or the reason it is refused. Pure apart
 * from the sensor directory lookup, which the pipeline does once per batch.
 */
import { MessageRejection, parseSenml, type SenmlRecord } from '../sensors/index.ts'
import type { KnownDevice } from './sensor-directory.ts'
import type { Reading } from './reading-writer.ts'

export interface DecoderOptions {
  /** Payloads above this size are refused before parsing (bounded memory). */
  readonly maxPayloadBytes: number
  readonly maxFutureSkewSeconds: number
}

/** Step 1, without I/O: parse and resolve the SenML pack. */
export function decodePayload(payload: Buffer, receivedAt: Date, options: DecoderOptions): SenmlRecord[] {
  if (payload.length > options.maxPayloadBytes) {
    throw new MessageRejection('payload_too_large', `${payload.length} bytes, the limit is ${options.maxPayloadBytes}`)
  }
  return parseSenml(payload.toString('utf8'), {
    now: receivedAt.getTime() / 1000,
    maxFutureSkewSeconds: options.maxFutureSkewSeconds,
  })
}

/** Step 2: map every record to a provisioned sensor. One bad record refuses the whole pack. */
export function toReadings(records: readonly SenmlRecord[], devices: ReadonlyMap<string, KnownDevice | null>): Reading[] {
  return records.map((record) => {
    const device = devices.get(record.baseName) ?? null
    if (!device) throw new MessageRejection('unknown_device', `no device is provisioned with SenML base name "${record.baseName}"`)
    const sensor = device.sensors.get(record.name)
    if (!sensor) throw new MessageRejection('unknown_sensor', `device ${device.id} has no sensor "${record.name}"`)
    if (record.value === null) {
      throw new MessageRejection('invalid_type', `sensor ${sensor.id} expects a numeric value ("v"), the record has none`)
    }
    if (record.unit !== null && record.unit !== sensor.unit) {
      throw new MessageRejection('unit_mismatch', `sensor ${sensor.id} measures in ${sensor.unit}, the record is in ${record.unit}`)
    }
    return { sid: sensor.sid, ts: record.time * 1000, value: record.value }
  })
}
