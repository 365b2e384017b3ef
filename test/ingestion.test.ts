/**
 * The MQTT ingestion on the run's engines: a SenML pack published for a demo sensor is stored
 * once and served by the readings endpoint; bad messages land in the dead letter with their
 * reason; a message is acknowledged only after its commit, so one received while the database
 * is away is delivered again and stored.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Kysely, PostgresDialect } from 'kysely'
import mqtt, { type MqttClient } from 'mqtt'
import pg from 'pg'
import { DEFAULT_DECODER_OPTIONS, IngestionPipeline, laneOf, parseDeviceSpec, provisionDevices, type PipelineOptions } from '../ingestion/index.ts'
import type { Database, Schema } from '../sql/index.ts'
import { adminFetch, engines, INGESTION_WAIT, mqttUrl, openDatabase, pipelineOptions, serve, testApp, uniqueName } from './engines.ts'
import { mqttRelay } from './mqtt-relay.ts'

let database: Database
let api: { url: string; close: () => Promise<void> }
let publisher: MqttClient
let pipeline: IngestionPipeline
const prefix = uniqueName('test-ingestion')

const DEVICE = '80021-mairie-ambiance'
/** A day of its own for this run (UTC midnight), so that re-runs on a kept database never collide. */
const DAY = Date.UTC(2024, 0, 1) + Math.floor(Math.random() * 700) * 86_400_000
const at = (hours: number, minutes = 0) => DAY + hours * 3_600_000 + minutes * 60_000
const iso = (ms: number) => new Date(ms).toISOString()
const BASE_NAME = `urn:dev:territoire:${DEVICE}:`

function options(overrides: Partial<PipelineOptions> = {}): PipelineOptions {
  return pipelineOptions(database, [`${prefix}/senml/#`], overrides)
}

async function publish(payload: string | Buffer, topic = `${prefix}/senml/${DEVICE}`): Promise<void> {
  await publisher.publishAsync(topic, payload, { qos: 1 })
}

async function readings(sensor: string, from: string, to: string) {
  const response = await adminFetch(`${api.url}/api/sensors/${sensor}/readings?from=${from}&to=${to}`)
  expect(response.status).toBe(200)
  return ((await response.json()) as { readings: Array<{ time: string; value: number }> }).readings
}

async function deadLetters(topic: string) {
  const { rows } = await database.pool.query<{ reason: string; detail: string; payload: Buffer }>(
    'SELECT reason, detail, payload FROM dead_letter WHERE topic = $1 ORDER BY id',
    [topic],
  )
  return rows
}

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
  publisher = await mqtt.connectAsync(mqttUrl(), { clientId: uniqueName('publisher'), protocolVersion: 4 })
  pipeline = await IngestionPipeline.start(options())
})
afterAll(async () => {
  await pipeline?.stop()
  await publisher?.endAsync()
  await api?.close()
  await database?.close()
})

describe('SenML ingestion', () => {
  it('stores a pack published for a demo sensor, serves it, and keeps rollups and the latest value current', async () => {
    const t = at(9) / 1000
    await publish(JSON.stringify([
      { bn: BASE_NAME, bt: t, n: 'temperature', u: 'Cel', v: 19.5 },
      { n: 'temperature', t: 600, v: 20.25 },
    ]))
    const stored = await vi.waitFor(async () => {
      const rows = await readings(`${DEVICE}.temperature`, iso(at(8)), iso(at(10)))
      expect(rows).toHaveLength(2)
      return rows
    }, INGESTION_WAIT)
    expect(stored).toEqual([
      { time: iso(at(9)), value: 19.5 },
      { time: iso(at(9, 10)), value: 20.25 },
    ])
    const { rows: hourly } = await database.pool.query(
      `SELECT n, sum, min, max, first_value, last_value FROM reading_hourly h JOIN sensor s USING (sid)
       WHERE s.id = $1 AND hour = $2`, [`${DEVICE}.temperature`, new Date(at(9))])
    expect(hourly).toEqual([{ n: 2, sum: 39.75, min: 19.5, max: 20.25, first_value: 19.5, last_value: 20.25 }])
    const { rows: daily } = await database.pool.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, n FROM reading_daily d JOIN sensor s USING (sid) WHERE s.id = $1 AND day = $2::date`,
      [`${DEVICE}.temperature`, iso(DAY).slice(0, 10)])
    // 09:00 and 09:10 UTC are the same local day in Paris.
    expect(daily).toEqual([{ day: iso(DAY).slice(0, 10), n: 2 }])
  })

  it('leaves exactly one reading for a re-delivered pack, and counts the duplicate', async () => {
    const before = pipeline.stats().duplicates
    const pack = JSON.stringify([{ bn: BASE_NAME, bt: at(11) / 1000, n: 'temperature', u: 'Cel', v: 21 }])
    await publish(pack)
    await publish(pack)
    await vi.waitFor(() => expect(pipeline.stats().duplicates).toBe(before + 1), INGESTION_WAIT)
    expect(await readings(`${DEVICE}.temperature`, iso(at(10, 30)), iso(at(11, 30)))).toEqual([
      { time: iso(at(11)), value: 21 },
    ])
  })

  it.each([
    ['invalid_json', '[{"bn":"x","v":NaN}]'],
    ['invalid_json', '[{"bn":"x",'],
    ['invalid_type', JSON.stringify([{ bn: BASE_NAME, n: 'temperature', v: '21,5' }])],
    ['non_finite_value', JSON.stringify([{ bn: BASE_NAME, n: 'temperature', v: null }])],
    ['non_finite_value', '[{"bn":"' + BASE_NAME + '","n":"temperature","v":1e999}]'],
    ['timestamp_in_future', JSON.stringify([{ bn: BASE_NAME, n: 'temperature', v: 20, t: Date.now() / 1000 + 86_400 }])],
    ['unknown_device', JSON.stringify([{ bn: 'urn:dev:territoire:nobody:', n: 'temperature', v: 20 }])],
    ['unknown_sensor', JSON.stringify([{ bn: BASE_NAME, n: 'pressure', v: 20 }])],
    ['unit_mismatch', JSON.stringify([{ bn: BASE_NAME, n: 'temperature', u: 'K', v: 293 }])],
    ['invalid_senml', JSON.stringify({ bn: BASE_NAME, n: 'temperature', v: 20 })],
    ['payload_too_large', Buffer.alloc(DEFAULT_DECODER_OPTIONS.maxPayloadBytes + 1, 0x20)],
  ])('dead-letters %s with the message kept whole', async (reason, payload) => {
    const topic = `${prefix}/senml/${uniqueName('bad')}`
    await publish(payload, topic)
    const rows = await vi.waitFor(async () => {
      const found = await deadLetters(topic)
      expect(found).toHaveLength(1)
      return found
    }, INGESTION_WAIT)
    expect(rows[0]!.reason).toBe(reason)
    expect(rows[0]!.detail.length).toBeGreaterThan(0)
    expect(Buffer.compare(rows[0]!.payload, Buffer.from(payload))).toBe(0)
  })

  it('rejects a whole pack when one record is bad: nothing of it is stored', async () => {
    const topic = `${prefix}/senml/${uniqueName('half-bad')}`
    const t = at(7) / 1000
    await publish(JSON.stringify([
      { bn: BASE_NAME, bt: t, n: 'temperature', u: 'Cel', v: 18 },
      { n: 'temperature', t: 60, v: '18,5' },
    ]), topic)
    await vi.waitFor(async () => expect(await deadLetters(topic)).toHaveLength(1), INGESTION_WAIT)
    expect(await readings(`${DEVICE}.temperature`, iso(at(6)), iso(at(8)))).toEqual([])
  })
})

describe('acknowledgement after commit', () => {
  it('does not acknowledge a message it could not store: the broker delivers it again to the next session', async () => {
    const clientId = uniqueName('ack')
    // A topic only these two sessions subscribe to (not the suite's shared pipeline).
    const topics = [`${prefix}-ack/senml/#`]
    // A database that refuses connections: every write fails transiently and is retried.
    const unreachable = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 200 }) }) })
    const first = await IngestionPipeline.start(options({ clientId, topics, db: unreachable }))
    const t = at(15) / 1000
    await publish(JSON.stringify([{ bn: BASE_NAME, bt: t, n: 'temperature', u: 'Cel', v: 22.5 }]), `${prefix}-ack/senml/${DEVICE}`)
    await vi.waitFor(() => expect(first.stats().received).toBe(1), INGESTION_WAIT)
    await first.stop()
    await unreachable.destroy()
    expect(first.stats().stored).toBe(0)

    const second = await IngestionPipeline.start(options({ clientId, topics }))
    try {
      await vi.waitFor(async () => {
        expect(await readings(`${DEVICE}.temperature`, iso(at(14)), iso(at(16)))).toEqual([
          { time: iso(at(15)), value: 22.5 },
        ])
      }, INGESTION_WAIT)
    } finally {
      await second.stop()
    }
  })
})

describe('lanes', () => {
  // PGlite serves one session at a time, so one lane cannot go on while another waits (the hub
  // writes with a single lane there): this needs a real server.
  it.skipIf(engines() === 'embedded')('writes lanes independently, yet acknowledges in arrival order when one lane is held up', async () => {
    const ids = ['a', 'b'].map((k) => `${prefix}-lane-${k}`)
    await provisionDevices(database.db, ids.map((id) => parseDeviceSpec({ id, senmlBaseName: `urn:dev:${id}:`, profile: 'generic-ambiance' })), 'create')
    const topicIn = (lane: number) => {
      for (let i = 0; ; i++) if (laneOf(`${prefix}-lanes/senml/${i}`, 2) === lane) return `${prefix}-lanes/senml/${i}`
    }
    const topics = [topicIn(0), topicIn(1)] // device a publishes in lane 0, device b in lane 1
    const pack = (device: number, i: number) => JSON.stringify([{ bn: `urn:dev:${ids[device]}:`, bt: at(17) / 1000 + i, n: 'temperature', u: 'Cel', v: 20 + (i % 10) / 10 }])
    const count = async (device: number) => Number((await database.pool.query(
      'SELECT count(*) FROM reading WHERE sid = (SELECT sid FROM sensor WHERE device_id = $1 AND channel = $2)', [ids[device], 'temperature'])).rows[0].count)

    const relay = await mqttRelay(mqttUrl())
    const lanes = await IngestionPipeline.start(options({ mqttUrl: relay.url, topics: [`${prefix}-lanes/senml/#`], concurrency: 2, batchSize: 100 }))
    const holder = await database.pool.connect()
    try {
      // One reading each, so that both hourly rollup rows exist; then hold device a's.
      await Promise.all([publish(pack(0, 0), topics[0]), publish(pack(1, 0), topics[1])])
      await vi.waitFor(async () => {
        expect([await count(0), await count(1)]).toEqual([1, 1])
        expect(relay.acknowledged).toHaveLength(2)
      }, INGESTION_WAIT)
      await holder.query('BEGIN')
      await holder.query('SELECT 1 FROM reading_hourly WHERE sid = (SELECT sid FROM sensor WHERE device_id = $1 AND channel = $2) FOR UPDATE', [ids[0], 'temperature'])

      // 16 messages: within any broker's window of unacknowledged deliveries (Mosquitto's default is 20).
      const messages = Array.from({ length: 16 }, (_, i) => publish(pack(i % 2, 1 + Math.floor(i / 2)), topics[i % 2]))
      await Promise.all(messages)
      // Lane 1 goes on: device b's readings are committed while lane 0 waits for the row …
      await vi.waitFor(async () => expect(await count(1)).toBe(9), INGESTION_WAIT)
      expect(await count(0)).toBe(1)
      // … but none of b's messages is acknowledged: a's first one, delivered before them all, is not written yet.
      expect(relay.acknowledged).toHaveLength(2)
      await holder.query('COMMIT')
      await vi.waitFor(async () => {
        expect(await count(0)).toBe(9)
        expect(relay.acknowledged).toHaveLength(18)
      }, INGESTION_WAIT)
      expect(relay.delivered).toHaveLength(18)
      expect(relay.acknowledged).toEqual(relay.delivered)
      // Each sensor's latest value: its newest reading (i = 8: 20.8 °C at 17:00:08).
      const { rows: latest } = await database.pool.query(
        `SELECT s.device_id, l.ts, l.value FROM sensor_latest l JOIN sensor s USING (sid) WHERE s.device_id = ANY($1) AND s.channel = 'temperature' ORDER BY 1`, [ids])
      expect(latest).toEqual(ids.map((id) => ({ device_id: id, ts: new Date(at(17) + 8000), value: 20.8 })))
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined)
      holder.release()
      await lanes.stop()
      await relay.close()
    }
  })
})
