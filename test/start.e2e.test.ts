/**
 * `territoire start` end to end, in its own process, as a newcomer runs it: the hub becomes
 * healthy, serves the demo territory, ingests the simulator's readings and one we publish; a
 * restart on the same data reuses it and does not reload the demo. On the embedded engines
 * it uses a fresh HUB_DATA_DIR; in the servers pass, a fresh database on the real PostgreSQL
 * and the real broker. Times are printed (measured, not asserted: see bench/ for figures).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import mqtt from 'mqtt'
import pg from 'pg'
import { databaseUrl, engines, freePort, mqttUrl, uniqueName } from './engines.ts'
import { openEventStream } from './event-stream.ts'

const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'territoire.js')

interface Hub {
  readonly child: ChildProcess
  readonly url: string
  log: string
}

let env: Record<string, string>
const ADMIN_TOKEN = 'e2e-admin-token-0123456789'
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` }
let cleanup: () => Promise<void>


async function startHub(): Promise<Hub & { healthyAfterMs: number }> {
  const started = Date.now()
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const hub: Hub = { child, url: `http://127.0.0.1:${env.PORT}`, log: '' }
  child.stdout!.on('data', (chunk) => (hub.log += chunk))
  child.stderr!.on('data', (chunk) => (hub.log += chunk))
  await vi.waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`hub exited (${child.exitCode}):\n${hub.log}`)
    const response = await fetch(`${hub.url}/health`)
    expect(response.status).toBe(200)
  }, { timeout: 120_000, interval: 250 })
  return { ...hub, healthyAfterMs: Date.now() - started }
}

async function stopHub(hub: Hub): Promise<number | null> {
  if (hub.child.exitCode !== null) return hub.child.exitCode
  const exited = new Promise<number | null>((resolve) => hub.child.once('exit', (code) => resolve(code)))
  hub.child.kill('SIGTERM')
  return exited
}

beforeAll(async () => {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(await freePort()), SIMULATOR_INTERVAL_S: '2', LOG_LEVEL: 'info', HUB_ADMIN_TOKEN: ADMIN_TOKEN }
  if (engines() === 'servers') {
    const name = uniqueName('territoire_e2e').replace(/-/g, '_')
    const admin = new pg.Client({ connectionString: databaseUrl() })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    const url = new URL(databaseUrl())
    url.pathname = `/${name}`
    const clientId = uniqueName('e2e-ingestion')
    env = { ...base, DATABASE_URL: url.toString(), MQTT_URL: mqttUrl(), MQTT_CLIENT_ID: clientId }
    cleanup = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
      // Discard the persistent session the hub left on the broker.
      const client = await mqtt.connectAsync(mqttUrl(), { clientId, clean: true, protocolVersion: 4 })
      await client.endAsync()
    }
  } else {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'territoire-e2e-'))
    // The test publishes as a device without a credential (test/mqtt-acl.test.ts covers credentials).
    env = { ...base, HUB_DATA_DIR: dataDir, MQTT_PORT: String(await freePort()), MQTT_ALLOW_ANONYMOUS: 'on' }
    cleanup = () => rm(dataDir, { recursive: true, force: true })
  }
})
afterAll(() => cleanup?.())

describe(`territoire start (${process.env.DATABASE_URL ? 'real servers' : 'embedded engines'})`, () => {
  it('starts healthy, serves the demo, ingests readings, and restarts on the same data without reloading the demo', { timeout: 300_000 }, async () => {
    const first = await startHub()
    try {
      const health = (await (await fetch(`${first.url}/health`)).json()) as { status: string; engines: Record<string, string> }
      expect(health.status).toBe('ok')
      expect(health.engines).toMatchObject(engines() === 'servers' ? { database: 'external', broker: 'external', tileEncoder: 'postgis' } : { database: 'embedded', broker: 'embedded', tileEncoder: 'node' })
      expect(((await (await fetch(`${first.url}/api/epci`)).json()) as unknown[]).length).toBe(17)
      expect(first.log).toMatch(/demo territory loaded communes=771/)

      // The simulator's readings arrive through the broker and the ingestion.
      await vi.waitFor(async () => {
        const body = (await (await fetch(`${first.url}/api/sensors/80021-mairie-ambiance.temperature/readings`, { headers: ADMIN })).json()) as { readings: unknown[] }
        expect(body.readings.length).toBeGreaterThan(0)
      }, { timeout: 60_000, interval: 250 })

      // And so does a SenML pack published on the documented topic.
      const brokerUrl = env.MQTT_URL ?? `mqtt://127.0.0.1:${env.MQTT_PORT}`
      const publisher = await mqtt.connectAsync(brokerUrl, { clientId: uniqueName('e2e-pub'), protocolVersion: 4 })
      const t = Math.floor(Date.now() / 1000) - 3600
      const publishedAt = Date.now()
      await publisher.publishAsync('territoire/senml/80021-ecole-1-ambiance', JSON.stringify([
        { bn: 'urn:dev:territoire:80021-ecole-1-ambiance:', bt: t, n: 'co2', u: 'ppm', v: 1234 },
      ]), { qos: 1 })
      await publisher.endAsync()
      const from = new Date((t - 1) * 1000).toISOString()
      await vi.waitFor(async () => {
        const body = (await (await fetch(`${first.url}/api/sensors/80021-ecole-1-ambiance.co2/readings?from=${from}&to=${new Date((t + 1) * 1000).toISOString()}`, { headers: ADMIN })).json()) as { readings: unknown[] }
        expect(body.readings).toEqual([{ time: new Date(t * 1000).toISOString(), value: 1234 }])
      }, { timeout: 30_000, interval: 50 })
      const latencyMs = Date.now() - publishedAt

      // The open page's live stream hears a new latest value through the broker, the ingestion and the change feed.
      const stream = await openEventStream(`${first.url}/api/epci/248000531/live`, ADMIN)
      try {
        const again = await mqtt.connectAsync(brokerUrl, { clientId: uniqueName('e2e-pub'), protocolVersion: 4 })
        const liveAt = Date.now()
        await again.publishAsync('territoire/senml/80021-ecole-1-ambiance', JSON.stringify([
          // Two seconds ahead (allowed: INGEST_MAX_FUTURE_S): newer than the simulator's reading of the same second, the latest value.
          { bn: 'urn:dev:territoire:80021-ecole-1-ambiance:', bt: Math.ceil(liveAt / 1000) + 2, n: 'co2', u: 'ppm', v: 1777 },
        ]), { qos: 1 })
        await again.endAsync()
        const event = await stream.until((e) => e.event === 'reading' && e.data.sensor === '80021-ecole-1-ambiance.co2' && e.data.value === 1777)
        expect(event.data).toMatchObject({ building: '80021-ecole-1', quantity: 'co2', unit: 'ppm' })
        process.stdout.write(`[territoire e2e] published SenML on the live stream after ${Date.now() - liveAt} ms\n`)
      } finally {
        await stream.close()
      }

      const tile = await fetch(`${first.url}/tiles/communes/9/259/173.mvt`)
      expect(tile.status).toBe(200)
      process.stdout.write(`[territoire e2e] first start healthy after ${first.healthyAfterMs} ms; published SenML readable after ${latencyMs} ms\n`)
    } finally {
      expect(await stopHub(first)).toBe(0)
    }

    const second = await startHub()
    try {
      expect(second.log).toMatch(/territory already loaded, demo not reloaded/)
      expect(second.log).not.toMatch(/migration applied/)
      expect(((await (await fetch(`${second.url}/api/epci`)).json()) as unknown[]).length).toBe(17)
      process.stdout.write(`[territoire e2e] restart on the same data healthy after ${second.healthyAfterMs} ms\n`)
    } finally {
      expect(await stopHub(second)).toBe(0)
    }
  })
})
