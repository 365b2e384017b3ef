/**
 * A weight-bounded LRU of encoded tiles, as in Martin: an entry weighs its bytes (body, key, ETag
 * and a fixed overhead), and the least recently used entries go first once the total passes the
 * bound. Keys carry the layer's data version (tile-service.ts), so a changed layer is never read
 * from here again: its old entries simply age out. A JavaScript Map keeps insertion order, which
 * is the recency order when a hit re-inserts its entry.
 */

export interface CachedTile {
  readonly body: Buffer
  /** Strong ETag of the body, computed once when the entry is made. */
  readonly etag: string
  /** The body gzip-compressed once (null for a small or empty tile), and its own strong ETag. */
  readonly gzip: Buffer | null
  readonly gzipEtag: string
  /** Epoch ms past which the entry is not served (a sensor turning silent), or null. */
  readonly expiresAt: number | null
}

export interface TileCacheStats {
  readonly hits: number
  readonly misses: number
  readonly entries: number
  readonly bytes: number
  readonly maxBytes: number
  readonly evictions: number
}

/** What an entry costs beyond its bytes: the Map slot, the entry object, the ETag string. */
const ENTRY_OVERHEAD = 160

export class TileCache {
  private readonly entries = new Map<string, { tile: CachedTile; weight: number }>()
  private bytes = 0
  private hits = 0
  private misses = 0
  private evictions = 0

  constructor(readonly maxBytes: number) {}

  /** The entry, if any and not expired; `countMiss` false for a look that another will follow on a miss. */
  get(key: string, now = Date.now(), countMiss = true): CachedTile | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || (entry.tile.expiresAt !== null && entry.tile.expiresAt <= now)) {
      if (entry !== undefined) this.remove(key, entry.weight)
      if (countMiss) this.misses++
      return undefined
    }
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.hits++
    return entry.tile
  }

  /** The entry as it is, without counting or touching its recency. */
  peek(key: string): CachedTile | undefined {
    return this.entries.get(key)?.tile
  }

  set(key: string, tile: CachedTile): void {
    const weight = tile.body.byteLength + (tile.gzip?.byteLength ?? 0) + key.length * 2 + ENTRY_OVERHEAD
    const old = this.entries.get(key)
    if (old !== undefined) this.remove(key, old.weight)
    if (weight > this.maxBytes) return // larger than the whole cache (or the cache is off)
    this.entries.set(key, { tile, weight })
    this.bytes += weight
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.remove(oldest, entry.weight)
      this.evictions++
    }
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }

  stats(): TileCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes, evictions: this.evictions }
  }

  private remove(key: string, weight: number): void {
    this.entries.delete(key)
    this.bytes -= weight
  }
}
