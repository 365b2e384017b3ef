/**
 * Progress of a long import: a bar redrawn in place on a terminal (stderr, only when it is a TTY),
 * else a plain log line per file and every LOG_EVERY_MS, so that a CI log or a cron mail stays
 * readable.
 */
import type { Logger } from '../../core/index.ts'

export interface ImportProgress {
  startFile(name: string, position: number, count: number, totalBytes: number | null): void
  /** Bytes read from the file as stored (compressed when gzip). */
  bytes(n: number): void
  /** Features read so far in the current file. */
  features(n: number): void
  endFile(): void
}

const REDRAW_MS = 200
const LOG_EVERY_MS = 10_000

interface FileState {
  name: string
  position: number
  count: number
  total: number | null
  read: number
  features: number
  started: number
}

/** A one-line bar on a TTY stream: `[#####.....]  45%  12.3/27.1 MB  184,000 features  35,000/s  file 3/12 name`. */
export function terminalProgress(stream: NodeJS.WriteStream): ImportProgress {
  let file: FileState | null = null
  let drawn = 0
  const draw = (force: boolean) => {
    const now = Date.now()
    if (!file || (!force && now - drawn < REDRAW_MS)) return
    drawn = now
    const width = 24
    const fraction = file.total ? Math.min(1, file.read / file.total) : 0
    const bar = file.total ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${String(Math.round(fraction * 100)).padStart(3)}%` : '[working]'
    const mb = (x: number) => (x / 1048576).toFixed(1)
    const rate = Math.round(file.features / Math.max(0.001, (now - file.started) / 1000))
    const size = file.total ? `${mb(file.read)}/${mb(file.total)} MB` : `${mb(file.read)} MB`
    const line = `${bar}  ${size}  ${file.features.toLocaleString('en-US')} features  ${rate.toLocaleString('en-US')}/s  file ${file.position}/${file.count} ${file.name}`
    stream.write(`\r${line.slice(0, Math.max(20, (stream.columns || 120) - 1))}\u001b[K`)
  }
  return {
    startFile(name, position, count, totalBytes) {
      file = { name, position, count, total: totalBytes, read: 0, features: 0, started: Date.now() }
      draw(true)
    },
    bytes(n) {
      if (file) file.read += n
      draw(false)
    },
    features(n) {
      if (file) file.features = n
      draw(false)
    },
    endFile() {
      draw(true)
      stream.write('\n')
      file = null
    },
  }
}

/** Log lines: one when a file starts and ends, one every 10 s in between. */
export function logProgress(log: Logger): ImportProgress {
  let file: FileState | null = null
  let logged = 0
  const line = (message: string) => {
    if (!file) return
    logged = Date.now()
    log.info(message, {
      file: file.name,
      position: `${file.position}/${file.count}`,
      features: file.features,
      mb: Number((file.read / 1048576).toFixed(1)),
      ...(file.total ? { percent: Math.round((100 * file.read) / file.total) } : {}),
    })
  }
  return {
    startFile(name, position, count, totalBytes) {
      file = { name, position, count, total: totalBytes, read: 0, features: 0, started: Date.now() }
      line('import file started')
    },
    bytes(n) {
      if (file) file.read += n
      if (Date.now() - logged >= LOG_EVERY_MS) line('import in progress')
    },
    features(n) {
      if (file) file.features = n
    },
    endFile() {
      line('import file done')
      file = null
    },
  }
}
