import { describe, expect, it } from 'vitest'
import { TokenBuckets } from './token-buckets.ts'

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

describe('TokenBuckets', () => {
  it('lets a minute’s worth through at once, then says how long to wait for the next token', () => {
    const clock = manualClock()
    const buckets = new TokenBuckets(6, clock.now) // a token every 10 s
    for (let i = 0; i < 6; i++) expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(10)
    clock.advance(4_000)
    expect(buckets.take('a')).toBe(6)
    clock.advance(6_000)
    expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(10)
    // Another key has its own budget.
    expect(buckets.take('b')).toBe(0)
  })

  it('refills continuously, never above a minute’s worth', () => {
    const clock = manualClock()
    const buckets = new TokenBuckets(60, clock.now)
    for (let i = 0; i < 60; i++) buckets.take('a')
    clock.advance(10 * 60_000)
    let taken = 0
    while (buckets.take('a') === 0) taken++
    expect(taken).toBe(60)
  })

  it('rounds a wait up to whole seconds, at least one', () => {
    const clock = manualClock()
    const buckets = new TokenBuckets(7000, clock.now)
    for (let i = 0; i < 7000; i++) buckets.take('a')
    expect(buckets.take('a')).toBe(1)
    const slow = new TokenBuckets(1, clock.now)
    slow.take('a')
    clock.advance(100)
    expect(slow.take('a')).toBe(60)
  })

  it('counts failures after the fact: wait() takes nothing, spend() never goes below zero', () => {
    const clock = manualClock()
    const failures = new TokenBuckets(2, clock.now)
    expect(failures.wait('a')).toBe(0)
    failures.spend('a')
    expect(failures.wait('a')).toBe(0)
    failures.spend('a')
    failures.spend('a')
    expect(failures.wait('a')).toBe(30)
    expect(failures.wait('a')).toBe(30) // waiting spends nothing
    clock.advance(30_000)
    expect(failures.wait('a')).toBe(0)
  })

  it('keeps memory bounded: idle buckets (full again) are dropped, and the least recently used past the cap', () => {
    const clock = manualClock()
    const buckets = new TokenBuckets(60, clock.now, 3)
    for (const key of ['a', 'b', 'c', 'd', 'e']) buckets.take(key)
    expect(buckets.size).toBe(3)
    // A dropped bucket was as good as full: its key starts afresh.
    clock.advance(60_000)
    buckets.take('f')
    buckets.take('g')
    expect(buckets.size).toBeLessThanOrEqual(3)
  })

  it('refuses a budget that is not positive', () => {
    expect(() => new TokenBuckets(0)).toThrow(RangeError)
  })
})
