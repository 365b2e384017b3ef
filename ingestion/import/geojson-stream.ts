/**
 * Reads a GeoJSON FeatureCollection of any size with bounded memory: the bytes are scanned once
 * for the structure of the top-level object, each element of `features` is cut out and handed to
 * the native `JSON.parse`, one at a time. Memory is one feature plus one read chunk.
 *
 * Why not a token-level streaming parser (stream-json 3.8.0 was measured): it builds every value
 * in JavaScript, 4.7 MB/s on the Etalab parcels against 55 MB/s for JSON.parse on the same bytes,
 * i.e. 70 s of parsing alone for a département file. Scanning is structural only (brackets,
 * strings, escapes: all ASCII, so safe on UTF-8 bytes); JSON.parse still validates every value,
 * and the scanner validates everything between them, so a broken file is always refused.
 *
 * Refused (ImportRefusedError, one line): invalid JSON, a top level that is not a FeatureCollection,
 * a `crs` other than WGS 84 lon/lat, a file that ends early (truncated).
 */
import { createGunzip } from 'node:zlib'
import { Readable } from 'node:stream'
import { ImportRefusedError } from './import-errors.ts'

/** A feature (or anything the `features` array holds), parsed, with its 1-based position. */
export interface RawFeature {
  readonly index: number
  readonly value: unknown
}

/** Larger single features are refused (a commune outline is a few MB at most). */
export const MAX_FEATURE_BYTES = 64 * 1024 * 1024
/** Top-level members other than `features` (type, crs, name, bbox…) are small. */
const MAX_MEMBER_BYTES = 1024 * 1024

/** `crs` names meaning WGS 84 longitude/latitude (the RFC 7946 default). */
const LON_LAT_CRS = new Set([
  'urn:ogc:def:crs:OGC:1.3:CRS84',
  'urn:ogc:def:crs:OGC::CRS84',
  'urn:ogc:def:crs:EPSG::4326',
  'urn:ogc:def:crs:EPSG:4326',
  'EPSG:4326',
  'CRS84',
  'OGC:CRS84',
])

const enum State {
  BeforeRoot,
  RootKeyOrEnd,
  RootKey,
  AfterKey,
  RootValue,
  FeaturesStart,
  FeatureOrEnd,
  Feature,
  AfterFeature,
  AfterRootValue,
  AfterRoot,
}

const enum Char {
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

const isSpace = (c: number) => c === Char.Space || c === Char.Newline || c === Char.Return || c === Char.Tab

/** Gunzips `source` as a stream when `gzip` is set; a truncated or corrupt gzip is refused. */
export async function* decompressed(source: AsyncIterable<Buffer>, gzip: boolean, name: string): AsyncGenerator<Buffer> {
  if (!gzip) {
    yield* source
    return
  }
  const input = Readable.from(source)
  const gunzip = createGunzip()
  input.on('error', (error) => gunzip.destroy(error))
  input.pipe(gunzip)
  try {
    for await (const chunk of gunzip) yield chunk as Buffer
  } catch (error) {
    if (error instanceof ImportRefusedError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'Z_STREAM_ERROR') {
      throw new ImportRefusedError(`${name}: the gzip stream is truncated or corrupt (${(error as Error).message})`)
    }
    throw error
  } finally {
    input.destroy()
  }
}

/** The features of a FeatureCollection, in order, parsed one at a time. */
export async function* readFeatureCollection(source: AsyncIterable<Buffer>, name: string): AsyncGenerator<RawFeature> {
  for await (const features of readFeatureBatches(source, name)) yield* features
}

/**
 * The same, handed over a read chunk at a time (the features that end in it, in order): an async
 * generator costs a promise per item, which per feature was ~1 s of a 200,000-parcel import.
 */
export async function* readFeatureBatches(source: AsyncIterable<Buffer>, name: string): AsyncGenerator<RawFeature[]> {
  const fail = (message: string): never => {
    throw new ImportRefusedError(`${name}: ${message}`)
  }
  let state = State.BeforeRoot
  let offset = 0 // bytes before the current chunk
  let key = ''
  let keyParts: Buffer[] = []
  let seenFeatures = false
  let typeChecked = false
  let featureIndex = 0
  // The value being captured (a feature or a top-level member).
  let parts: Buffer[] = []
  let partsBytes = 0
  let depth = 0
  let inString = false
  let escaped = false
  let literal = false
  let ready: RawFeature[] = []

  const member = (text: string) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      return fail(`invalid JSON in "${key}": ${(error as Error).message}`)
    }
    if (key === 'type') {
      if (value !== 'FeatureCollection') fail(`is a GeoJSON ${typeof value === 'string' ? value : 'value'}, not a FeatureCollection`)
      typeChecked = true
    } else if (key === 'crs') {
      const crsName = (value as { properties?: { name?: unknown } } | null)?.properties?.name
      if (value !== null && !(typeof crsName === 'string' && LON_LAT_CRS.has(crsName))) {
        fail(`coordinates are in ${typeof crsName === 'string' ? crsName : 'an unknown coordinate system'}, not WGS 84 longitude/latitude: convert the file first (ogr2ogr -t_srs EPSG:4326)`)
      }
    }
  }

  for await (const chunk of source) {
    let i = 0
    const n = chunk.length
    let valueStart = -1 // where the value under capture starts in this chunk
    if (state === State.Feature || (state === State.RootValue && parts.length > 0)) valueStart = 0
    while (i < n) {
      const c = chunk[i]!
      switch (state) {
        case State.BeforeRoot:
          if (isSpace(c) || (offset + i < 3 && c === [0xef, 0xbb, 0xbf][offset + i])) break // UTF-8 byte-order mark
          if (c !== Char.OpenBrace) fail(firstByteProblem(c))
          state = State.RootKeyOrEnd
          break
        case State.RootKeyOrEnd:
        case State.RootKey:
          if (isSpace(c)) break
          if (c === Char.CloseBrace && state === State.RootKeyOrEnd) {
            state = State.AfterRoot
            break
          }
          if (c !== Char.Quote) fail(`invalid JSON at byte ${offset + i}: a member name was expected`)
          // Member names are short: read to the closing quote, across chunks if need be.
          {
            const closed = closingQuote(chunk, i + 1, n)
            if (closed < 0) {
              keyParts.push(chunk.subarray(i, n))
              i = n
              state = State.AfterKey
              key = '\u0000partial'
              continue
            }
            key = JSON.parse(chunk.subarray(i, closed + 1).toString('utf8')) as string
            i = closed + 1
            state = State.AfterKey
            continue
          }
        case State.AfterKey:
          if (key === '\u0000partial') {
            // Finish a member name split across chunks.
            const closed = closingQuote(chunk, i, n)
            if (closed < 0) {
              keyParts.push(chunk.subarray(i, n))
              i = n
              continue
            }
            keyParts.push(chunk.subarray(i, closed + 1))
            key = JSON.parse(Buffer.concat(keyParts).toString('utf8')) as string
            keyParts = []
            i = closed + 1
            continue
          }
          if (isSpace(c)) break
          if (c !== Char.Colon) fail(`invalid JSON at byte ${offset + i}: ":" was expected after "${key}"`)
          state = State.RootValue
          break
        case State.RootValue:
          if (parts.length === 0 && valueStart < 0) {
            if (isSpace(c)) break
            if (key === 'features') {
              if (c !== Char.OpenBracket) fail('"features" is not an array: not a FeatureCollection')
              if (seenFeatures) fail('has two "features" members')
              seenFeatures = true
              state = State.FeatureOrEnd
              break
            }
            valueStart = i
            startValue(c)
            if (literal) break // its first byte is not a terminator: scanned on
            i++
            continue
          }
          if (scan(c)) {
            const end = literal ? i : i + 1
            member(take(chunk, valueStart, end))
            valueStart = -1
            state = State.AfterRootValue
            if (literal) {
              literal = false
              continue // the terminator is read again
            }
          }
          break
        case State.FeaturesStart:
        case State.FeatureOrEnd:
          if (isSpace(c)) break
          if (c === Char.CloseBracket && state === State.FeatureOrEnd) {
            state = State.AfterRootValue
            break
          }
          valueStart = i
          startValue(c)
          state = State.Feature
          if (literal) continue
          break
        case State.Feature: {
          // The hot loop: inside a feature, only quotes, escapes and brackets matter.
          let j = i
          let done = -1
          if (literal) {
            while (j < n) {
              const d = chunk[j]!
              if (d === Char.Comma || d === Char.CloseBracket || isSpace(d)) {
                done = j
                break
              }
              j++
            }
          } else {
            while (j < n) {
              const d = chunk[j]!
              if (inString) {
                if (escaped) escaped = false
                else if (d === Char.Backslash) escaped = true
                else if (d === Char.Quote) {
                  inString = false
                  if (depth === 0) {
                    done = j + 1
                    break
                  }
                }
              } else if (d === Char.Quote) inString = true
              else if (d === Char.OpenBrace || d === Char.OpenBracket) depth++
              else if (d === Char.CloseBrace || d === Char.CloseBracket) {
                depth--
                if (depth === 0) {
                  done = j + 1
                  break
                }
              }
              j++
            }
          }
          if (done < 0) {
            i = n
            continue
          }
          const text = take(chunk, valueStart, done)
          valueStart = -1
          literal = false
          featureIndex++
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch (error) {
            fail(`invalid JSON in feature ${featureIndex}: ${(error as Error).message}`)
          }
          ready.push({ index: featureIndex, value })
          i = done
          state = State.AfterFeature
          continue
        }
        case State.AfterFeature:
          if (isSpace(c)) break
          if (c === Char.Comma) state = State.FeaturesStart
          else if (c === Char.CloseBracket) state = State.AfterRootValue
          else fail(`invalid JSON at byte ${offset + i}: "," or "]" was expected after feature ${featureIndex}`)
          break
        case State.AfterRootValue:
          if (isSpace(c)) break
          if (c === Char.Comma) state = State.RootKey
          else if (c === Char.CloseBrace) state = State.AfterRoot
          else fail(`invalid JSON at byte ${offset + i}: "," or "}" was expected`)
          break
        case State.AfterRoot:
          if (!isSpace(c)) fail(`invalid JSON at byte ${offset + i}: unexpected content after the end of the FeatureCollection`)
          break
      }
      i++
    }
    if (valueStart >= 0) {
      parts.push(chunk.subarray(valueStart))
      partsBytes += n - valueStart
      const limit = state === State.Feature ? MAX_FEATURE_BYTES : MAX_MEMBER_BYTES
      if (partsBytes > limit) fail(state === State.Feature ? `feature ${featureIndex + 1} is larger than ${MAX_FEATURE_BYTES / 1048576} MB` : `member "${key}" is larger than 1 MB`)
    }
    offset += n
    if (ready.length > 0) {
      yield ready
      ready = []
    }
  }
  if (state !== State.AfterRoot) {
    if (state === State.BeforeRoot) fail('is empty')
    fail(`ends before the end of the FeatureCollection (truncated after ${offset} bytes, ${featureIndex} feature(s))`)
  }
  if (!seenFeatures) fail('has no "features" array: not a FeatureCollection')
  if (!typeChecked) fail('has no "type": "FeatureCollection" member')

  function startValue(c: number): void {
    depth = 0
    inString = false
    escaped = false
    literal = false
    if (c === Char.OpenBrace || c === Char.OpenBracket) depth = 1
    else if (c === Char.Quote) inString = true
    else literal = true
  }

  /** Advances the capture of a top-level member by one byte; true when the value is complete. */
  function scan(c: number): boolean {
    if (literal) return c === Char.Comma || c === Char.CloseBrace || isSpace(c)
    if (inString) {
      if (escaped) escaped = false
      else if (c === Char.Backslash) escaped = true
      else if (c === Char.Quote) {
        inString = false
        return depth === 0
      }
      return false
    }
    if (c === Char.Quote) inString = true
    else if (c === Char.OpenBrace || c === Char.OpenBracket) depth++
    else if (c === Char.CloseBrace || c === Char.CloseBracket) return --depth === 0
    return false
  }

  function take(chunk: Buffer, start: number, end: number): string {
    const tail = chunk.subarray(start, end)
    const text = parts.length === 0 ? tail.toString('utf8') : Buffer.concat([...parts, tail]).toString('utf8')
    parts = []
    partsBytes = 0
    return text
  }
}

function firstByteProblem(c: number): string {
  if (c === 0x1f) return 'is gzip-compressed but was not read as gzip'
  if (c === Char.OpenBracket) return 'is a JSON array, not a GeoJSON FeatureCollection'
  return `is not JSON (first byte 0x${c.toString(16).padStart(2, '0')})`
}

/** The index of the quote closing a JSON string scanned from `from` (escapes skipped), or -1 if it is not in this chunk. */
function closingQuote(chunk: Buffer, from: number, n: number): number {
  for (let j = from; j < n; j++) {
    const d = chunk[j]!
    if (d === Char.Backslash) j++
    else if (d === Char.Quote) return j
  }
  return -1
}
