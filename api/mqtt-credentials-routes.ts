/**
 * Admin endpoints of the per-device MQTT credentials (ingestion/mqtt-credentials.ts) — what the
 * CLI does, for a hub on the embedded database, whose data directory the CLI cannot open while the
 * hub runs:
 *
 *   POST   /api/mqtt-credentials            { "device": "<id>" } or { "integration": "<name>", "topics": ["…"] }, "replace"?: true
 *          → 201 { username, password, deviceId, topics, … }: the only time the password is shown
 *   GET    /api/mqtt-credentials            → { credentials: [...] } (active ones; ?all=true: revoked too)
 *   DELETE /api/mqtt-credentials/:username  → 204
 *
 * Mosquitto's files are exported by the CLI only: they are written where Mosquitto reads them.
 */
import express, { Router, type RequestHandler } from 'express'
import type { Kysely } from 'kysely'
import { InvalidInputError } from '../core/index.ts'
import { createDeviceCredential, createIntegrationCredential, listCredentials, revokeCredential } from '../ingestion/mqtt-credentials.ts'
import type { Schema } from '../sql/index.ts'
import { principalOf } from './auth/index.ts'
import { identifier } from './params.ts'

export function mqttCredentialRoutes(db: Kysely<Schema>, admin: RequestHandler): Router {
  const router = Router()

  router.post('/api/mqtt-credentials', admin, express.json({ limit: '16kb' }), async (req, res) => {
    const body: unknown = req.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('the body must be a JSON object: { "device" } or { "integration", "topics" }')
    const { device, integration, topics, replace, ...unknown } = body as Record<string, unknown>
    const extra = Object.keys(unknown)[0]
    if (extra !== undefined) throw new InvalidInputError(`unknown field "${extra}" (known: device, integration, topics, replace)`, extra)
    if ((device === undefined) === (integration === undefined)) throw new InvalidInputError('give "device" (a device id) or "integration" (a name with "topics"), one of them', 'device')
    if (replace !== undefined && typeof replace !== 'boolean') throw new InvalidInputError('"replace" must be true or false', 'replace')
    const options = { actor: principalOf(res).actor, replace: replace === true }
    let created
    if (device !== undefined) {
      if (typeof device !== 'string') throw new InvalidInputError('"device" must be a device id', 'device')
      if (topics !== undefined) throw new InvalidInputError('"topics" is for an integration: a device\'s topics follow from its DevEUI and SenML base name', 'topics')
      created = await createDeviceCredential(db, identifier(device, 'device'), options)
    } else {
      if (typeof integration !== 'string') throw new InvalidInputError('"integration" must be a name', 'integration')
      if (!Array.isArray(topics) || topics.length > 100 || !topics.every((t): t is string => typeof t === 'string')) {
        throw new InvalidInputError('"topics" must be an array of MQTT topic filters (at most 100)', 'topics')
      }
      created = await createIntegrationCredential(db, integration, topics, options)
    }
    res.status(201).set('Cache-Control', 'no-store').json(created)
  })

  router.get('/api/mqtt-credentials', admin, async (req, res) => {
    res.json({ credentials: await listCredentials(db, { includeRevoked: req.query.all === 'true' }) })
  })

  router.delete('/api/mqtt-credentials/:username', admin, async (req, res) => {
    await revokeCredential(db, identifier(req.params.username, 'username'), principalOf(res).actor)
    res.status(204).end()
  })

  return router
}
