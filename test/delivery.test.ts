/**
 * Delivery semantics under failure, with 20,000 QoS 1 SenML packs of 3 records each: the
 * ingestion (`territoire ingest`, its own process) killed with SIGKILL mid-stream and restarted;
 * the database restarted mid-stream; and, on Mosquitto, two workers sharing the stream through
 * an MQTT 5 shared subscription, one of them killed. Every time: exactly the 60,000 expected
 * readings, none lost, none doubled, values intact.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import pg from 'pg'
import { silentLogger } from '../core/index.ts'
import { parseDeviceSpec, provisionDevices } from '../ingestion/index.ts'
import { startEmbeddedPostgres } from '../sql/embedded-postgres.ts'
import { connectDatabase, migrate } from '../sql/index.ts'
import { databaseUrl, engines, mqttUrl, uniqueName } from './engines.ts'
import { freePort } from './ports.ts'
import { HAS_MOSQUITTO, HAS_POSTGRES_BINARIES, ownMosquitto, ownPostgres, startWorker, type OwnMosquitto } from './own-servers.ts'

const MESSAGES = 20_000
const DEVICES = 200
const READINGS = MESSAGES * 3
const servers = engines() === 'servers'

/** One scenario's stream: its devices, topics and the 20,000 packs. */
function stream(name: string) {
  const run = uniqueName(name)
  const origin = Math.floor(Date.UTC(2022, 0, 1) / 1000) + Math.floor(Math.random() * 300) * 86_400
  const values = (i: number) => [20 + (i % 10) / 10, 40 + (i % 20), 500 + (i % 300)] as const
  let expectedSum = 0
  for (let i = 0; i < MESSAGES; i++) expectedSum += values(i).reduce((a, b) => a + b, 0)
  return {
    run,
    topics: `${run}/senml/#`,
    expectedSum,
    devices: Array.from({ length: DEVICES }, (_, k) => parseDeviceSpec({ id: `${run}-${k}`, senmlBaseName: `urn:dev:${run}-${k}:`, profile: 'generic-ambiance' })),
    /** Publishes every pack at QoS 1, a window of 500 unacknowledged at a time. */
    async publish(brokerUrl: string): Promise<void> {
      const client = await mqtt.connectAsync(brokerUrl, { clientId: uniqueName('pub'), protocolVersion: 4 })
      let next = 0
      const sendOne = async (): Promise<void> => {
        while (next < MESSAGES) {
          const i = next++
          const [t, h, c] = values(i)
          const pack = [{ bn: `urn:dev:${run}-${i % DEVICES}:`, bt: origin + Math.floor(i / DEVICES), n: 'temperature', u: 'Cel', v: t }, { n: 'humidity', v: h }, { n: 'co2', v: c }]
          await client.publishAsync(`${run}/senml/${i % DEVICES}`, JSON.stringify(pack), { qos: 1 })
        }
      }
      await Promise.all(Array.from({ length: 500 }, sendOne))
      await client.endAsync()
    },
  }
}

/** Readings of a stream's devices and the sum of their values (null while the database is away). */
async function tally(url: string, run: string): Promise<{ n: number; sum: number } | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    const { rows } = await client.query<{ n: number; sum: number | null }>(
      `SELECT count(*)::int AS n, sum(r.value) AS sum FROM reading r JOIN sensor s USING (sid) WHERE s.device_id LIKE $1`,
      [`${run}-%`],
    )
    return { n: rows[0]!.n, sum: rows[0]!.sum ?? 0 }
  } catch {
    return null
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function until(url: string, run: string, predicate: (n: number) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const t = await tally(url, run)
    if (t && predicate(t.n)) return
    if (Date.now() > deadline) throw new Error(`stream ${run}: ${t?.n ?? 'no answer'} readings after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Exactly the expected readings, and they stay so (nothing arrives twice later). */
async function expectExactly(url: string, s: ReturnType<typeof stream>): Promise<void> {
  await until(url, s.run, (n) => n >= READINGS, Number(process.env.DELIVERY_TIMEOUT_MS ?? 180_000))
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const t = await tally(url, s.run)
  expect(t!.n).toBe(READINGS)
  expect(t!.sum).toBeCloseTo(s.expectedSum, 6)
}

async function forgetSession(brokerUrl: string, clientId: string, protocolVersion: 4 | 5 = 4): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId, clean: true, protocolVersion })
  await client.endAsync()
}

async function provision(url: string, s: ReturnType<typeof stream>): Promise<void> {
  const database = await connectDatabase(url, { log: silentLogger, timeoutSeconds: 10 })
  try {
    await provisionDevices(database.db, s.devices, 'create')
  } finally {
    await database.close()
  }
}

function workerEnv(db: string, broker: string, clientId: string, s: ReturnType<typeof stream>, extra: Record<string, string> = {}) {
  return { DATABASE_URL: db, MQTT_URL: broker, MQTT_CLIENT_ID: clientId, MQTT_TOPICS: s.topics, INGEST_BATCH_SIZE: '1000', CONNECT_TIMEOUT_S: '30', ...extra }
}

describe('delivery under failure (20,000 QoS 1 messages, 60,000 readings)', { timeout: 300_000 }, () => {
  let mosquitto: OwnMosquitto | null = null
  /** The broker of these tests: on the servers pass our own Mosquitto (the machine's drops past 1,000 queued). */
  let broker: string

  beforeAll(async () => {
    if (servers) {
      mosquitto = await ownMosquitto()
      broker = mosquitto.url
    } else {
      broker = mqttUrl()
    }
  })
  afterAll(() => mosquitto?.remove())

  it('loses and doubles nothing when the ingestion is killed (SIGKILL) mid-stream and restarted', async () => {
    const s = stream('kill')
    await provision(databaseUrl(), s)
    const clientId = uniqueName('worker')
    const env = workerEnv(databaseUrl(), broker, clientId, s)
    const first = await startWorker(env)
    const publishing = s.publish(broker)
    await until(databaseUrl(), s.run, (n) => n >= READINGS / 4, 120_000)
    await first.kill()
    const atKill = (await tally(databaseUrl(), s.run))!.n
    expect(atKill).toBeLessThan(READINGS)
    await publishing
    const second = await startWorker(env)
    try {
      await expectExactly(databaseUrl(), s)
    } finally {
      await second.stop()
      await forgetSession(broker, clientId)
    }
  })

  it('loses and doubles nothing when the database restarts mid-stream', async () => {
    const s = stream('dbrestart')
    const clientId = uniqueName('worker')
    let url: string
    let restart: () => Promise<void>
    let cleanup: () => Promise<void>
    if (servers) {
      // A PostgreSQL cluster of the test's own: the machine's serves the other tests.
      if (!HAS_POSTGRES_BINARIES) throw new Error('PostgreSQL 15 binaries are missing (/usr/lib/postgresql/15/bin)')
      const own = await ownPostgres()
      url = own.url
      restart = async () => {
        await own.stop('fast')
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        await own.start()
      }
      cleanup = () => own.remove()
    } else {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-pglite-'))
      const port = await freePort()
      let engine = await startEmbeddedPostgres({ dataDir: dir, port, log: silentLogger })
      url = engine.url
      restart = async () => {
        await engine.stop()
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        engine = await startEmbeddedPostgres({ dataDir: dir, port, log: silentLogger })
      }
      cleanup = async () => {
        await engine.stop()
        await rm(dir, { recursive: true, force: true })
      }
    }
    try {
      const database = await connectDatabase(url, { log: silentLogger, timeoutSeconds: 10 })
      await migrate(database.pool, silentLogger)
      await database.close()
      await provision(url, s)
      const worker = await startWorker(workerEnv(url, broker, clientId, s))
      try {
        const publishing = s.publish(broker)
        await until(url, s.run, (n) => n >= READINGS / 4, 120_000)
        await restart()
        await publishing
        await expectExactly(url, s)
        expect(worker.log).toMatch(/database unavailable, batch kept and retried/)
      } finally {
        if (process.env.SHOW_WORKER_LOG) console.log(worker.log.slice(-5000))
        await worker.stop()
        await forgetSession(broker, clientId)
      }
    } finally {
      await cleanup()
    }
  })

  // Shared subscriptions are an MQTT 5 feature of Mosquitto; the embedded Aedes has none.
  it.runIf(servers && HAS_MOSQUITTO)('loses and doubles nothing with two workers on a shared subscription, one killed and restarted', async () => {
    const s = stream('shared')
    await provision(databaseUrl(), s)
    const [a, b] = [uniqueName('worker-a'), uniqueName('worker-b')]
    const group = uniqueName('group').replace(/[^A-Za-z0-9_-]/g, '')
    const workerA = await startWorker(workerEnv(databaseUrl(), broker, a, s, { MQTT_SHARE_GROUP: group }))
    const workerB = await startWorker(workerEnv(databaseUrl(), broker, b, s, { MQTT_SHARE_GROUP: group }))
    const publishing = s.publish(broker)
    await until(databaseUrl(), s.run, (n) => n >= READINGS / 4, 120_000)
    await workerA.kill()
    await publishing
    const restarted = await startWorker(workerEnv(databaseUrl(), broker, a, s, { MQTT_SHARE_GROUP: group }))
    try {
      await expectExactly(databaseUrl(), s)
      // Both workers took part.
      for (const w of [restarted, workerB]) {
        const stats = (await (await fetch(`${w.url}/health`)).json()) as { ingestion: { received: number } }
        expect(stats.ingestion.received).toBeGreaterThan(0)
      }
    } finally {
      await restarted.stop()
      await workerB.stop()
      await forgetSession(broker, a, 5)
      await forgetSession(broker, b, 5)
    }
  })
})
