/**
 * POST /api/imports/{kind}: a small GeoJSON file as the request body (admin token), imported as
 * `territoire import` would, answered with the summary as JSON. The body streams into the
 * importer (never buffered whole); past IMPORT_MAX_BODY_BYTES it is refused with a 413 and the
 * file's transaction rolls back. Larger files: the command.
 */
import { Router, type RequestHandler } from 'express'
import type { Kysely } from 'kysely'
import { HubError, NotFoundError } from '../core/index.ts'
import { COMMUNES_KIND, FEATURE_KINDS, importFeatureSource } from '../ingestion/import/index.ts'
import { recordAudit, type Schema } from '../sql/index.ts'
import { principalOf } from './auth/index.ts'

/** Largest body accepted, as sent (compressed when gzip): 50 MiB. */
export const IMPORT_MAX_BODY_BYTES = 50 * 1024 * 1024

const GEOJSON_TYPES = new Set(['application/geo+json', 'application/json'])
const GZIP_TYPES = new Set(['application/gzip', 'application/x-gzip'])

/** A client error with its own status (problem.ts maps the status of a 4xx error). */
class BodyRefusedError extends HubError {
  constructor(
    message: string,
    readonly status: 413 | 415,
  ) {
    super(message)
  }
}

export function importRoutes(db: Kysely<Schema>, admin: RequestHandler): Router {
  const router = Router()

  router.post('/api/imports/:kind', admin, async (req, res) => {
    const kindName = String(req.params.kind)
    if (kindName === COMMUNES_KIND) throw new NotFoundError('communes are imported from a folder of COG files: use `territoire import communes <folder>`')
    const kind = FEATURE_KINDS.get(kindName)
    if (!kind) throw new NotFoundError(`no import kind "${kindName}" (kinds: ${[...FEATURE_KINDS.keys()].join(', ')})`)

    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    const gzip = GZIP_TYPES.has(type) || (GEOJSON_TYPES.has(type) && /gzip/i.test(req.get('content-encoding') ?? ''))
    if (!gzip && !GEOJSON_TYPES.has(type)) {
      throw new BodyRefusedError(`Content-Type must be application/geo+json, application/json or application/gzip (got ${type || 'none'})`, 415)
    }
    const declared = Number(req.get('content-length') ?? NaN)
    if (declared > IMPORT_MAX_BODY_BYTES) throw tooLarge()

    const summary = await importFeatureSource(db, kind, { name: 'request body', bytes: limited(req, IMPORT_MAX_BODY_BYTES), gzip })
    await recordAudit(db, { actor: principalOf(res).actor, action: 'import.run', target: kindName, detail: { via: 'api', ...summary } })
    res.json(summary)
  })
  return router
}

function tooLarge(): BodyRefusedError {
  return new BodyRefusedError(`the body is larger than ${IMPORT_MAX_BODY_BYTES / 1048576} MiB: import the file with \`territoire import\``, 413)
}

/** The body's chunks, refused past `limit` bytes (whatever Content-Length said). */
async function* limited(body: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let total = 0
  for await (const chunk of body) {
    total += chunk.length
    if (total > limit) throw tooLarge()
    yield chunk
  }
}
