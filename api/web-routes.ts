/**
 * The hypervisor's built files (web/dist), and its client-side routes (`/epci/{siren}`…)
 * answered with index.html so that deep links work.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import express, { Router } from 'express'

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
  router.use(express.static(webDir, { index: false, maxAge: '1h', immutable: false }))
  router.get(CLIENT_ROUTES, (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(index)
  })
  return router
}
