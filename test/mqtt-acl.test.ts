/**
 * Devices on MQTT (issue 7): each device or integration connects with its own credential and
 * publishes only to its own topics — on the embedded broker (Aedes, authentication on) and on a
 * Mosquitto 2 started here with the shipped mosquitto.conf, mosquitto/auth.conf and the files
 * `territoire mqtt-credentials export` writes. Each engine gets its own broker (the run's shared
 * broker stays anonymous for the other tests) and its own ingestion, on the run's database.
 *
 * The proof: a device publishing on another device's topic is refused and the other device's
 * readings never land — checked after a control message from the same device did land, and after
 * the broker handled the refused publish, so that the test cannot pass by looking too early. And a
 * device publishing another device's identity in the payload, on its own allowed topic, reaches the
 * ingestion but is refused there (dead letter topic_mismatch, ingestion/topic-binding.ts).
 */
import { randomBytes } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import mqtt, { type MqttClient } from 'mqtt'
import { silentLogger, type Logger, type LogFields } from '../core/index.ts'
import { IngestionPipeline, parseDeviceSpec, provisionDevices } from '../ingestion/index.ts'
import { startEmbeddedBroker } from '../ingestion/embedded-broker.ts'
import { CACHE_MS, internalCredential, MqttAccess, urlWithCredentials } from '../ingestion/mqtt-access.ts'
import { createDeviceCredential, createIntegrationCredential, renderMosquittoFiles, revokeCredential, type CreatedCredential } from '../ingestion/mqtt-credentials.ts'
import { CHOSEN_PASSWORD_ITERATIONS, generateMqttPassword, hashMqttPassword } from '../ingestion/mqtt-password.ts'
import type { Database } from '../sql/index.ts'
import { INGESTION_WAIT, openDatabase, pipelineOptions, uniqueName } from './engines.ts'
import { HAS_MOSQUITTO, waitForPort } from './own-servers.ts'
import { freePort } from './ports.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const TOPICS = ['territoire/senml/#', 'application/+/device/+/event/up', 'v3/+/devices/+/up']
const ACTOR = 'test:mqtt-acl'

let database: Database
const run = uniqueName('acl')
const CS_APP = `${run}-cs`
const devices = {
  a: { id: `${run}-a`, senmlBaseName: `urn:dev:${run}-a:`, profile: 'generic-ambiance' },
  b: { id: `${run}-b`, senmlBaseName: `urn:dev:${run}-b:`, devEui: randomBytes(8).toString('hex'), profile: 'generic-ambiance' },
  /** LoRaWAN only, without a credential: the identity b forges. */
  c: { id: `${run}-c`, devEui: randomBytes(8).toString('hex'), profile: 'generic-ambiance' },
}
let credentialA: CreatedCredential
let credentialB: CreatedCredential
let integration: CreatedCredential

/** A second of its own for each message, two years back: messages never collide, re-runs neither. */
let clock = Math.floor(Date.now() / 1000) - 2 * 365 * 86_400 + Math.floor(Math.random() * 86_400 * 300)
const nextTime = () => ++clock

const senml = (device: { senmlBaseName: string }, time: number, co2: number) =>
  JSON.stringify([{ bn: device.senmlBaseName, bt: time, n: 'co2', u: 'ppm', v: co2 }])

const chirpstackUp = (devEui: string, time: number, co2: number) =>
  JSON.stringify({
    deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
    time: new Date(time * 1000).toISOString(),
    deviceInfo: { tenantName: 'OPSN', applicationName: CS_APP, deviceName: 'b', devEui },
    fCnt: 1, fPort: 85, object: { co2 },
  })

const ttnUp = (devEui: string, time: number, co2: number) =>
  JSON.stringify({
    end_device_ids: { device_id: `eui-${devEui}`, dev_eui: devEui.toUpperCase() },
    uplink_message: { f_port: 85, received_at: new Date(time * 1000).toISOString(), decoded_payload: { co2 } },
  })

async function readings(deviceId: string): Promise<Array<{ time: number; value: number }>> {
  const { rows } = await database.pool.query<{ time: number; value: number }>(
    `SELECT extract(epoch FROM r.ts)::float8 AS time, r.value FROM reading r JOIN sensor s USING (sid) WHERE s.device_id = $1 ORDER BY r.ts`,
    [deviceId],
  )
  return rows
}

interface Client {
  readonly username: string
  readonly password: string
}

/** Connects as a client, or rejects with the broker's refusal; never retries. */
function connect(url: string, client: Client | null): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: uniqueName('acl-client'),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...(client ? { username: client.username, password: client.password } : {}),
  })
}

async function refused(url: string, client: Client | null): Promise<boolean> {
  try {
    const connected = await connect(url, client)
    await connected.endAsync()
    return false
  } catch {
    return true
  }
}

/** A broker under test, with authentication on. */
interface AclBroker {
  readonly url: string
  /** For the hub's ingestion: its credential in the URL. */
  readonly hubUrl: string
  /** Makes the broker see the database's credentials now (Mosquitto: export and reload). */
  apply(): Promise<void>
  /** Everything it logged so far. */
  logs(): Promise<string>
  stop(): Promise<void>
}

async function embeddedAedes(): Promise<AclBroker> {
  const lines: string[] = []
  const record = (level: string) => (message: string, fields?: LogFields) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  const log: Logger = { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error'), child: () => log }
  const internal = internalCredential()
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, log, access: new MqttAccess(database.db, internal) })
  return {
    url: broker.url,
    hubUrl: urlWithCredentials(broker.url, internal),
    apply: async () => {}, // read from the database at each connection (cached CACHE_MS)
    logs: async () => lines.join('\n'),
    stop: () => broker.stop(),
  }
}

/** Mosquitto as docker-compose runs it with authentication: mosquitto/auth.conf including the shipped mosquitto.conf. */
async function ownMosquittoWithAuth(): Promise<AclBroker> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-mosquitto-acl-'))
  await chmod(dir, 0o777) // started as root, Mosquitto drops to its own user before reading and writing there
  await mkdir(path.join(dir, 'base'))
  await mkdir(path.join(dir, 'auth'))
  const port = await freePort()
  const shipped = await readFile(path.join(ROOT, 'mosquitto.conf'), 'utf8')
  await writeFile(path.join(dir, 'base', 'mosquitto.conf'), shipped
    .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
    .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`)
    .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`))
  const auth = await readFile(path.join(ROOT, 'mosquitto', 'auth.conf'), 'utf8')
  const config = path.join(dir, 'auth.conf')
  await writeFile(config, auth.replaceAll('/mosquitto/config/base', `${dir}/base`).replaceAll('/mosquitto/auth/', `${dir}/auth/`))

  // The hub's ingestion user, with a chosen password (the slow hash: Mosquitto must accept its iterations too).
  const ingestion = { username: 'territoire-ingestion', password: generateMqttPassword() }
  const passwordHash = await hashMqttPassword(ingestion.password, CHOSEN_PASSWORD_ITERATIONS)
  const apply = async () => {
    const files = await renderMosquittoFiles(database.db, { username: ingestion.username, passwordHash, read: TOPICS }, { actor: ACTOR, simulator: false })
    for (const [name, text] of [['passwords', files.passwordFile], ['acl', files.aclFile]] as const) {
      await writeFile(path.join(dir, 'auth', name), text)
      await chmod(path.join(dir, 'auth', name), 0o644) // the broker's user reads them (docker: chown 1883)
    }
  }
  await apply()
  const child: ChildProcess = spawn('mosquitto', ['-c', config], { stdio: 'ignore' })
  await waitForPort(port)
  const url = `mqtt://127.0.0.1:${port}`
  return {
    url,
    hubUrl: urlWithCredentials(url, ingestion),
    apply: async () => {
      await apply()
      child.kill('SIGHUP')
    },
    logs: () => readFile(path.join(dir, 'mosquitto.log'), 'utf8'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const ENGINES: Array<[string, () => Promise<AclBroker>]> = [['embedded Aedes', embeddedAedes]]
if (HAS_MOSQUITTO) ENGINES.push(['Mosquitto 2', ownMosquittoWithAuth])

beforeAll(async () => {
  database = await openDatabase()
  await provisionDevices(database.db, Object.values(devices).map((d, i) => parseDeviceSpec(d, `devices[${i}]`)), 'upsert')
  credentialA = await createDeviceCredential(database.db, devices.a.id, { actor: ACTOR })
  credentialB = await createDeviceCredential(database.db, devices.b.id, { actor: ACTOR })
  integration = await createIntegrationCredential(database.db, `${run}-ns`, [`application/${CS_APP}/device/+/event/up`], { actor: ACTOR })
})
afterAll(async () => {
  await database?.close()
})

describe('MQTT credentials', () => {
  it('give a device exactly the topics carrying its identity, and audit their creation without the password', async () => {
    expect(credentialA.topics).toEqual([`territoire/senml/${devices.a.id}`])
    expect(credentialB.topics).toEqual([
      `territoire/senml/${devices.b.id}`,
      `application/+/device/${devices.b.devEui}/event/up`,
      `application/+/device/${devices.b.devEui}/event/log`,
      `v3/+/devices/eui-${devices.b.devEui}/up`,
    ])
    const { rows } = await database.pool.query<{ action: string; detail: unknown }>(
      "SELECT action, detail FROM audit_log WHERE target = $1 AND actor = $2", [devices.a.id, ACTOR])
    expect(rows.map((r) => r.action)).toEqual(['mqtt_credential.create'])
    expect(JSON.stringify(rows)).not.toContain(credentialA.password)
    const { rows: stored } = await database.pool.query<{ password_hash: string }>('SELECT password_hash FROM mqtt_credential WHERE username = $1', [devices.a.id])
    expect(stored[0]!.password_hash).toMatch(/^\$7\$1000\$/)
  })
})

describe.each(ENGINES)('%s with authentication', (_name, start) => {
  let broker: AclBroker
  let pipeline: IngestionPipeline

  beforeAll(async () => {
    broker = await start()
    pipeline = await IngestionPipeline.start(pipelineOptions(database, TOPICS, { mqttUrl: broker.hubUrl }))
  })
  afterAll(async () => {
    await pipeline?.stop()
    await broker?.stop()
  })

  it('refuses a wrong password, an unknown user and an anonymous client, and logs who was refused', async () => {
    expect(await refused(broker.url, { username: credentialA.username, password: 'not-the-password' })).toBe(true)
    expect(await refused(broker.url, { username: `${run}-nobody`, password: credentialA.password })).toBe(true)
    expect(await refused(broker.url, null)).toBe(true)
    expect(await refused(broker.url, credentialA)).toBe(false)
    await vi.waitFor(async () => expect((await broker.logs()).match(/not authori[sz]ed|bad username or password/gi)?.length ?? 0).toBeGreaterThanOrEqual(3), { timeout: 5_000 })
    const logs = await broker.logs()
    if (_name === 'embedded Aedes') {
      expect(logs).toContain(`"username":"${credentialA.username}"`)
      expect(logs).toContain(`"username":"${run}-nobody"`)
      expect(logs).toContain('"address":"127.0.0.1"')
    }
    expect(logs).not.toContain('not-the-password')
    expect(logs).not.toContain(credentialA.password)
  })

  it('refuses a device publishing on another device’s topic: the other device’s readings never land', async () => {
    const before = await readings(devices.b.id)
    const received = pipeline.stats().received
    // A publishes B's reading on B's topic: Aedes closes A's connection; Mosquitto acknowledges
    // (MQTT 3.1.1 cannot refuse a publish) and drops it. Either way the broker has handled it
    // when this settles.
    const forger = await connect(broker.url, credentialA)
    const closed = new Promise<void>((resolve) => forger.once('close', () => resolve()))
    const forged = forger.publishAsync(`territoire/senml/${devices.b.id}`, senml(devices.b, nextTime(), 1234), { qos: 1 }).then(() => 'acknowledged', () => 'failed')
    expect(await Promise.race([forged, closed.then(() => 'closed')])).toMatch(/acknowledged|closed|failed/)
    forger.end(true)

    // The control: the same credential on its own topic lands.
    const t = nextTime()
    const honest = await connect(broker.url, credentialA)
    await honest.publishAsync(`territoire/senml/${devices.a.id}`, senml(devices.a, t, 600), { qos: 1 })
    await honest.endAsync()
    await vi.waitFor(async () => expect(await readings(devices.a.id)).toContainEqual({ time: t, value: 600 }), INGESTION_WAIT)
    // The ingestion received the control alone: the forged message never left the broker.
    expect(pipeline.stats().received).toBe(received + 1)

    expect(await readings(devices.b.id)).toEqual(before)
    const { rows } = await database.pool.query('SELECT 1 FROM dead_letter WHERE topic = $1', [`territoire/senml/${devices.b.id}`])
    expect(rows).toEqual([]) // never delivered to the ingestion at all
    // Mosquitto 2.0 logs a denied publish at `log_type debug` only, which the shipped configuration leaves out.
    if (_name === 'embedded Aedes') expect(await broker.logs()).toMatch(new RegExp(`publish refused: topic not allowed.*"topic":"territoire/senml/${devices.b.id}"`))
  })

  // Each case: a device on a topic its credential allows, first with its own identity (the control,
  // which must land), then with another provisioned device's in the payload.
  const forgeries: Array<[format: string, who: () => CreatedCredential, topic: () => string, own: (t: number) => string, forged: (t: number) => string, victim: string, names: () => string[]]> = [
    ['SenML', () => credentialA, () => `territoire/senml/${devices.a.id}`, (t) => senml(devices.a, t, 610), (t) => senml(devices.b, t, 1610), devices.b.id,
      () => [devices.a.id, `urn:dev:${devices.b.id}:co2`, devices.b.id]],
    ['ChirpStack v4', () => credentialB, () => `application/${CS_APP}/device/${devices.b.devEui}/event/up`, (t) => chirpstackUp(devices.b.devEui, t, 620),
      (t) => chirpstackUp(devices.c.devEui, t, 1620), devices.c.id, () => [devices.b.devEui.toUpperCase(), devices.c.id, devices.c.devEui.toUpperCase()]],
    ['The Things Stack v3', () => credentialB, () => `v3/${run}@ttn/devices/eui-${devices.b.devEui}/up`, (t) => ttnUp(devices.b.devEui, t, 630),
      (t) => ttnUp(devices.c.devEui, t, 1630), devices.c.id, () => [devices.b.devEui.toUpperCase(), devices.c.id, devices.c.devEui.toUpperCase()]],
  ]

  it.each(forgeries)('refuses a device publishing another device’s identity on its own topic (%s): topic_mismatch, the other device’s readings never land', async (_format, who, topicOf, own, forged, victim, names) => {
    const topic = topicOf()
    const before = await readings(victim)
    const client = await connect(broker.url, who())
    // The control: the same device, topic and format with its own identity lands.
    const control = nextTime()
    await client.publishAsync(topic, own(control), { qos: 1 })
    const owner = who().deviceId!
    await vi.waitFor(async () => expect(await readings(owner)).toContainEqual({ time: control, value: expect.any(Number) }), INGESTION_WAIT)

    // The forgery: allowed by the broker (the topic is the device's own), refused by the ingestion.
    const t = nextTime()
    const payload = forged(t)
    await client.publishAsync(topic, payload, { qos: 1 })
    await client.endAsync()
    const deadLetter = await vi.waitFor(async () => {
      const { rows } = await database.pool.query<{ reason: string; detail: string }>('SELECT reason, detail FROM dead_letter WHERE topic = $1 AND payload = $2', [topic, Buffer.from(payload)])
      expect(rows).toHaveLength(1)
      return rows[0]!
    }, INGESTION_WAIT)
    expect(deadLetter.reason).toBe('topic_mismatch')
    for (const name of names()) expect(deadLetter.detail).toContain(name)
    const after = await readings(victim)
    expect(after.map((r) => r.time)).not.toContain(t)
    expect(after).toEqual(before)
  })

  it('lets an integration publish for its application’s devices, and nowhere else', async () => {
    const t = nextTime()
    const ns = await connect(broker.url, integration)
    await ns.publishAsync(`application/${CS_APP}/device/${devices.b.devEui}/event/up`, chirpstackUp(devices.b.devEui, t, 777), { qos: 1 })
    await ns.endAsync()
    await vi.waitFor(async () => expect(await readings(devices.b.id)).toContainEqual({ time: t, value: 777 }), INGESTION_WAIT)

    const elsewhere = await connect(broker.url, integration)
    const closed = new Promise<void>((resolve) => elsewhere.once('close', () => resolve()))
    const other = nextTime()
    const sent = elsewhere.publishAsync(`application/another-app/device/${devices.b.devEui}/event/up`, chirpstackUp(devices.b.devEui, other, 778), { qos: 1 }).catch(() => {})
    await Promise.race([sent, closed])
    elsewhere.end(true)
    const control = nextTime()
    const again = await connect(broker.url, credentialB)
    await again.publishAsync(`territoire/senml/${devices.b.id}`, senml(devices.b, control, 500), { qos: 1 })
    await again.endAsync()
    await vi.waitFor(async () => expect(await readings(devices.b.id)).toContainEqual({ time: control, value: 500 }), INGESTION_WAIT)
    expect((await readings(devices.b.id)).map((r) => r.time)).not.toContain(other)
  })

  // Aedes has no MQTT 5 shared subscriptions: MQTT_SHARE_GROUP needs MQTT_URL (cli/config.ts), i.e. Mosquitto.
  it.skipIf(_name !== 'Mosquitto 2')('lets the ingestion user share the stream through $share/<group>/… under the ACL', async () => {
    const refusals: string[] = []
    const log: Logger = { ...silentLogger, error: (message, fields) => refusals.push(`${message} ${JSON.stringify(fields ?? {})}`), child: () => log }
    const group = `acl${run.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`
    const workers = await Promise.all([1, 2].map(() => IngestionPipeline.start(pipelineOptions(database, TOPICS, { mqttUrl: broker.hubUrl, shareGroup: group, log }))))
    try {
      expect(refusals).toEqual([])
      const times = Array.from({ length: 20 }, () => nextTime())
      const device = await connect(broker.url, credentialA)
      for (const [i, t] of times.entries()) await device.publishAsync(`territoire/senml/${devices.a.id}`, senml(devices.a, t, 700 + i), { qos: 1 })
      await device.endAsync()
      await vi.waitFor(async () => {
        const landed = (await readings(devices.a.id)).map((r) => r.time)
        for (const t of times) expect(landed).toContain(t)
      }, INGESTION_WAIT)
      // Each message went to one worker of the group (the broker alternates between them).
      await vi.waitFor(() => expect(workers.map((w) => w.stats().received).reduce((a, b) => a + b)).toBe(times.length), INGESTION_WAIT)
      for (const worker of workers) expect(worker.stats().received).toBeGreaterThan(0)
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
    }
  })

  it('refuses a revoked credential', async () => {
    const old = await createIntegrationCredential(database.db, uniqueName(`${run}-old`), [`application/${CS_APP}/device/+/event/up`], { actor: ACTOR })
    await broker.apply()
    await vi.waitFor(async () => expect(await refused(broker.url, old)).toBe(false), { timeout: 10_000, interval: 200 })
    await revokeCredential(database.db, old.username, ACTOR)
    await broker.apply()
    // The embedded broker reads the credential again after CACHE_MS at most; Mosquitto once reloaded.
    await vi.waitFor(async () => expect(await refused(broker.url, old)).toBe(true), { timeout: CACHE_MS + 10_000, interval: 250 })
  })
})
