/**
 * Per-client rate limits, in memory (one hub process; several processes behind a load balancer
 * each count on their own, which multiplies the budget by their number). Three budgets:
 *
 *  - requests: every request but the tiles (RATE_LIMIT_PER_MINUTE). A page load is about fifteen
 *    requests (the page, its assets, the panels' JSON), so the default leaves a room of people
 *    behind one address free to work.
 *  - tiles: vector tiles and TileJSON have their own, larger budget (RATE_LIMIT_TILES_PER_MINUTE).
 *    One map view asks for dozens of tiles at once, and zooming or panning for dozens more each
 *    time: counted with the rest, a normal map session would be refused; left out, nothing would
 *    bound a client that asks for cold tiles (each a PostGIS query) as fast as it can.
 *  - failed credentials (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE), kept by the authenticator
 *    (api/auth/credentials.ts): only credentials that are not valid spend it, and once it is empty
 *    any credential from the address is refused, the right one included, until it refills —
 *    guessing a token then costs minutes per handful of tries.
 *
 * Exceeding one answers 429 problem+json with Retry-After (seconds). The CORS preflight of the
 * open data is answered before (public-cors.ts): it is cheap and cached by browsers.
 */
import type { RequestHandler } from 'express'
import { RateLimitError, type Logger } from '../../core/index.ts'
import { clientKey } from './client-key.ts'
import { TokenBuckets, type Clock } from './token-buckets.ts'

export interface RateLimits {
  /** Requests per minute per client, tiles excepted (RATE_LIMIT_PER_MINUTE); 0: no limit. */
  readonly perMinute: number
  /** Tile and TileJSON requests per minute per client (RATE_LIMIT_TILES_PER_MINUTE); 0: no limit. */
  readonly tilesPerMinute: number
  /** Credentials that are not valid per minute per client (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE); 0: no limit. */
  readonly authFailuresPerMinute: number
  /** The limiters' clock (ms); tests inject one to refill a bucket without waiting. Default Date.now. */
  readonly now?: Clock
}

export const NO_RATE_LIMITS: RateLimits = Object.freeze({ perMinute: 0, tilesPerMinute: 0, authFailuresPerMinute: 0 })

const isTilePath = (path: string) => path === '/tiles' || path.startsWith('/tiles/')

/** The request budgets (requests, tiles), checked before anything is served, cached tiles included. */
export function requestRateLimit(limits: RateLimits, log: Logger): RequestHandler {
  const requests = limits.perMinute > 0 ? new TokenBuckets(limits.perMinute, limits.now) : null
  const tiles = limits.tilesPerMinute > 0 ? new TokenBuckets(limits.tilesPerMinute, limits.now) : null
  let proxyWarned = false
  return (req, _res, next) => {
    const buckets = isTilePath(req.path) ? tiles : requests
    if (!buckets) return next()
    if (!proxyWarned && req.headers['x-forwarded-for'] !== undefined && !req.app.get('trust proxy')) {
      proxyWarned = true
      log.warn('requests come through a proxy (X-Forwarded-For) but TRUST_PROXY is not set: all its clients share one rate limit')
    }
    const wait = buckets.take(clientKey(req.ip))
    if (wait > 0) throw new RateLimitError(`too many requests from this address: retry in ${wait} s`, wait)
    next()
  }
}
