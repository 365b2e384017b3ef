/**
 * The dead letter: listed for the operator, and replayed once the cause is fixed — what can now
 * be stored is stored (rollups included, equal to a recomputation from the raw readings), the
 * rest keeps its latest reason. Through the API and through `territoire dead-letters`.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchProcessor, DEFAULT_DECODER_OPTIONS } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { territoire } from './territoire-command.ts'
import { databaseUrl, openDatabase, serve, testApp, TEST_ADMIN_TOKEN, uniqueName, json } from './engines.ts'

let database: Database
let api: { url: string; close: () => Promise<void> }
let processor: BatchProcessor
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
/** A day of its own, so re-runs on a kept database never collide. */
const DAY = Date.UTC(2023, 0, 1) / 1000 + Math.floor(Math.random() * 700) * 86_400

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database)).app)
  processor = new BatchProcessor(database.db, { ...DEFAULT_DECODER_OPTIONS, timeZone: 'Europe/Paris' })
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

/** Receives messages as the pipeline does: refused ones become dead letters. */
async function receive(topic: string, payload: object) {
  return processor.process([{ topic, payload: Buffer.from(JSON.stringify(payload)), receivedAt: new Date() }])
}

async function provision(body: object) {
  const response = await fetch(`${api.url}/api/devices`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  expect(response.status).toBe(201)
  processor.directory.clear()
}

async function deadLetterIds(topic: string): Promise<number[]> {
  const { rows } = await database.pool.query('SELECT id FROM dead_letter WHERE topic = $1 ORDER BY id', [topic])
  return rows.map((r) => Number(r.id))
}

describe('dead letters', () => {
  it('are listed for the admin only, newest first, with counts by reason and the payload as text', async () => {
    const topic = `territoire/senml/${uniqueName('list')}`
    await receive(topic, [{ bn: 'urn:dev:nobody-at-all:', n: 'co2', v: 500 }])
    expect((await fetch(`${api.url}/api/dead-letters`)).status).toBe(401)
    const body = await json(await fetch(`${api.url}/api/dead-letters?reason=unknown_device&limit=500`, { headers: auth }))
    expect(body.pendingByReason.unknown_device).toBeGreaterThan(0)
    const item = body.items.find((i: { topic: string }) => i.topic === topic)
    expect(item).toMatchObject({ reason: 'unknown_device', payloadEncoding: 'utf8', payloadTruncated: false, replayedAt: null, replayAttempts: 0 })
    expect(JSON.parse(item.payload)).toEqual([{ bn: 'urn:dev:nobody-at-all:', n: 'co2', v: 500 }])
    expect((await fetch(`${api.url}/api/dead-letters?reason=nonsense`, { headers: auth })).status).toBe(400)
    const raw = await fetch(`${api.url}/api/dead-letters/${item.id}/payload`, { headers: auth })
    expect(JSON.parse(await raw.text())).toEqual([{ bn: 'urn:dev:nobody-at-all:', n: 'co2', v: 500 }])
  })

  it('are replayed after the device is provisioned: readings stored, rollups equal to a recomputation, dead letters marked', async () => {
    const id = uniqueName('late')
    const devEui = randomBytes(8).toString('hex')
    const ttnTopic = `v3/${id}@ttn/devices/${id}/up`
    const senmlTopic = `territoire/senml/${id}`
    const uplink = (t: number, co2: number) => ({
      end_device_ids: { device_id: id, dev_eui: devEui.toUpperCase() },
      uplink_message: { f_port: 85, received_at: new Date(t * 1000).toISOString(), decoded_payload: { co2, temperature: 20 } },
    })
    for (let i = 0; i < 6; i++) expect((await receive(ttnTopic, uplink(DAY + 3600 * 9 + i * 600, 700 + i * 10))).deadLettered).toBe(1)
    expect((await receive(senmlTopic, [{ bn: `urn:dev:${id}:`, bt: DAY + 3600 * 10, n: 'co2', v: 650 }])).deadLettered).toBe(1)
    const ids = [...(await deadLetterIds(ttnTopic)), ...(await deadLetterIds(senmlTopic))]
    expect(ids).toHaveLength(7)

    await provision({ id, devEui, senmlBaseName: `urn:dev:${id}:`, profile: 'generic-ambiance' })
    const replay = await fetch(`${api.url}/api/dead-letters/replay`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ ids }) })
    expect(replay.status).toBe(200)
    expect(await json(replay)).toEqual({ examined: 7, stored: 7, readings: 13, duplicates: 0, stillRefused: {} })

    const { rows: marked } = await database.pool.query('SELECT count(*)::int AS n FROM dead_letter WHERE id = ANY($1) AND replayed_at IS NOT NULL', [ids])
    expect(marked[0].n).toBe(7)
    // A second replay finds nothing pending.
    const again = await fetch(`${api.url}/api/dead-letters/replay`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ ids }) })
    expect((await json(again)).examined).toBe(0)

    // Rollups kept by the ingestion equal the aggregates recomputed from the raw readings.
    const { rows } = await database.pool.query(`
      WITH raw AS (
        SELECT r.sid, date_trunc('hour', r.ts, 'UTC') AS hour, count(*)::int AS n, sum(r.value) AS sum, min(r.value) AS min, max(r.value) AS max,
               min(r.ts) AS first_ts, max(r.ts) AS last_ts,
               (array_agg(r.value ORDER BY r.ts))[1] AS first_value, (array_agg(r.value ORDER BY r.ts DESC))[1] AS last_value
        FROM reading r JOIN sensor s USING (sid) WHERE s.device_id = $1 GROUP BY 1, 2
      )
      SELECT (SELECT count(*) FROM raw)::int AS hours,
             (SELECT count(*) FROM raw JOIN reading_hourly h USING (sid, hour)
               WHERE h.n = raw.n AND h.sum = raw.sum AND h.min = raw.min AND h.max = raw.max AND h.first_ts = raw.first_ts
                 AND h.last_ts = raw.last_ts AND h.first_value = raw.first_value AND h.last_value = raw.last_value)::int AS equal,
             (SELECT count(*) FROM reading_hourly h JOIN sensor s USING (sid) WHERE s.device_id = $1)::int AS kept`, [id])
    expect(rows[0].hours).toBeGreaterThan(0)
    expect(rows[0]).toEqual({ hours: rows[0].hours, equal: rows[0].hours, kept: rows[0].hours })
    const { rows: daily } = await database.pool.query(`
      SELECT d.n, d.first_value, d.last_value FROM reading_daily d JOIN sensor s USING (sid) WHERE s.device_id = $1 AND s.channel = 'co2'`, [id])
    expect(daily).toEqual([{ n: 7, first_value: 700, last_value: 650 }])
  })

  it('keep what still fails, with its latest reason, through `territoire dead-letters replay`', async () => {
    const id = uniqueName('still')
    const topic = `territoire/senml/${id}`
    await receive(topic, [{ bn: `urn:dev:${id}:`, bt: DAY + 3600 * 12, n: 'co2', v: 99_999 }])
    const [deadLetter] = await deadLetterIds(topic)
    await provision({ id, senmlBaseName: `urn:dev:${id}:`, profile: 'generic-ambiance' })

    const replay = await territoire(['dead-letters', 'replay', '--id', String(deadLetter)], { DATABASE_URL: databaseUrl() })
    expect(replay.code).toBe(0)
    expect(replay.stdout).toBe('replayed 1: 0 stored (0 new readings, 0 already there), still refused: out_of_range 1\n')
    const { rows } = await database.pool.query('SELECT reason, replayed_at, replay_attempts FROM dead_letter WHERE id = $1', [deadLetter])
    expect(rows).toEqual([{ reason: 'out_of_range', replayed_at: null, replay_attempts: 1 }])
    const list = await territoire(['dead-letters', 'list', '--reason', 'out_of_range', '--limit', '1000'], { DATABASE_URL: databaseUrl() })
    expect(list.stdout).toMatch(new RegExp(`^#${deadLetter}\\t.*\\tout_of_range\\t${topic}\\t`, 'm'))
  })
})
