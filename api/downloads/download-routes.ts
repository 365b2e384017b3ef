import { Router, type Request, type Response } from 'express'
import type { Kysely } from 'kysely'
import { InvalidInputError, NotFoundError } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { COLLECTIONS, featureFilter, findCollection } from '../ogc/index.ts'
import { identifier, shown } from '../params.ts'
import { accessScope, PUBLIC_SCOPE } from '../auth/index.ts'
import { csvDialect, STANDARD_CSV } from './csv-dialect.ts'
import { assertBuilding, sensorKey, type DayRange } from './daily-queries.ts'
import { buildingDaysSource, collectionSource, render, sensorDaysSource, type DownloadFormat } from './download-streams.ts'
import { streamChunks } from './stream-chunks.ts'

const MEDIA_TYPES: Record<DownloadFormat, string> = { csv: 'text/csv; charset=utf-8; header=present', geojson: 'application/geo+json' }

/**
 * Whole-dataset downloads, streamed page by page: `/download/{collection}.csv|.geojson` (with the
 * collection's filters and bbox), `/download/readings/daily.csv|.geojson?sensor=…|building=…&from&to`.
 */
export function downloadRoutes(db: Kysely<Schema>): Router {
  const router = Router()
  for (const format of ['csv', 'geojson'] as const) {
    router.get(`/download/readings/daily.${format}`, async (req, res) => {
      const known = ['sensor', 'building', 'from', 'to', ...(format === 'csv' ? ['sep'] : [])]
      refuseUnknown(req, known)
      const dialect = format === 'csv' ? csvDialect(req.query.sep) : STANDARD_CSV
      const range = dayRange(req)
      const scope = PUBLIC_SCOPE
      if (req.query.sensor !== undefined && req.query.building !== undefined) throw new InvalidInputError('give sensor or building, not both', 'building')
      let chunks: AsyncIterable<string>
      let name = 'readings-daily'
      if (req.query.building !== undefined) {
        const building = identifier(req.query.building, 'building')
        await assertBuilding(db, scope, building)
        chunks = render(buildingDaysSource(db, building, range), format, dialect)
        name = `readings-daily-building-${building}`
      } else {
        const sensor = req.query.sensor === undefined ? null : identifier(req.query.sensor, 'sensor')
        const sid = sensor === null ? null : await sensorKey(db, scope, sensor)
        chunks = render(sensorDaysSource(db, scope, sid, range), format, dialect)
        if (sensor !== null) name = `readings-daily-${sensor}`
      }
      await send(res, format, name, chunks)
    })
    router.get(`/download/:collectionId.${format}`, async (req, res) => {
      const id = String(req.params.collectionId)
      const collection = findCollection(id)
      if (!collection) throw new NotFoundError(`no collection ${id}; the collections are ${COLLECTIONS.map((c) => c.id).join(', ')}`)
      const scope = accessScope(collection.access, `the collection ${collection.id}`, res)
      const filter = featureFilter(collection, req.query, format === 'csv' ? ['bbox', 'sep'] : ['bbox'])
      const dialect = format === 'csv' ? csvDialect(req.query.sep) : STANDARD_CSV
      await send(res, format, collection.id, render(collectionSource(db, collection, filter, scope, format), format, dialect))
    })
  }
  return router
}

/** Headers go out with the first chunk: a failure of the first page is still a problem+json answer. */
async function send(res: Response, format: DownloadFormat, name: string, chunks: AsyncIterable<string>): Promise<void> {
  res.status(200)
  res.setHeader('Content-Type', MEDIA_TYPES[format])
  res.setHeader('Content-Disposition', `attachment; filename="${name}.${format}"`)
  res.setHeader('Cache-Control', 'no-cache')
  await streamChunks(res, chunks)
}

function refuseUnknown(req: Request, known: readonly string[]): void {
  for (const name of Object.keys(req.query)) {
    if (!known.includes(name)) throw new InvalidInputError(`unknown parameter ${name}; the parameters are ${known.join(', ')}`, name)
  }
}

/** `from` (included) and `to` (excluded), local days YYYY-MM-DD; either may be left open. */
function dayRange(req: Request): DayRange {
  const day = (name: 'from' | 'to'): string | null => {
    const value = req.query[name]
    if (value === undefined) return null
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      throw new InvalidInputError(`${name} must be a day YYYY-MM-DD (got "${shown(value)}")`, name)
    }
    return value
  }
  const range = { from: day('from'), to: day('to') }
  if (range.from !== null && range.to !== null && range.from >= range.to) throw new InvalidInputError('from must be before to (to is excluded)', 'from')
  return range
}
