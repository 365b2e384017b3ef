/**
 * `territoire import communes <folder>`: the commune and EPCI boundaries from the COG files of a
 * folder laid out like data/somme — the EPCI JSON (`epci*.json`), the communes JSON
 * (`communes*.json`), optionally the communes déléguées/associées (`*deleguees*.json`), and one
 * commune-polygons GeoJSON (`communes*.geojson`). The files are read by ingestion/cog-files.ts and loaded
 * by ingestion/boundaries-importer.ts (the demo's loader), in one transaction with the layer bump.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import type { Logger } from '../../core/index.ts'
import { markLayersChanged, type Schema } from '../../sql/index.ts'
import { importBoundaries } from '../boundaries-importer.ts'
import { readCogFiles, type CogFiles } from '../cog-files.ts'
import { ImportRefusedError } from './import-errors.ts'
import { emptySummary, recordRejection, type ImportSummary } from './import-summary.ts'

export const COMMUNES_LAYERS = ['communes', 'epci'] as const

export async function findCogFiles(folder: string): Promise<CogFiles> {
  let names: string[]
  try {
    names = (await readdir(folder)).sort()
  } catch (error) {
    throw new ImportRefusedError(`communes: ${folder} must be a folder holding the COG files (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  const pick = (what: string, test: (name: string) => boolean, optional = false): string | undefined => {
    const found = names.filter(test)
    if (found.length > 1) throw new ImportRefusedError(`communes: several ${what} files in ${folder}: ${found.join(', ')}`)
    if (found.length === 0 && !optional) throw new ImportRefusedError(`communes: no ${what} file in ${folder}`)
    return found[0] === undefined ? undefined : path.join(folder, found[0])
  }
  const deleguees = pick('communes déléguées (*deleguees*.json)', (n) => /deleguee.*\.json$/.test(n), true)
  return {
    epci: pick('EPCI (epci*.json)', (n) => /^epci.*\.json$/.test(n))!,
    communes: pick('communes (communes*.json)', (n) => /^communes.*\.json$/.test(n) && !/deleguee/.test(n))!,
    polygons: pick('commune outlines (communes*.geojson)', (n) => /^communes.*\.geojson$/.test(n))!,
    ...(deleguees ? { deleguees } : {}),
  }
}

export async function importCommunes(db: Kysely<Schema>, folder: string, log: Logger): Promise<ImportSummary> {
  const started = Date.now()
  const files = await findCogFiles(folder)
  const input = await readCogFiles(files)
  const summary = emptySummary('communes', COMMUNES_LAYERS)
  summary.files = Object.keys(files).length
  summary.features = input.polygons.length
  await db.transaction().execute(async (trx) => {
    const codes = [...input.communes.map((c) => c.insee), ...input.epci.map((e) => e.siren)]
    const { rows } = await sql<{ n: number }>`
      SELECT (SELECT count(*) FROM commune WHERE insee = ANY(${codes}::text[])) + (SELECT count(*) FROM epci WHERE siren = ANY(${codes}::text[])) AS n`.execute(trx)
    const existing = Number(rows[0]?.n ?? 0)
    const report = await importBoundaries(trx, input, log)
    summary.updated = existing
    summary.inserted = report.communes + report.epci - existing
    for (const code of report.unassignedPolygons) {
      recordRejection(summary, { file: path.basename(files.polygons), feature: input.polygons.findIndex((p) => p.code === code) + 1, reason: 'unknown_commune', detail: `code ${code}` })
    }
    await markLayersChanged(trx, COMMUNES_LAYERS)
  })
  summary.ms = Date.now() - started
  return summary
}
