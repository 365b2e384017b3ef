/**
 * The contract every vendor payload codec follows: raw LoRaWAN application payload (bytes +
 * fPort) in, a flat object of field → value out. Codecs are pure functions of their input:
 * no I/O, no clock, no state.
 *
 * Conventions shared by all codecs in this folder:
 * - Values are already scaled to the unit of the device profile (°C, %RH, ppm, hPa, V…); the
 *   unit itself lives in the profile (`sensors/profiles.ts`), never in the decoded object.
 * - Strict: a truncated frame, a wrong length, an unknown frame code / channel / type byte,
 *   the same field twice in one frame, or a frame kind the flat contract cannot represent
 *   (history records carrying their own timestamps) throws `CodecError`. Nothing is guessed.
 * - A reading the device itself flags as invalid (sensor disconnected…) is omitted, never
 *   turned into a number.
 * - A valid frame documented as carrying no measurement (device information on join,
 *   configuration echo, keep-alive) decodes to an empty object: nothing to store, nothing
 *   wrong with the device. An empty object therefore means "valid, no reading", not "failure".
 */

export type DecodedValue = number | string | boolean

/** A flat decoded object: field name → value. No units here: units come from the device profile. */
export type DecodedObject = Readonly<Record<string, DecodedValue>>

export interface PayloadCodec {
  /** e.g. 'milesight-am103' (lower-case, vendor-model). */
  readonly id: string
  /** e.g. 'Milesight'. */
  readonly vendor: string
  /** e.g. 'AM103'. */
  readonly model: string
  /** Decodes one uplink; throws CodecError for a frame it cannot decode (truncated, unknown channel/type…). */
  decode(bytes: Uint8Array, fPort: number): DecodedObject
}

export class CodecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CodecError'
  }
}
