/**
 * /openapi.json describes every route the app registers (walking Express's router stack), is
 * valid OpenAPI 3.0 (the OpenAPI 3.0 JSON schema, offline), marks the routes that need a
 * signed-in caller with both security schemes (bearer credential or the page's session cookie)
 * and their 401 — 403 too where a role is required — and lists each collection's queryables.
 */
import { Validator } from '@seriousme/openapi-schema-validator'
import type { Express } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApiDocument, type OpenApiDocument } from '../api/openapi/index.ts'
import { COLLECTIONS, queryables } from '../api/ogc/index.ts'
import type { Database } from '../sql/index.ts'
import { LiveFeed } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import { openDatabase, serve, testApp } from './engines.ts'

let database: Database
let app: Express
let api: { url: string; close: () => Promise<void> }
let document: OpenApiDocument

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> }
  handle?: { stack?: Layer[] }
}

/** Every (method, OpenAPI path) the app answers, from its router stack. */
function registeredRoutes(stack: readonly Layer[]): { method: string; path: string }[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]
      return paths.flatMap((path) =>
        Object.keys(layer.route!.methods)
          .filter((m) => m !== '_all')
          .map((method) => ({ method, path: path.replace(/:(\w+)/g, '{$1}') })),
      )
    }
    return layer.handle?.stack ? registeredRoutes(layer.handle.stack) : []
  })
}

beforeAll(async () => {
  database = await openDatabase()
  app = (await testApp(database, { live: new LiveFeed(database.db, silentLogger) })).app // every route, the live stream's too
  api = await serve(app)
  const response = await fetch(`${api.url}/openapi.json`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.oai\.openapi\+json/)
  document = (await response.json()) as OpenApiDocument
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

describe('OpenAPI document', () => {
  it('is the typed document, served with the request’s base URL', () => {
    expect(document).toEqual(JSON.parse(JSON.stringify(openApiDocument(api.url))))
  })

  it('validates against the OpenAPI 3.0 schema', async () => {
    const result = await new Validator().validate(document as unknown as Parameters<Validator["validate"]>[0])
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('describes every route registered on the app', () => {
    const routes = registeredRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack)
    expect(routes.length).toBeGreaterThan(20)
    const missing = routes.filter(({ method, path }) => !(document.paths[path] as Record<string, unknown> | undefined)?.[method])
    expect(missing).toEqual([])
  })

  it('marks every staff and admin route, and every write but the session’s, with both schemes and their 401', () => {
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'territoire_session' }),
    })
    // Open to the public: the territorial reference and the datasets; everything else under /api needs sign-in.
    const publicApi = new Set(['/api/epci', '/api/epci/{siren}', '/api/datasets'])
    // Anonymous allowed, a credential decides what is shown (the staff tile layers, the caller's identity).
    // Anonymous allowed, a credential decides what is shown (the staff's tile layers and collections, the caller's identity).
    const optional = new Set(['get /auth/me', 'get /tiles/{layer}.json', 'get /tiles/{layer}/{z}/{x}/{y}.mvt', 'get /ogc/collections', 'get /ogc/collections/{collectionId}',
      'get /ogc/collections/{collectionId}/items', 'get /ogc/collections/{collectionId}/items/{featureId}', 'get /download/{collectionId}.csv', 'get /download/{collectionId}.geojson'])
    const staffCollections = new Set(COLLECTIONS.filter((c) => c.access === 'staff').map((c) => `/ogc/collections/${c.id}/items`))
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method} ${path}`
        const security = operation?.security ?? []
        const anonymousAllowed = security.length === 0 || security.some((s) => Object.keys(s).length === 0)
        const signInRequired = path === '/metrics' || (path.startsWith('/api/') && !publicApi.has(path)) || staffCollections.has(path) || (method !== 'get' && path !== '/auth/session')
        expect(!anonymousAllowed, name).toBe(signInRequired)
        expect(anonymousAllowed && security.length > 0, name).toBe(optional.has(name))
        if (security.length > 0) {
          expect(security, name).toEqual(expect.arrayContaining([{ bearerAuth: [] }, { sessionCookie: [] }]))
          expect(operation!.responses['401'], name).toEqual({ $ref: '#/components/responses/Unauthorized' })
        }
        if (/\(administrateur/.test(operation!.summary)) expect(operation!.responses['403'], name).toEqual({ $ref: '#/components/responses/Forbidden' })
      }
    }
    expect(document.paths['/auth/session']!.post!.responses['429']).toBeDefined()
  })

  it('lists each collection’s queryables on its items path', () => {
    for (const collection of COLLECTIONS) {
      const names = (document.paths[`/ogc/collections/${collection.id}/items`]!.get!.parameters ?? []).flatMap((p) => ('name' in p ? [p.name] : []))
      expect(names).toEqual(queryables(collection).map((p) => p.name))
    }
  })
})
