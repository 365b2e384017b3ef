/**
 * Whom a rate limit counts: the client's address as Express sees it (`req.ip`: the socket's peer,
 * or the X-Forwarded-For entry the configured proxies vouch for, TRUST_PROXY). An IPv4-mapped
 * IPv6 address counts as its IPv4 address; an IPv6 address counts as its /64, the block one
 * subscriber usually holds whole, so that rotating addresses inside it buys no extra budget.
 */
import { isIPv4, isIPv6 } from 'node:net'

export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown'
  const address = ip.replace(/%.*$/, '') // an IPv6 zone (fe80::1%eth0)
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7)
  if (isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`
  return address
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, an embedded IPv4 tail converted. */
function ipv6Groups(address: string): string[] {
  let text = address.toLowerCase()
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const missing = tail === undefined ? 0 : 8 - left.length - right.length
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.replace(/^0+(?=.)/, ''))
}
