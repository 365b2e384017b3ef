/**
 * The hypervisor's built files (web/dist), and its client-side routes (`/epci/{siren}`…)
 * answered with index.html so that deep links work. The page's settings (an external basemap)
 * travel in index.html's head, so that the map needs no extra request to start. Everything
 * served here carries the page's Content-Security-Policy (security-headers.ts) in place of the
 * API's: the documents, and the scripts too, since a worker obeys its own script's policy.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import express, { Router } from 'express'
import { acceptsGzip } from './tiles/tile-routes.ts'
import { pageContentSecurityPolicy } from './security-headers.ts'

const gzipAsync = promisify(gzip)
/** Text assets worth compressing (images and fonts are compressed already). */
const TEXT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

const CLIENT_ROUTES = /^\/(epci(\/.*)?)?$/

/** The `<meta>` that gives the page its external basemap (read by web/src/territory-map.ts). */
export const BASEMAP_META_NAME = 'territoire-basemap-style'

export interface WebPageOptions {
  /** MapLibre style URL drawn under the map's own layers; null or absent: none (offline map). */
  readonly basemapStyleUrl?: string | null
}

export function webRoutes(webDir: string, options: WebPageOptions = {}): Router {
  const router = Router()
  const csp = pageContentSecurityPolicy(options.basemapStyleUrl ?? null)
  const index = path.join(webDir, 'index.html')
  if (!existsSync(index)) {
    router.get(CLIENT_ROUTES, (_req, res) => {
      res.setHeader('Content-Security-Policy', csp)
      res.status(503).type('html').send(
        '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Territoire</title>' +
          '<p>L’interface web n’est pas construite. Lancez <code>npm run build:web</code> puis redémarrez.</p></html>',
      )
    })
    return router
  }
  // Vite's assets have their content's hash in their name: cached for a year, and sent gzip-compressed
  // (compressed once, at the first request; the page's JavaScript shrinks to about a quarter: a
  // difference on a rural connection).
  const compressed = new Map<string, Promise<{ body: Buffer; etag: string } | null>>()
  router.get('/assets/:file', async (req, res, next) => {
    const file = path.basename(req.params.file)
    const type = TEXT_TYPES[path.extname(file)]
    if (!type || !acceptsGzip(req.headers['accept-encoding'])) return next()
    let entry = compressed.get(file)
    if (!entry) {
      entry = readFile(path.join(webDir, 'assets', file)).then(
        async (bytes) => ({ body: await gzipAsync(bytes, { level: 9 }), etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}-gz"` }),
        () => null,
      )
      compressed.set(file, entry)
    }
    const found = await entry
    if (!found) {
      compressed.delete(file)
      return next()
    }
    res.set({ 'Content-Security-Policy': csp, 'Content-Type': type, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Cache-Control': 'public, max-age=31536000, immutable', ETag: found.etag })
    if (req.headers['if-none-match'] === found.etag) return void res.status(304).end()
    res.send(found.body)
  })
  router.use(express.static(webDir, { index: false, maxAge: '1h', immutable: false, setHeaders: (res) => res.setHeader('Content-Security-Policy', csp) }))
  const head = options.basemapStyleUrl ? `<meta name="${BASEMAP_META_NAME}" content="${escapeAttribute(options.basemapStyleUrl)}" />` : null
  router.get(CLIENT_ROUTES, async (_req, res) => {
    res.set({ 'Cache-Control': 'no-cache', 'Content-Security-Policy': csp })
    if (head === null) return void res.sendFile(index)
    // Read at each request, as sendFile does: a rebuilt page is served without a restart.
    const html = await readFile(index, 'utf8')
    // A function, not a string: `$&` in a URL must not be read as a replacement pattern.
    res.type('html').send(html.replace(/<\/head>/i, (end) => `${head}\n${end}`))
  })
  return router
}

/** A value fit for a double-quoted HTML attribute. */
function escapeAttribute(value: string): string {
  return value.replace(/[&"'<>]/g, (c) => `&#${c.charCodeAt(0)};`)
}
