/**
 * Why a message is refused. Reasons are machine-readable and stable: they are stored with the
 * message in the dead letter, counted, and filtered on by operators.
 */
export type RejectionReason = (typeof REJECTION_REASONS)[number]

export const REJECTION_REASONS = [
  'payload_too_large',
  'invalid_json',
  'invalid_senml',
  'invalid_type',
  'non_finite_value',
  'timestamp_in_future',
  'timestamp_too_old',
  'unknown_device',
  'unknown_sensor',
  'topic_mismatch',
  'no_decoder',
  'decoder_error',
  'unit_mismatch',
  'out_of_range',
  'conflicting_value',
  'network_log',
  'storage_error',
] as const

/** What each reason means, for the README and the API's documentation. */
export const REJECTION_MEANINGS: Readonly<Record<RejectionReason, string>> = {
  payload_too_large: 'the message is larger than INGEST_MAX_PAYLOAD_BYTES; refused before parsing',
  invalid_json: 'not JSON per RFC 8259 (NaN and Infinity tokens included)',
  invalid_senml: 'JSON, but not a SenML pack (RFC 8428): no array, no name, two values in a record…',
  invalid_type: 'a field of the wrong type, never coerced ("21,5" is not 21.5), or a value kind the sensor does not store',
  non_finite_value: 'NaN, ±Infinity, or null where a number is due',
  timestamp_in_future: 'a time later than now plus INGEST_MAX_FUTURE_S',
  timestamp_too_old: 'a time before 2000-01-01T00:00:00Z, earlier than any real sensor reading (a clock never set, a time in the wrong unit)',
  unknown_device: 'no provisioned device has this DevEUI or SenML base name (devices are never created automatically)',
  unknown_sensor: 'the device is known, but none of its sensors is this record or decoded field',
  topic_mismatch: 'the topic names a device (territoire/senml/{device id}, the ChirpStack DevEUI, The Things Stack’s eui-{DevEUI}) and the payload is another provisioned device’s',
  no_decoder: 'an uplink with only its raw payload, for a device whose profile has no codec',
  decoder_error: 'the codec could not decode the payload, or the network server reports a codec error (ChirpStack log UPLINK_CODEC)',
  unit_mismatch: 'the record’s unit is not the sensor’s',
  out_of_range: 'outside the plausible range of the sensor’s profile',
  conflicting_value: 'a different value is already stored for this sensor at this time',
  network_log: 'a network server log event that is not a codec error (kept for the record)',
  storage_error: 'the database refused the batch for what it holds (kept for replay)',
}


export class MessageRejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`)
    this.name = 'MessageRejection'
  }
}
