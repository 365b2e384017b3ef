/**
 * Reads the territory files of the French COG as published by Etalab's
 * `@etalab/decoupage-administratif` (EPCI and communes JSON) and a commune-polygons GeoJSON
 * (IGN Admin Express via france-geojson), into the importer's input. Shapes are checked field
 * by field: a wrong file gets a clear message, not a crash deep in SQL.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Feature, FeatureCollection, Geometry } from 'geojson'
import { InvalidInputError } from '../core/index.ts'
import type { BoundariesInput, CommuneRecord, EpciRecord } from './boundaries-importer.ts'

export interface CogFiles {
  readonly epci: string
  readonly communes: string
  readonly polygons: string
  /** Communes déléguées / associées: their `chefLieu` maps a former code to a current commune. */
  readonly deleguees?: string
}

export async function readCogFiles(files: CogFiles): Promise<BoundariesInput> {
  const epciRaw = asArray(await readJson(files.epci), files.epci)
  const communesRaw = asArray(await readJson(files.communes), files.communes)
  const deleguees = files.deleguees ? asArray(await readJson(files.deleguees), files.deleguees) : []
  const polygonsRaw = await readJson(files.polygons)

  const epci: EpciRecord[] = epciRaw.map((item, i) => {
    const where = `${path.basename(files.epci)} item ${i + 1}`
    const members = field(item, 'membres', where)
    return {
      siren: text(item, 'code', where, /^\d{9}$/),
      nom: text(item, 'nom', where),
      nature: text(item, 'type', where, /^(CA|CC|CU|MET)$/),
      population: optionalInteger(item, 'populationTotale', where),
      membersTotal: Array.isArray(members) ? members.length : fail(`${where}: "membres" must be an array`),
    }
  })

  const formerByChefLieu = new Map<string, string[]>()
  for (const [i, item] of deleguees.entries()) {
    const where = `${path.basename(files.deleguees ?? '')} item ${i + 1}`
    const chefLieu = text(item, 'chefLieu', where)
    formerByChefLieu.set(chefLieu, [...(formerByChefLieu.get(chefLieu) ?? []), text(item, 'code', where)])
  }

  const communes: CommuneRecord[] = communesRaw.map((item, i) => {
    const where = `${path.basename(files.communes)} item ${i + 1}`
    const insee = text(item, 'code', where, /^[0-9][0-9AB][0-9]{3}$/)
    const anciens = field(item, 'anciensCodes', where, true)
    if (anciens !== undefined && !(Array.isArray(anciens) && anciens.every((c) => typeof c === 'string'))) {
      fail(`${where}: "anciensCodes" must be an array of codes`)
    }
    const formerCodes = new Set([...((anciens as string[] | undefined) ?? []), ...(formerByChefLieu.get(insee) ?? [])])
    formerCodes.delete(insee)
    return {
      insee,
      nom: text(item, 'nom', where),
      epciSiren: field(item, 'codeEpci', where, true) === undefined ? null : text(item, 'codeEpci', where, /^\d{9}$/),
      population: optionalInteger(item, 'population', where),
      departement: text(item, 'departement', where),
      formerCodes: [...formerCodes],
    }
  })

  const collection = polygonsRaw as FeatureCollection
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    fail(`${path.basename(files.polygons)} is not a GeoJSON FeatureCollection`)
  }
  const polygons = collection.features.map((feature: Feature, i) => {
    const where = `${path.basename(files.polygons)} feature ${i + 1}`
    const geometry: Geometry | null = feature.geometry
    if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
      fail(`${where}: geometry must be a Polygon or MultiPolygon`)
    }
    return { code: text(feature.properties ?? {}, 'code', where), geometry }
  })

  return { epci, communes, polygons }
}

async function readJson(file: string): Promise<unknown> {
  let content: string
  try {
    content = await readFile(file, 'utf8')
  } catch (error) {
    throw new InvalidInputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  try {
    return JSON.parse(content)
  } catch (error) {
    throw new InvalidInputError(`${file} is not valid JSON: ${(error as Error).message}`)
  }
}

function asArray(value: unknown, file: string): Record<string, unknown>[] {
  if (!Array.isArray(value)) fail(`${path.basename(file)} must be a JSON array`)
  return value as Record<string, unknown>[]
}

function field(item: unknown, name: string, where: string, optional = false): unknown {
  if (item === null || typeof item !== 'object') fail(`${where} is not an object`)
  const value = (item as Record<string, unknown>)[name]
  if (value === undefined && !optional) fail(`${where}: "${name}" is missing`)
  return value
}

function text(item: unknown, name: string, where: string, pattern?: RegExp): string {
  const value = field(item, name, where)
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) fail(`${where}: "${name}" is not a valid value (${JSON.stringify(value)})`)
  return value
}

function optionalInteger(item: unknown, name: string, where: string): number | null {
  const value = field(item, name, where, true)
  if (value === undefined || value === null) return null
  if (!Number.isInteger(value)) fail(`${where}: "${name}" must be an integer`)
  return value as number
}

function fail(message: string): never {
  throw new InvalidInputError(message)
}
