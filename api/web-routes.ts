/**
 * The hypervisor's built files (web/dist), and its client-side routes (`/epci/{siren}`…)
 * answered with index.html so that deep links work.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import express, { Router } from 'express'
import { acceptsGzip } from './tiles/tile-routes.ts'

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

export function webRoutes(webDir: string): Router {
  const router = Router()
  const index = path.join(webDir, 'index.html')
  if (!existsSync(index)) {
    router.get(CLIENT_ROUTES, (_req, res) => {
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
    res.set({ 'Content-Type': type, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Cache-Control': 'public, max-age=31536000, immutable', ETag: found.etag })
    if (req.headers['if-none-match'] === found.etag) return void res.status(304).end()
    res.send(found.body)
  })
  router.use(express.static(webDir, { index: false, maxAge: '1h', immutable: false }))
  router.get(CLIENT_ROUTES, (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(index)
  })
  return router
}
