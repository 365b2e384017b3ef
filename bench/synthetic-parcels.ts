/**
 * A synthetic Etalab parcels file (data README §6 layout and properties) over the Somme's bounding
 * box, of any size: for the import benchmark (a département, 500,000 parcels) and the tile
 * benchmark (smaller). Deterministic for a given seed. The box is cut into a grid, one parcel per
 * cell; a parcel is a star-shaped polygon of 5 to 12 vertices around its cell's centre (angles
 * sorted, radii 30–45 % of the cell: always simple, never overlapping its neighbours). Communes
 * are blocks of the grid, codes 80001…; sections of 300 parcels (A, B, … Z, AA, AB…) per commune.
 * Written as Etalab writes it: the header line, one feature per line, `]}` at the end.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { createGzip } from 'node:zlib'

/** The Somme's bounding box (data README §1), [west, south, east, north]. */
export const SOMME_BBOX = [1.38, 49.57, 3.21, 50.37] as const

export interface SyntheticParcelsOptions {
  readonly count: number
  readonly seed?: number
  readonly bbox?: readonly [number, number, number, number]
  /** Gzip the output (default: when the file name ends in .gz). */
  readonly gzip?: boolean
}

export interface SyntheticParcelsReport {
  readonly count: number
  readonly communes: number
  readonly bytes: number
}

const PARCELS_PER_SECTION = 300

/** Writes `count` parcels to `file`. */
export async function writeSyntheticParcels(file: string, options: SyntheticParcelsOptions): Promise<SyntheticParcelsReport> {
  const [west, south, east, north] = options.bbox ?? SOMME_BBOX
  const random = mulberry32(options.seed ?? 80)
  const gzip = options.gzip ?? file.endsWith('.gz')
  const fileStream = createWriteStream(file)
  const out: Writable = gzip ? createGzip({ level: 6 }) : fileStream
  if (gzip) out.pipe(fileStream)
  let bytes = 0
  const write = async (text: string) => {
    bytes += text.length
    if (!out.write(text)) await once(out, 'drain')
  }

  // Grid with cells about square on the ground (a degree of longitude is cos(lat) of one of latitude).
  const aspect = ((east - west) * Math.cos((((south + north) / 2) * Math.PI) / 180)) / (north - south)
  const cols = Math.ceil(Math.sqrt(options.count * aspect))
  const rows = Math.ceil(options.count / cols)
  const dx = (east - west) / cols
  const dy = (north - south) / rows
  // About 780 communes, as in the Somme; fewer for small files (at least ~50 parcels each).
  const blocks = Math.max(1, Math.min(28, Math.floor(Math.sqrt(options.count / 50))))
  const perCommune = new Map<string, number>()

  await write('{"type":"FeatureCollection","features":[\n')
  for (let i = 0; i < options.count; i++) {
    const row = Math.floor(i / cols)
    const col = i % cols
    const commune = String(80001 + Math.floor((row * blocks) / rows) * blocks + Math.floor((col * blocks) / cols))
    const local = perCommune.get(commune) ?? 0
    perCommune.set(commune, local + 1)
    const section = sectionCode(Math.floor(local / PARCELS_PER_SECTION))
    const numero = String((local % PARCELS_PER_SECTION) + 1)
    const id = `${commune}000${section.padStart(2, '0')}${numero.padStart(4, '0')}`

    const cx = west + (col + 0.5) * dx
    const cy = south + (row + 0.5) * dy
    const vertices = 5 + Math.floor(random() * 8)
    const angles = Array.from({ length: vertices }, (_, v) => ((v + 0.2 + random() * 0.6) / vertices) * 2 * Math.PI)
    const ring = angles.map((a) => {
      const r = 0.3 + random() * 0.15
      return [round7(cx + Math.cos(a) * r * dx), round7(cy + Math.sin(a) * r * dy)]
    })
    ring.push(ring[0]!)
    const contenance = Math.round(shoelaceM2(ring, cy))
    const feature = {
      type: 'Feature',
      id,
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: {
        id,
        commune,
        prefixe: '000',
        section,
        numero,
        contenance,
        arpente: random() < 0.03,
        created: '2005-06-24',
        updated: `2025-0${1 + Math.floor(random() * 8)}-1${Math.floor(random() * 10)}`,
      },
    }
    await write((i === 0 ? '' : ',\n') + JSON.stringify(feature))
  }
  await write(']}')
  out.end()
  await once(fileStream, 'close')
  return { count: options.count, communes: perCommune.size, bytes }
}

/** 0 → A … 25 → Z, 26 → AA, 27 → AB… (two letters at most, as the cadastre). */
function sectionCode(n: number): string {
  return n < 26 ? String.fromCharCode(65 + n) : String.fromCharCode(65 + Math.floor(n / 26) - 1) + String.fromCharCode(65 + (n % 26))
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7
}

/** Planar area of a lon/lat ring in m², on a local equirectangular projection (good enough for contenance). */
function shoelaceM2(ring: number[][], latitude: number): number {
  const mx = 111_320 * Math.cos((latitude * Math.PI) / 180)
  const my = 110_574
  let sum = 0
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]![0]! * mx * ring[i + 1]![1]! * my - ring[i + 1]![0]! * mx * ring[i]![1]! * my
  return Math.abs(sum) / 2
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
