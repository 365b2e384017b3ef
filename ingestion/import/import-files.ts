/**
 * The files of one kind under a path: the file itself, or every file of that kind in a folder
 * and its sub-folders, as Etalab names them (`cadastre-72187-parcelles.json.gz`, a département's
 * `cadastre-72-parcelles.json.gz`, or plainly `parcelles.json`). Gzip is told by its magic bytes,
 * not by the name.
 */
import { createReadStream } from 'node:fs'
import { open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'
import type { FeatureKind } from './feature-kind.ts'
import { importFeatureSource, type FeatureImportOptions } from './feature-import.ts'
import { ImportRefusedError } from './import-errors.ts'
import { emptySummary, mergeSummary, type ImportSummary } from './import-summary.ts'

export interface KindFile {
  readonly path: string
  readonly size: number
}

/** The files of `kind` at `target` (a file or a folder), sorted by path. */
export async function findKindFiles(kind: string, target: string): Promise<KindFile[]> {
  let info
  try {
    info = await stat(target)
  } catch (error) {
    throw new ImportRefusedError(`cannot read ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  if (info.isFile()) return [{ path: target, size: info.size }]
  const pattern = new RegExp(`(^|[-_.])${kind}\\.json(\\.gz)?$`)
  const entries = await readdir(target, { recursive: true, withFileTypes: true })
  const files: KindFile[] = []
  for (const entry of entries) {
    if (!entry.isFile() || !pattern.test(entry.name)) continue
    const file = path.join(entry.parentPath ?? target, entry.name)
    files.push({ path: file, size: (await stat(file)).size })
  }
  if (files.length === 0) throw new ImportRefusedError(`no ${kind} file in ${target} (expected names ending in -${kind}.json or -${kind}.json.gz)`)
  return files.sort((a, b) => a.path.localeCompare(b.path))
}

/** Whether a file starts with the gzip magic bytes. */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(2)
    const { bytesRead } = await handle.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await handle.close()
  }
}

/**
 * Imports the files one after the other, each in its own transaction. A refused file stops the
 * run: the files before it stay imported (`done` says which), nothing of it is kept.
 */
export async function importFiles(
  db: Kysely<Schema>,
  kind: FeatureKind,
  files: readonly KindFile[],
  options: FeatureImportOptions & { readonly onFileDone?: (summary: ImportSummary) => void } = {},
): Promise<ImportSummary> {
  const total = emptySummary(kind.name, kind.layers)
  const started = Date.now()
  for (const [i, file] of files.entries()) {
    options.progress?.startFile(path.basename(file.path), i + 1, files.length, file.size)
    const source = { name: path.basename(file.path), bytes: createReadStream(file.path, { highWaterMark: 256 * 1024 }), gzip: await isGzipFile(file.path) }
    try {
      const summary = await importFeatureSource(db, kind, source, options)
      mergeSummary(total, summary)
      options.onFileDone?.(summary)
    } catch (error) {
      source.bytes.destroy()
      if (error instanceof ImportRefusedError && i > 0) {
        throw new ImportRefusedError(`${error.message} (nothing of it was imported; the ${i} file(s) before it were)`)
      }
      throw error
    } finally {
      options.progress?.endFile()
    }
  }
  total.ms = Date.now() - started
  return total
}
