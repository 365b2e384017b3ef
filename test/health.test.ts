/**
 * /health tells the operator whether the hub can work: 200 with the database reachable,
 * migrations applied and the broker connected; 503 naming what is wrong when the broker goes
 * away; 200 again once MQTT.js has reconnected.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../core/index.ts'
import { parseConfig } from '../cli/config.ts'
import { startHub, type RunningHub } from '../cli/hub.ts'
import { startEmbeddedBroker, type EmbeddedBroker } from '../ingestion/embedded-broker.ts'
import { adminFetch, databaseUrl, freePort, TEST_ADMIN_TOKEN, uniqueName } from './engines.ts'

let broker: EmbeddedBroker
let hub: RunningHub


async function health(): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; detail?: string }> } }> {
  const response = await fetch(`${hub.url}/health`)
  return { status: response.status, body: (await response.json()) as never }
}

beforeAll(async () => {
  // A broker of this test's own, which it can stop and restart.
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, log: silentLogger })
  const config = parseConfig({
    DATABASE_URL: databaseUrl(),
    MQTT_URL: broker.url,
    PORT: String(await freePort()),
    HUB_DEMO: 'off',
    SIMULATOR: 'off',
    MQTT_CLIENT_ID: uniqueName('health'),
    MQTT_TOPICS: `${uniqueName('health')}/#`,
    HUB_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  })
  hub = await startHub(config, silentLogger, { webDir: null })
})
afterAll(async () => {
  await hub?.stop()
  await broker?.stop()
})

describe('/health', () => {
  it('answers 200 when the database, the migrations and the broker are fine', async () => {
    const { status, body } = await health()
    expect(status).toBe(200)
    expect(body.status).toBe('ok')
    expect(body.checks).toEqual({ database: { ok: true }, migrations: { ok: true }, broker: { ok: true } })
  })

  it('serves the ingestion’s Prometheus metrics at /metrics, to admins only', async () => {
    expect((await fetch(`${hub.url}/metrics`)).status).toBe(401)
    const response = await adminFetch(`${hub.url}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await response.text()
    for (const name of [
      'territoire_ingest_messages_received_total',
      'territoire_ingest_readings_stored_total',
      'territoire_ingest_readings_duplicate_total',
      'territoire_ingest_dead_letters_total',
      'territoire_ingest_batch_messages',
      'territoire_ingest_batch_seconds',
      'territoire_ingest_receive_to_commit_seconds',
    ]) expect(text).toContain(`# TYPE ${name} `)
  })

  it('answers 503 naming the broker when it goes away, and 200 again when it is back', async () => {
    const port = broker.port
    await broker.stop()
    await vi.waitFor(async () => {
      const { status, body } = await health()
      expect(status).toBe(503)
      expect(body.checks.broker).toEqual({ ok: false, detail: 'MQTT broker unreachable' })
      expect(body.checks.database!.ok).toBe(true)
    }, { timeout: 15_000, interval: 100 })

    broker = await startEmbeddedBroker({ host: '127.0.0.1', port, log: silentLogger })
    await vi.waitFor(async () => expect((await health()).status).toBe(200), { timeout: 15_000, interval: 200 })
  })
})
