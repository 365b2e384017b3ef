import { describe, expect, it } from 'vitest'
import { clientKey } from './client-key.ts'

describe('clientKey', () => {
  it('counts an IPv4 address as itself, mapped or not', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7')
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7')
  })

  it('counts an IPv6 address as its /64, however written', () => {
    const key = '2001:db8:1:2::/64'
    expect(clientKey('2001:db8:1:2::1')).toBe(key)
    expect(clientKey('2001:0db8:0001:0002:ffff:0:0:9')).toBe(key)
    expect(clientKey('2001:DB8:1:2:a:b:c:d')).toBe(key)
    expect(clientKey('2001:db8:1:3::1')).not.toBe(key)
    expect(clientKey('::1')).toBe('0:0:0:0::/64')
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(clientKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64')
  })

  it('has a key for a request without an address (a closed socket)', () => {
    expect(clientKey(undefined)).toBe('unknown')
  })
})
