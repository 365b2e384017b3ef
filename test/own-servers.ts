/**
 * Servers a test owns, so that it may stop and restart them: a Mosquitto running the project's
 * mosquitto.conf (another port, its own data directory), and a PostgreSQL cluster of its own
 * (Debian's PostgreSQL 15 binaries, run as the postgres user). Never the machine's services.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './ports.ts'

export const HAS_MOSQUITTO = spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined
const PG_BIN = '/usr/lib/postgresql/15/bin'
export const HAS_POSTGRES_BINARIES = spawnSync(path.join(PG_BIN, 'pg_ctl'), ['--version'], { stdio: 'ignore' }).status === 0

export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)))
      socket.on('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export interface OwnMosquitto {
  readonly url: string
  readonly port: number
  readonly dir: string
  /** The running Mosquitto's process id (for the benchmarks' CPU accounting). */
  readonly pid: number | undefined
  start(): Promise<void>
  /** A clean stop: Mosquitto saves its persistence file. */
  stop(): Promise<void>
  remove(): Promise<void>
}

export async function ownMosquitto(): Promise<OwnMosquitto> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-mosquitto-'))
  await chmod(dir, 0o777) // started as root, Mosquitto drops to its own user before writing there
  const port = await freePort()
  const shipped = await readFile(path.resolve(import.meta.dirname, '..', 'mosquitto.conf'), 'utf8')
  const config = path.join(dir, 'mosquitto.conf')
  await writeFile(config, shipped
    .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
    .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`)
    .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`))
  let child: ChildProcess | null = null
  const broker: OwnMosquitto = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid
    },
    async start() {
      child = spawn('mosquitto', ['-c', config], { stdio: 'ignore' })
      await waitForPort(port)
    },
    async stop() {
      if (!child || child.exitCode !== null) return
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
    async remove() {
      await broker.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
  await broker.start()
  return broker
}

export interface OwnPostgres {
  readonly url: string
  start(): Promise<void>
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  remove(): Promise<void>
}

/** A fresh PostgreSQL 15 cluster on a free port, trust authentication, PostGIS available. */
export async function ownPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-pg-'))
  const { uid, gid } = postgresUser()
  await chown(dir, uid, gid)
  const data = path.join(dir, 'data')
  const port = await freePort()
  const asPostgres = (args: string[]) => {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr || result.stdout}`)
  }
  asPostgres([path.join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
  const pgCtl = (...args: string[]) =>
    asPostgres([path.join(PG_BIN, 'pg_ctl'), '-D', data, '-w', '-l', path.join(dir, 'postgres.log'),
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, ...args])
  const server: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      pgCtl('start')
    },
    async stop(mode = 'fast') {
      pgCtl('stop', '-m', mode)
    },
    async remove() {
      try {
        pgCtl('stop', '-m', 'immediate')
      } catch {
        // already stopped
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
  await server.start()
  return server
}

function postgresUser(): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
  const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) }
}

export interface WorkerProcess {
  readonly child: ChildProcess
  readonly url: string
  log: string
  /** kill -9: no goodbye, no flush. */
  kill(): Promise<void>
  stop(): Promise<void>
}

/** `territoire ingest` in its own process, once /health answers (the database may be away: 200 or 503). */
export async function startWorker(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<WorkerProcess> {
  const port = String(await freePort())
  const child = spawn(process.execPath, [...nodeArgs, path.resolve(import.meta.dirname, '..', 'bin', 'territoire.js'), 'ingest'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const worker: WorkerProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    log: '',
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
  child.stdout!.on('data', (c) => (worker.log += c))
  child.stderr!.on('data', (c) => (worker.log += c))
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`territoire ingest exited with ${child.exitCode}: ${worker.log}`)
    const answered = await fetch(`${worker.url}/health`).then((r) => r.status === 200, () => false)
    if (answered) return worker
    if (Date.now() > deadline) throw new Error(`territoire ingest not healthy after 60 s: ${worker.log}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
