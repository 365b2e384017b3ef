/**
 * Latency from publishing a SenML pack on the documented topic to reading it back from
 * GET /api/sensors/{id}/readings, through a running hub. Target (issue 2): within 2 s.
 * Baseline in the same run: the broker alone (publish → a plain subscriber receives it).
 * Embedded engines by default; with DATABASE_URL and MQTT_URL set, the real servers (use a
 * database that already has the demo territory, or an empty one: the hub loads it).
 *   node bin/bench.js ingest-latency [samples=50]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { BENCH_ADMIN_TOKEN, freePort, median, percentile, startHubProcess } from './hub-process.ts'

const STAFF = { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } }

const samples = Number(process.argv[2] ?? 50)
const servers = Boolean(process.env.DATABASE_URL && process.env.MQTT_URL)
const dataDir = servers ? null : await mkdtemp(path.join(os.tmpdir(), 'territoire-bench-'))
const mqttPort = String(await freePort())
const env: Record<string, string> = servers
  ? { DATABASE_URL: process.env.DATABASE_URL!, MQTT_URL: process.env.MQTT_URL!, SIMULATOR: 'off', MQTT_CLIENT_ID: `bench-${process.pid}` }
  : { HUB_DATA_DIR: dataDir!, MQTT_PORT: mqttPort, SIMULATOR: 'off', MQTT_ALLOW_ANONYMOUS: 'on' } // publishes and listens without credentials
const hub = await startHubProcess(env)
const brokerUrl = servers ? process.env.MQTT_URL! : `mqtt://127.0.0.1:${mqttPort}`

const device = '80021-ecole-1-ambiance'
const topic = `territoire/senml/${device}`
const publisher = await mqtt.connectAsync(brokerUrl, { clientId: `bench-pub-${process.pid}`, protocolVersion: 4 })
const listener = await mqtt.connectAsync(brokerUrl, { clientId: `bench-sub-${process.pid}`, protocolVersion: 4 })
await listener.subscribeAsync(topic, { qos: 1 })

const brokerOnly: number[] = []
const endToEnd: number[] = []
// One reading per second of a past hour of its own, so repeated runs never collide.
const origin = Math.floor(Date.now() / 1000) - 86_400 + Math.floor(Math.random() * 3600)
for (let i = 0; i < samples; i++) {
  const t = origin + i
  const payload = JSON.stringify([{ bn: `urn:dev:territoire:${device}:`, bt: t, n: 'co2', u: 'ppm', v: 400 + i }])
  const received = new Promise<number>((resolve) => listener.once('message', () => resolve(performance.now())))
  const sent = performance.now()
  await publisher.publishAsync(topic, payload, { qos: 1 })
  brokerOnly.push((await received) - sent)
  const from = new Date(t * 1000).toISOString()
  const to = new Date((t + 1) * 1000).toISOString()
  for (;;) {
    const body = (await (await fetch(`${hub.url}/api/sensors/${device}.co2/readings?from=${from}&to=${to}`, STAFF)).json()) as { readings: unknown[] }
    if (body.readings.length > 0) break
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  endToEnd.push(performance.now() - sent)
}

await publisher.endAsync()
await listener.endAsync()
await hub.stop()
if (dataDir) await rm(dataDir, { recursive: true, force: true })

const b = median(brokerOnly)
const e = median(endToEnd)
console.log(`SenML publish → readings endpoint, ${samples} samples, ${servers ? 'PostgreSQL + Mosquitto' : 'embedded PGlite + Aedes'}`)
console.log(`  baseline: broker alone (publish → subscriber)   median ${b.toFixed(1).padStart(7)} ms`)
console.log(`  end to end (target 2,000 ms)                     median ${e.toFixed(1).padStart(7)} ms  p95 ${percentile(endToEnd, 95).toFixed(1)} ms  (${(e / b).toFixed(1)}× baseline)`)
