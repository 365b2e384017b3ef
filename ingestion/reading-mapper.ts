/**
 * A decoded message and the device it belongs to → the readings to store, or the reason it is
 * refused. Pure. The rules that make every stored number trustworthy live here: the value goes
 * to a provisioned sensor, is a finite number (never coerced), is in the sensor's unit and
 * plausible range; a pack or uplink with one bad value is refused whole.
 */
import { CodecError, findCodec, findProfile, flattenDecoded, MessageRejection, type SenmlRecord, type Uplink } from '../sensors/index.ts'
import type { Reading } from './reading-writer.ts'
import type { KnownDevice, KnownSensor } from './sensor-directory.ts'

export interface MappedReadings {
  readonly readings: readonly Reading[]
  /** Decoded fields no sensor of the device stores (status flags, diagnostics): counted, not stored. */
  readonly ignoredFields: number
}

/**
 * SenML sums (RFC 8428 `s`) are in the record's unit times seconds: which counter units they
 * may be stored in, and the factor from the sum to that unit.
 */
const SUM_UNITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  W: { J: 1, Wh: 1 / 3600, kWh: 1 / 3_600_000 },
  kW: { kJ: 1, kWh: 1 / 3600 },
  'm3/s': { m3: 1 },
  'l/s': { l: 1 },
}

export function senmlReadings(
  records: readonly SenmlRecord[],
  resolved: ReadonlyMap<string, { device: KnownDevice; channel: string } | null>,
): MappedReadings {
  const readings = records.map((record) => {
    const name = record.baseName + record.name
    const target = resolved.get(name)
    if (!target) throw new MessageRejection('unknown_device', `no device is provisioned with a SenML base name that "${name}" starts with`)
    const sensor = target.device.sensors.get(target.channel)
    if (!sensor) throw new MessageRejection('unknown_sensor', `device ${target.device.id} has no sensor "${target.channel}"`)
    return { sid: sensor.sid, ts: record.time * 1000, value: checked(sensor, senmlValue(record, sensor)) }
  })
  return { readings, ignoredFields: 0 }
}

function senmlValue(record: SenmlRecord, sensor: KnownSensor): number {
  if (record.stringValue !== null || record.booleanValue !== null || record.dataValue !== null) {
    throw new MessageRejection('invalid_type', `sensor ${sensor.id} stores numbers: string, boolean and data values are refused`)
  }
  if (record.sum !== null && (sensor.kind === 'counter' || record.value === null)) {
    if (sensor.kind !== 'counter') throw new MessageRejection('invalid_type', `a sum ("s") goes to a counter; sensor ${sensor.id} is a gauge`)
    if (record.unit === null) return record.sum
    const factor = SUM_UNITS[record.unit]?.[sensor.unit]
    if (factor === undefined) {
      throw new MessageRejection('unit_mismatch', `a sum of ${record.unit} (${record.unit}·s) cannot be stored in ${sensor.unit} (sensor ${sensor.id})`)
    }
    return record.sum * factor
  }
  if (record.unit !== null && record.unit !== sensor.unit) {
    throw new MessageRejection('unit_mismatch', `sensor ${sensor.id} measures in ${sensor.unit}, the record is in ${record.unit}`)
  }
  return record.value!
}

export function uplinkReadings(uplink: Uplink, device: KnownDevice | null | undefined): MappedReadings {
  if (!device) throw new MessageRejection('unknown_device', `no device is provisioned with DevEUI ${uplink.devEui.toUpperCase()}`)
  const fields = uplinkFields(uplink, device)
  // A frame with no measurement (device information after a join, a configuration echo): nothing to store.
  if (Object.keys(fields).length === 0) return { readings: [], ignoredFields: 0 }
  const readings: Reading[] = []
  let ignoredFields = 0
  for (const [field, value] of Object.entries(fields)) {
    const sensor = device.sensors.get(field)
    if (!sensor) {
      ignoredFields++
      continue
    }
    if (value === null) throw new MessageRejection('non_finite_value', `decoded "${field}" is null where sensor ${sensor.id} needs a number`)
    if (typeof value !== 'number') {
      throw new MessageRejection('invalid_type', `decoded "${field}" must be a number for sensor ${sensor.id} (got ${JSON.stringify(value)})`)
    }
    readings.push({ sid: sensor.sid, ts: uplink.time * 1000, value: checked(sensor, value) })
  }
  if (readings.length === 0) {
    throw new MessageRejection('unknown_sensor', `none of the decoded fields (${Object.keys(fields).join(', ')}) is a sensor of device ${device.id}`)
  }
  return { readings, ignoredFields }
}

/** The uplink's values: the network server's decoding when it has one, else the profile's codec. */
function uplinkFields(uplink: Uplink, device: KnownDevice): Record<string, unknown> {
  if (uplink.decoded !== null) return flattenDecoded(uplink.decoded)
  if (uplink.payload === null) {
    throw new MessageRejection('invalid_type', `uplink of device ${device.id} carries neither decoded values nor a payload`)
  }
  const codecId = device.profile === null ? null : findProfile(device.profile)?.codec ?? null
  const codec = codecId === null ? undefined : findCodec(codecId)
  if (!codec) {
    throw new MessageRejection('no_decoder', `device ${device.id} (profile ${device.profile ?? 'none'}) has no codec, and the network server sent no decoded payload`)
  }
  try {
    return codec.decode(uplink.payload, uplink.fPort ?? 0)
  } catch (error) {
    if (error instanceof CodecError) throw new MessageRejection('decoder_error', `${codec.id}: ${error.message}`)
    throw error
  }
}

function checked(sensor: KnownSensor, value: number): number {
  if (!Number.isFinite(value)) throw new MessageRejection('non_finite_value', `sensor ${sensor.id}: value is not finite`)
  if ((sensor.min !== null && value < sensor.min) || (sensor.max !== null && value > sensor.max)) {
    throw new MessageRejection('out_of_range', `sensor ${sensor.id}: ${value} ${sensor.unit} is outside ${sensor.min ?? '−∞'} … ${sensor.max ?? '+∞'}`)
  }
  return value
}
