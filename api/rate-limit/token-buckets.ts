/**
 * Token buckets by key (a client address), in memory. Each holds at most a minute's worth of
 * tokens (the burst a client may spend at once) and refills continuously at `perMinute`. The
 * clock is injected so that tests refill a bucket without waiting.
 *
 * Memory stays bounded: the buckets are kept in least-recently-used order, a bucket idle for a
 * minute is full again (the same as no bucket) and is dropped when met at the old end, and past
 * `maxKeys` the least recently used goes first.
 */
export type Clock = () => number

interface Bucket {
  tokens: number
  /** When `tokens` was last brought up to date (ms). */
  at: number
}

const MINUTE_MS = 60_000

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()
  private readonly perMs: number

  constructor(
    readonly perMinute: number,
    private readonly now: Clock = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (!(perMinute > 0)) throw new RangeError('perMinute must be positive')
    this.perMs = perMinute / MINUTE_MS
  }

  /** Takes a token for `key`: 0 when taken, else the whole seconds (≥ 1) until one is available. */
  take(key: string): number {
    const bucket = this.refilled(key)
    if (bucket.tokens < 1) return this.secondsUntilToken(bucket)
    bucket.tokens -= 1
    return 0
  }

  /** Whole seconds until `key` has a token (0: it has one now), without taking it. */
  wait(key: string): number {
    const bucket = this.buckets.get(key)
    if (!bucket) return 0
    const tokens = Math.min(this.perMinute, bucket.tokens + (this.now() - bucket.at) * this.perMs)
    return tokens < 1 ? this.secondsUntilToken({ tokens, at: bucket.at }) : 0
  }

  /** Spends a token of `key` after the fact (a failed attempt), never below zero. */
  spend(key: string): void {
    const bucket = this.refilled(key)
    bucket.tokens = Math.max(0, bucket.tokens - 1)
  }

  /** How many keys are held (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size
  }

  private refilled(key: string): Bucket {
    const now = this.now()
    let bucket = this.buckets.get(key)
    if (bucket) {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs)
      bucket.at = now
      this.buckets.delete(key) // re-inserted below: the Map's order is the order of last use
    } else {
      bucket = { tokens: this.perMinute, at: now }
    }
    this.buckets.set(key, bucket)
    this.evict(now)
    return bucket
  }

  /** Drops the oldest buckets that are full again (at most a few per call), or past `maxKeys`. */
  private evict(now: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = this.buckets.entries().next()
      if (oldest.done) return
      const [key, bucket] = oldest.value
      if (this.buckets.size > this.maxKeys || now - bucket.at >= MINUTE_MS) this.buckets.delete(key)
      else return
    }
  }

  private secondsUntilToken(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000))
  }
}
