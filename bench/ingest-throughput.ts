/**
 * `npm run bench:ingest` — the ingestion against a real Mosquitto (ours, with the shipped
 * mosquitto.conf) and the real PostgreSQL + PostGIS (a fresh database), each in its own process.
 * Rounds alternate, so that the machine's noise hits both sides alike, and medians are quoted:
 *  - baseline 1, the bare broker: publisher → Mosquitto → a subscriber that does nothing;
 *  - baseline 2, the raw COPY rate into the readings table;
 *  - the ingestion (`territoire ingest`) at full speed: committed messages/s and readings/s;
 *  - then the ingestion at 5,000 messages/s: publish → commit latency, p50 and p99;
 *  - the ingestion's peak RSS over it all.
 * The publisher (its own process) sends SenML packs of 3 records for 1,000 devices, as fast as
 * the broker takes them. Targets (issue 3): ingest ≥ 0.6 × bare broker msg/s; p99 < 1 s at
 * 5,000 msg/s; RSS < 300 MB. The worker runs with the configuration's defaults, unless INGEST_*
 * variables are given to the bench.
 *   npm run bench:ingest [-- <messages per round, 100000> <rounds, 3>]   (admin connection: BENCH_ADMIN_URL;
 *   BENCH_WORKER_NODE_ARGS go to the worker's node, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof')
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline as pump } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { silentLogger } from '../core/index.ts'
import { parseDeviceSpec, provisionDevices } from '../ingestion/index.ts'
import { connectDatabase, migrate, type Database } from '../sql/index.ts'
import { ownMosquitto, startWorker } from '../test/own-servers.ts'
import { median } from './hub-process.ts'

const MESSAGES = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const DEVICES = 1_000
const PACED_RATE = 5_000
const PACED_SECONDS = 10
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const BENCH_JS = path.resolve(import.meta.dirname, '..', 'bin', 'bench.js')
const log = (line: string) => process.stderr.write(`${line}\n`)

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
  if (stat === null) return 0
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
}

function runChild(args: string[], onReady?: () => void, onSpawn?: (pid: number) => void): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_JS, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    if (child.pid !== undefined) onSpawn?.(child.pid)
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk
      if (onReady && out.includes('ready\n')) {
        const ready = onReady
        onReady = undefined
        ready()
      }
    })
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`${args[0]} exited with ${code}`))))
  })
}

async function bareBroker(brokerUrl: string): Promise<number> {
  let subscriberReady!: () => void
  const ready = new Promise<void>((resolve) => (subscriberReady = resolve))
  const subscriber = runChild(['null-subscriber', brokerUrl, 'bare/senml/#', String(MESSAGES)], () => subscriberReady())
  await ready
  await runChild(['publisher', brokerUrl, 'bare', 'bench', String(MESSAGES), String(DEVICES)])
  return (await subscriber).perSecond!
}

async function copyRate(db: Database, round: number): Promise<number> {
  const rows = MESSAGES * 3
  const base = Date.UTC(2001, round, 1) // a month of its own per round
  await db.pool.query('SELECT ensure_reading_partition($1::date)', [new Date(base).toISOString().slice(0, 10)])
  const client = await db.pool.connect()
  const started = performance.now()
  try {
    await pump(
      Readable.from((function* () {
        for (let i = 0; i < rows; i += 1000) {
          let chunk = ''
          for (let j = i; j < Math.min(rows, i + 1000); j++) chunk += `${1 + (j % (DEVICES * 3))}\t${new Date(base + j).toISOString()}\t${20 + (j % 50) / 10}\n`
          yield chunk
        }
      })()),
      client.query(copyFrom('COPY reading (sid, ts, value) FROM STDIN')),
    )
  } finally {
    client.release()
  }
  return rows / ((performance.now() - started) / 1000)
}

const database = `territoire_bench_${process.pid}`
const admin = new pg.Client(ADMIN_URL)
await admin.connect()
await admin.query(`CREATE DATABASE ${database}`)
const url = new URL(ADMIN_URL)
url.pathname = `/${database}`
const databaseUrl = url.toString()
const broker = await ownMosquitto()

try {
  const db = await connectDatabase(databaseUrl, { log: silentLogger, timeoutSeconds: 10 })
  await migrate(db.pool, silentLogger)
  await provisionDevices(db.db, Array.from({ length: DEVICES }, (_, d) => parseDeviceSpec({ id: `bench-${d}`, senmlBaseName: `urn:dev:bench-${d}:`, profile: 'generic-ambiance' })), 'create')
  const ingestEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('INGEST_'))) as Record<string, string>
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const worker = await startWorker({ ...ingestEnv, DATABASE_URL: databaseUrl, MQTT_URL: broker.url, MQTT_CLIENT_ID: `bench-ingest-${process.pid}`, MQTT_TOPICS: 'ingest/senml/#', LOG_LEVEL: 'warn' }, nodeArgs)
  log(`database ${database}: ${DEVICES} devices × 3 sensors; Mosquitto on ${broker.url}; worker ${ingestEnv.INGEST_BATCH_SIZE ? JSON.stringify(ingestEnv) : 'with defaults'}`)
  // Progress from the worker's own counter: polling the database would steal the CPU it measures.
  const metricsText = async () => (await fetch(`${worker.url}/metrics`)).text()
  const stored = async () => Number(/^territoire_ingest_readings_stored_total (\d+)/m.exec(await metricsText())?.[1] ?? 0)
  const waitStored = async (n: number) => {
    while ((await stored()) < n) await new Promise((resolve) => setTimeout(resolve, 25))
    return Date.now()
  }

  // Where the CPU goes while the ingestion runs at full speed (µs per message, per process).
  const backends = async () => (await db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid)
  const cpu: Record<'worker' | 'database' | 'broker' | 'publisher', number[]> = { worker: [], database: [], broker: [], publisher: [] }

  const bare: number[] = []
  const copy: number[] = []
  const ingest: number[] = []
  let total = 0
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await bareBroker(broker.url))
    copy.push(await copyRate(db, round))
    const since = new Date()
    const pids = await backends()
    const sum = async (list: readonly number[]) => (await Promise.all(list.map(cpuSeconds))).reduce((a, b) => a + b, 0)
    const before = { worker: await cpuSeconds(worker.child.pid), database: await sum(pids), broker: await cpuSeconds(broker.pid) }
    let publisherPid: number | undefined
    let publisherCpu = 0
    const publishing = runChild(['publisher', broker.url, 'ingest', 'bench', String(MESSAGES), String(DEVICES)], undefined, (pid) => {
      publisherPid = pid
    })
    const publisherSampler = setInterval(() => void cpuSeconds(publisherPid).then((s) => (publisherCpu = Math.max(publisherCpu, s))), 50)
    total += MESSAGES * 3
    const end = await waitStored(total)
    await publishing
    clearInterval(publisherSampler)
    const perMessage = (seconds: number) => (seconds * 1e6) / MESSAGES
    cpu.worker.push(perMessage((await cpuSeconds(worker.child.pid)) - before.worker))
    cpu.database.push(perMessage((await sum(pids)) - before.database))
    cpu.broker.push(perMessage((await cpuSeconds(broker.pid)) - before.broker))
    cpu.publisher.push(perMessage(publisherCpu))
    const { rows } = await db.pool.query<{ first: Date }>(`SELECT min(received_at) AS first FROM reading WHERE received_at >= $1`, [since])
    ingest.push(MESSAGES / ((end - rows[0]!.first.getTime()) / 1000))
    log(`round ${round + 1}/${ROUNDS}: bare broker ${bare.at(-1)!.toFixed(0)} msg/s, COPY ${copy.at(-1)!.toFixed(0)} rows/s, ingestion ${ingest.at(-1)!.toFixed(0)} msg/s`)
  }

  // The ingestion at 5,000 msg/s: publish → commit latency.
  const before = await metricsText()
  const pacedStart = new Date()
  await runChild(['publisher', broker.url, 'ingest', 'bench', String(PACED_RATE * PACED_SECONDS), String(DEVICES), String(PACED_RATE)])
  await waitStored(total + PACED_RATE * PACED_SECONDS * 3)
  const { rows: latency } = await db.pool.query<{ p50: number; p99: number }>(`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts)) AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts)) AS p99
    FROM reading WHERE ts >= $1 AND sid IN (SELECT sid FROM sensor WHERE device_id LIKE 'bench-%')`, [pacedStart])
  const after = await metricsText()
  const batchP99 = histogramQuantile(after, before, 'territoire_ingest_batch_seconds', 0.99)
  const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN)
  const fullSpeedBatch = (metric(before, 'territoire_ingest_batch_messages_sum')) / metric(before, 'territoire_ingest_batch_messages_count')
  const rss = Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${worker.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  await worker.stop()
  await db.close()

  const b = median(bare)
  const c = median(copy)
  const i = median(ingest)
  const row = (label: string, value: string) => console.log(`  ${label.padEnd(60)} ${value}`)
  console.log(`Ingestion benchmark — ${ROUNDS} rounds of ${MESSAGES.toLocaleString('en')} SenML packs of 3 records, ${DEVICES} devices; medians`)
  console.log('  Mosquitto 2 (shipped mosquitto.conf) + PostgreSQL/PostGIS; publisher, broker, subscriber/worker and database in separate processes')
  row('baseline: bare broker (publisher → Mosquitto → null subscriber)', `${b.toFixed(0)} msg/s   [${bare.map((v) => v.toFixed(0)).join(', ')}]`)
  row('baseline: COPY into the readings table', `${c.toFixed(0)} rows/s   [${copy.map((v) => v.toFixed(0)).join(', ')}]`)
  row('ingestion at full speed, committed', `${i.toFixed(0)} msg/s = ${(i * 3).toFixed(0)} readings/s   [${ingest.map((v) => v.toFixed(0)).join(', ')}]`)
  const ratios = ingest.map((v, k) => v / bare[k]!)
  row('  ratio to the bare broker, median of the rounds (target ≥ 0.6)', `${median(ratios).toFixed(2)}   [${ratios.map((r) => r.toFixed(2)).join(', ')}]; of the medians ${(i / b).toFixed(2)}`)
  row('  readings/s over COPY rows/s', ((i * 3) / c).toFixed(2))
  row('  average batch at full speed (messages per transaction)', fullSpeedBatch.toFixed(0))
  row('  CPU per message: worker / database backends / broker / publisher', Object.values(cpu).map((v) => `${median(v).toFixed(1)} µs`).join(' / '))
  row(`ingestion at ${PACED_RATE} msg/s: publish → transaction start, p50 / p99`, `${(latency[0]!.p50 * 1000).toFixed(0)} ms / ${(latency[0]!.p99 * 1000).toFixed(0)} ms`)
  row('  + a batch write at this rate (p99, histogram upper bucket)', `≤ ${(batchP99 * 1000).toFixed(0)} ms → p99 publish → commit ≤ ${((latency[0]!.p99 + batchP99) * 1000).toFixed(0)} ms (target < 1000)`)
  row('ingestion worker peak RSS (VmHWM; target < 300 MB)', `${rss.toFixed(0)} MB`)
} finally {
  await broker.remove()
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
  await admin.end()
}

/** Upper bound of the histogram bucket holding quantile q, over what was observed between `before` and `text`. */
function histogramQuantile(text: string, before: string, name: string, q: number): number {
  const read = (t: string) => [...t.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) }))
  const earlier = read(before)
  const buckets = read(text).map((bucket, k) => ({ le: bucket.le, n: bucket.n - (earlier[k]?.n ?? 0) }))
  const count = buckets.at(-1)?.n ?? 0
  return buckets.find((bucket) => bucket.n >= q * count)?.le ?? NaN
}
