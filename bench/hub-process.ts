/** Starts `territoire start` as a separate process for the benchmarks, as an operator would. */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { freePort } from '../test/ports.ts'

export { freePort }

export const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'territoire.js')

export interface HubProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Milliseconds from spawn to the first 200 of /health. */
  readonly healthyAfterMs: number
  stop(): Promise<void>
}

/** The admin credential of the hubs benchmarks start: the staff's view, /metrics. */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789'

export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const port = env.PORT ?? String(await freePort())
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, 'start'], {
    // No rate limits unless a benchmark asks for them: every request comes from 127.0.0.1, far
    // faster than any client, and the figures are the hub's, not its limiter's refusals.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_TILES_PER_MINUTE: '0', HUB_ADMIN_TOKEN: BENCH_ADMIN_TOKEN, ...env, PORT: port },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`territoire start exited with ${child.exitCode}`)
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (ok) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const healthyAfterMs = performance.now() - started
  return {
    url,
    child,
    healthyAfterMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** The benchmarks' admin connection to the local PostgreSQL (BENCH_ADMIN_URL). */
export const BENCH_ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** Drops and creates the database `name` on the admin connection's server; its URL. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client(BENCH_ADMIN_URL)
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(BENCH_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}
