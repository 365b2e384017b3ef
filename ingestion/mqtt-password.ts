/**
 * MQTT passwords in Mosquitto 2's own format, so that one stored hash both checks a password in
 * the embedded broker and goes as it is into Mosquitto's password_file:
 *
 *   $7$<iterations>$<salt, standard base64>$<PBKDF2-HMAC-SHA512 of the password, standard base64>
 *
 * as `mosquitto_passwd` (2.0) writes it: a 12-byte salt, a 64-byte derived key, the iteration
 * count in the hash itself (Mosquitto reads it from there, so any count is accepted).
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

const SALT_BYTES = 12
const KEY_BYTES = 64

/**
 * Iterations for generated passwords. They are 24 random bytes (192 bits): no iteration count
 * makes guessing one easier or harder, while every CONNECT pays for it — on Mosquitto's single
 * thread, and after a broker restart for every device at once (10,000 devices × 1.3 ms ≈ 13 s at
 * 1,000; ≈ 2 min at 10,000). 1,000 is ten times mosquitto_passwd's own 101 and stays cheap.
 */
export const GENERATED_PASSWORD_ITERATIONS = 1_000

/**
 * Iterations for a password a person chose (the ingestion's, given on stdin): those can be
 * guessed, so they get a slow hash; the client using it connects once per process start.
 */
export const CHOSEN_PASSWORD_ITERATIONS = 100_000

/** Beyond this a stored hash is refused rather than computed: a bad row must not cost minutes of CPU. */
const MAX_ITERATIONS = 10_000_000

const HASH = /^\$7\$(\d{1,8})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/

/** A new random password: 24 bytes as base64url (32 characters, nothing to escape in a URL or a shell). */
export function generateMqttPassword(): string {
  return randomBytes(24).toString('base64url')
}

export async function hashMqttPassword(password: string, iterations = GENERATED_PASSWORD_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, KEY_BYTES, 'sha512')
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Whether a stored hash is one this module (and Mosquitto 2) can check. */
export function isMqttPasswordHash(hash: string): boolean {
  return parseHash(hash) !== null
}

/** Checks a password against a stored `$7$` hash in constant time; false for a malformed hash. */
export async function verifyMqttPassword(password: string | Buffer, hash: string): Promise<boolean> {
  const parsed = parseHash(hash)
  if (parsed === null) return false
  const key = await pbkdf2Async(typeof password === 'string' ? Buffer.from(password, 'utf8') : password, parsed.salt, parsed.iterations, parsed.key.length, 'sha512')
  return timingSafeEqual(key, parsed.key)
}

function parseHash(hash: string): { iterations: number; salt: Buffer; key: Buffer } | null {
  const match = HASH.exec(hash)
  if (match === null) return null
  const iterations = Number(match[1])
  const salt = Buffer.from(match[2]!, 'base64')
  const key = Buffer.from(match[3]!, 'base64')
  if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length === 0 || key.length !== KEY_BYTES) return null
  return { iterations, salt, key }
}
