/**
 * The HTTP application: thin routes over the query modules, one scope per request, one error
 * mapping (problem.ts). Built by a factory so that tests and the CLI assemble the same app.
 * Before any route: security headers, the open data's CORS, and the per-client rate limits
 * (docs/SECURITY.md).
 */
import express, { type Express } from 'express'
import type { Kysely } from 'kysely'
import type { Registry } from 'prom-client'
import type { Logger } from '../core/index.ts'
import type { Schema } from '../sql/index.ts'
import { deadLettersRoutes, type Replay } from './dead-letters-routes.ts'
import { devicesRoutes } from './devices-routes.ts'
import { healthRoutes, type HealthCheck } from './health.ts'
import { importRoutes } from './import-routes.ts'
import { notFoundHandler, problemHandler } from './problem.ts'
import { readingsRoutes } from './readings-routes.ts'
import { accessAdminRoutes, createAuthenticator, OIDC_LOGIN_PATH, requireAdmin, sameOriginWrites, sessionRoutes, type JwtVerifier } from './auth/index.ts'
import { catalogRoutes } from './catalog/index.ts'
import { downloadRoutes } from './downloads/index.ts'
import { DEFAULT_OPEN_DATA, type OpenDataOptions } from './base-url.ts'
import { ogcRoutes } from './ogc/index.ts'
import { openApiRoutes } from './openapi/index.ts'
import { territoryRoutes } from './territory-routes.ts'
import { indicatorRoutes } from './indicators/indicator-routes.ts'
import { liveRoutes, type LiveFeed } from './live/index.ts'
import { cachedTiles, tileRoutes } from './tiles/tile-routes.ts'
import type { TileService } from './tiles/tile-service.ts'
import { webRoutes } from './web-routes.ts'
import { mqttCredentialRoutes } from './mqtt-credentials-routes.ts'
import { securityHeaders } from './security-headers.ts'
import { publicCors } from './public-cors.ts'
import { NO_RATE_LIMITS, requestRateLimit, type RateLimits } from './rate-limit/index.ts'

/** Express's `trust proxy` (TRUST_PROXY): false, a number of proxy hops, or the proxies' addresses and subnets. */
export type TrustProxy = false | number | readonly string[]

export interface AppDependencies {
  readonly db: Kysely<Schema>
  readonly tiles: TileService
  readonly health: HealthCheck
  readonly log: Logger
  /** Built web app (web/dist); null to serve the API only. */
  readonly webDir: string | null
  /** HUB_ADMIN_TOKEN, the operator's break-glass admin credential; null: none (admins use API tokens). */
  readonly adminToken: string | null
  /** Verifies OpenID Connect JWTs (OIDC_*); none: JWTs are refused. */
  readonly oidc?: JwtVerifier | null
  /** The page's OpenID Connect sign-in (GET /auth/oidc/login and its callback); none: token sign-in only. */
  readonly oidcLogin?: express.Router | null
  /** Replays dead letters through the ingestion's rules. */
  readonly replay: Replay
  /** Called after devices are provisioned (the ingestion forgets what it cached). */
  readonly onProvisioned: () => void
  /** Prometheus metrics served at /metrics; null: no /metrics. */
  readonly metrics: Registry | null
  /** Public base URL and publisher of the open data (OGC API, downloads, DCAT); default: from the request, "Territoire". */
  readonly openData?: OpenDataOptions
  /** The live stream of each EPCI (GET /api/epci/{siren}/live); none: no such route. */
  readonly live?: LiveFeed
  /** HUB_TIMEZONE: the local time of days and occupied hours (default Europe/Paris). */
  readonly timeZone?: string
  /** BASEMAP_STYLE_URL: a MapLibre style the page draws under its own layers; none: the offline map. */
  readonly basemapStyleUrl?: string | null
  /** Per-client rate limits (RATE_LIMIT_*); none: no limit (tests and tools that build the app). */
  readonly rateLimits?: RateLimits
  /** TRUST_PROXY: whose X-Forwarded-For and -Proto to believe (the client address rate limits count); none: nobody's. */
  readonly trustProxy?: TrustProxy
}

export function createApp(deps: AppDependencies): Express {
  const openData = deps.openData ?? DEFAULT_OPEN_DATA
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false) // tiles set strong ETags themselves; JSON answers are not cached
  const trustProxy = deps.trustProxy ?? false
  app.set('trust proxy', typeof trustProxy === 'object' ? [...trustProxy] : trustProxy)
  const rateLimits = deps.rateLimits ?? NO_RATE_LIMITS
  // Headers, CORS and the rate limits come first, so that every answer has them, the cached tiles'
  // included; each is a few header writes or a map lookup.
  app.use(securityHeaders)
  app.use(publicCors)
  app.use(requestRateLimit(rateLimits, deps.log))
  // Then who is asking (docs/SECURITY.md): no credential is decided at once, a token is looked up
  // (and remembered for a few seconds), so that a cached tile of a staff layer is answered for
  // the right scope only.
  const auth = createAuthenticator({ db: deps.db, adminToken: deps.adminToken, oidc: deps.oidc ?? null, rateLimits, log: deps.log })
  app.use(auth.middleware)
  app.use(sameOriginWrites)
  // Then a cached tile is answered before anything else, not even the debug log of requests: a
  // map's most frequent request, and the one the warm cache exists to make cheap.
  app.use(cachedTiles(deps.tiles))
  app.use((req, res, next) => {
    const started = Date.now()
    res.on('finish', () => deps.log.debug('request', { method: req.method, path: req.originalUrl, status: res.statusCode, ms: Date.now() - started }))
    next()
  })
  // Tiles first: the most frequent request by far, so that it crosses no other router on its way.
  app.use(tileRoutes(deps.tiles, openData))
  const admin = requireAdmin
  app.use(sessionRoutes(auth, deps.oidcLogin ? OIDC_LOGIN_PATH : null))
  if (deps.oidcLogin) app.use(deps.oidcLogin)
  app.use(accessAdminRoutes(deps.db, admin, auth.forget))
  app.use(mqttCredentialRoutes(deps.db, admin))
  app.use(healthRoutes(deps.health))
  if (deps.metrics) {
    const registry = deps.metrics
    app.get('/metrics', admin, async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics())
    })
  }
  app.use(territoryRoutes(deps.db))
  if (deps.live) app.use(liveRoutes(deps.db, deps.live))

  app.use(readingsRoutes(deps.db))
  app.use(indicatorRoutes(deps.db, deps.timeZone ?? 'Europe/Paris'))
  app.use(devicesRoutes(deps.db, admin, deps.onProvisioned))
  app.use(deadLettersRoutes(deps.db, admin, deps.replay))
  app.use(importRoutes(deps.db, admin))
  app.use(ogcRoutes(deps.db, openData))
  app.use(downloadRoutes(deps.db))
  app.use(catalogRoutes(deps.db, openData))
  app.use(openApiRoutes(openData))
  if (deps.webDir) app.use(webRoutes(deps.webDir, { basemapStyleUrl: deps.basemapStyleUrl ?? null }))
  app.use(notFoundHandler)
  app.use(problemHandler(deps.log))
  return app
}
