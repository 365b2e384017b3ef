/**
 * Why a message is refused. Reasons are machine-readable and stable: they are stored with the
 * message in the dead letter, counted, and filtered on by operators.
 */
export const REJECTION_REASONS = [
  'payload_too_large',
  'invalid_json',
  'invalid_senml',
  'invalid_type',
  'non_finite_value',
  'timestamp_in_future',
  'unknown_device',
  'unknown_sensor',
  'unit_mismatch',
  'storage_error',
] as const

export type RejectionReason = (typeof REJECTION_REASONS)[number]

export class MessageRejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`)
    this.name = 'MessageRejection'
  }
}
