/**
 * Time from `territoire start` to /health 200 on the embedded engines: on a fresh data
 * directory (first start: PGlite + PostGIS cold start, migrations, demo load) and on a
 * restart with the same directory. Targets (issue 2): first start < 90 s, restart < 30 s.
 * Baseline in the same run: the embedded engine's own floor — PGlite + PostGIS opened on a
 * fresh directory, `CREATE EXTENSION postgis`, closed — which every first start pays.
 *   node bin/bench.js startup [runs=3]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { silentLogger } from '../core/index.ts'
import { startEmbeddedPostgres } from '../sql/embedded-postgres.ts'
import { connectDatabase } from '../sql/index.ts'
import { freePort, median, startHubProcess } from './hub-process.ts'

async function engineFloor(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-bench-engine-'))
  const t = performance.now()
  const engine = await startEmbeddedPostgres({ dataDir: dir, log: silentLogger })
  const database = await connectDatabase(engine.url, { log: silentLogger, timeoutSeconds: 10 })
  await database.pool.query('CREATE EXTENSION IF NOT EXISTS postgis')
  const elapsed = performance.now() - t
  await database.close()
  await engine.stop()
  await rm(dir, { recursive: true, force: true })
  return elapsed
}

const runs = Number(process.argv[2] ?? 3)
const baseline: number[] = []
const first: number[] = []
const restart: number[] = []

for (let i = 0; i < runs; i++) {
  baseline.push(await engineFloor())

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'territoire-bench-'))
  const env = { HUB_DATA_DIR: dataDir, MQTT_PORT: String(await freePort()), SIMULATOR: 'off' }
  const cold = await startHubProcess(env)
  first.push(cold.healthyAfterMs)
  await cold.stop()
  const warm = await startHubProcess(env)
  restart.push(warm.healthyAfterMs)
  await warm.stop()
  await rm(dataDir, { recursive: true, force: true })
  process.stderr.write(`run ${i + 1}/${runs}: first ${cold.healthyAfterMs.toFixed(0)} ms, restart ${warm.healthyAfterMs.toFixed(0)} ms\n`)
}

const b = median(baseline)
const f = median(first)
const r = median(restart)
console.log(`startup on embedded engines, ${runs} runs (medians)`)
console.log(`  baseline: PGlite + PostGIS cold open     ${b.toFixed(0).padStart(7)} ms`)
console.log(`  first start → /health 200 (target 90 s) ${f.toFixed(0).padStart(7)} ms  (${(f / b).toFixed(1)}× baseline)`)
console.log(`  restart     → /health 200 (target 30 s) ${r.toFixed(0).padStart(7)} ms  (${(r / b).toFixed(1)}× baseline)`)
