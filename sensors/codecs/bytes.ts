/**
 * Bounds-checked byte reading for the codecs: every read past the end of the frame throws
 * CodecError (naming what was being read) instead of yielding `undefined` or NaN.
 */
import { CodecError } from './codec.ts'

function byteAt(bytes: Uint8Array, offset: number, what: string): number {
  const value = bytes[offset]
  if (value === undefined) throw new CodecError(`truncated frame: ${what} needs byte ${offset + 1}, the frame has ${bytes.length}`)
  return value
}

/** Throws unless the frame has at least `length` bytes from `offset` on. */
export function need(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset + length > bytes.length) {
    throw new CodecError(`truncated frame: ${what} needs ${length} byte(s) at offset ${offset}, the frame has ${bytes.length}`)
  }
}

export function uint8(bytes: Uint8Array, offset: number, what: string): number {
  return byteAt(bytes, offset, what)
}

export function uint16le(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 2, what)
  return byteAt(bytes, offset, what) | (byteAt(bytes, offset + 1, what) << 8)
}

export function int16le(bytes: Uint8Array, offset: number, what: string): number {
  const value = uint16le(bytes, offset, what)
  return value >= 0x8000 ? value - 0x10000 : value
}

export function uint16be(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 2, what)
  return (byteAt(bytes, offset, what) << 8) | byteAt(bytes, offset + 1, what)
}

export function int16be(bytes: Uint8Array, offset: number, what: string): number {
  const value = uint16be(bytes, offset, what)
  return value >= 0x8000 ? value - 0x10000 : value
}

export function uint32be(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 4, what)
  return uint16be(bytes, offset, what) * 0x10000 + uint16be(bytes, offset + 2, what)
}

/** '0x1f' style, for error messages. */
export function hexByte(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`
}

/** Parses hex (whitespace allowed, as vendor documents print it) into bytes; throws on anything else. */
export function fromHex(hex: string): Uint8Array {
  const compact = hex.replace(/\s+/g, '')
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(compact)) throw new Error(`not an even-length hex string: ${hex}`)
  const bytes = new Uint8Array(compact.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(compact.slice(2 * i, 2 * i + 2), 16)
  return bytes
}
