import { describe, expect, it } from 'vitest'
import { TileCache, type CachedTile } from './tile-cache.ts'

const tile = (bytes: number, expiresAt: number | null = null): CachedTile => ({ body: Buffer.alloc(bytes, 1), etag: '"e"', gzip: null, gzipEtag: '"e-gz"', expiresAt })

describe('tile cache', () => {
  it('stays within its byte bound, dropping the least recently used first', () => {
    const cache = new TileCache(10_000)
    for (let i = 0; i < 100; i++) {
      cache.set(`t/${i}`, tile(1_000 + i))
      expect(cache.stats().bytes).toBeLessThanOrEqual(10_000)
    }
    const { entries, evictions } = cache.stats()
    expect(entries).toBeGreaterThan(5)
    expect(evictions).toBe(100 - entries)
    expect(cache.get('t/0')).toBeUndefined()
    expect(cache.get('t/99')).toBeDefined()
  })

  it('keeps an entry that is read: a hit makes it the most recent', () => {
    const cache = new TileCache(3 * 1_200)
    cache.set('a', tile(1_000))
    cache.set('b', tile(1_000))
    cache.set('c', tile(1_000))
    expect(cache.get('a')).toBeDefined()
    cache.set('d', tile(1_000))
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBeDefined()
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, entries: 3 })
  })

  it('weighs a replaced entry once, refuses an entry larger than the bound, and keeps nothing when off', () => {
    const cache = new TileCache(5_000)
    cache.set('a', tile(1_000))
    cache.set('a', tile(2_000))
    expect(cache.stats().entries).toBe(1)
    expect(cache.stats().bytes).toBeLessThan(2_500)
    cache.set('huge', tile(6_000))
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.get('a')).toBeDefined()
    const off = new TileCache(0)
    off.set('a', tile(0))
    expect(off.stats()).toMatchObject({ entries: 0, bytes: 0 })
  })

  it('does not serve an entry past its expiry (a sensor turning silent)', () => {
    const cache = new TileCache(10_000)
    cache.set('s', tile(100, 1_000))
    expect(cache.get('s', 999)).toBeDefined()
    expect(cache.get('s', 1_000)).toBeUndefined()
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 })
  })
  it('weighs an entry by both its bodies, plain and gzip', () => {
    const cache = new TileCache(10_000)
    cache.set('a', { ...tile(3_000), gzip: Buffer.alloc(1_000) })
    expect(cache.stats().bytes).toBe(3_000 + 1_000 + 'a'.length * 2 + 160)
  })
})
