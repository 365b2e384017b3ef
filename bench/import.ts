/**
 * `npm run bench:import` — `territoire import parcelles` against ogr2ogr (GDAL's PostgreSQL
 * driver, its defaults: see HOW_LOADED) on the same synthetic département file (bench/synthetic-parcels.ts:
 * 500,000 parcels of 5–12 vertices over the Somme, Etalab layout) and the same real PostgreSQL +
 * PostGIS, each round on a fresh database, rounds alternating so that the machine's noise hits
 * both alike; medians quoted. Territoire runs as the command an operator runs (a child process,
 * the bundle or the sources as bin/territoire.js chooses); its peak RSS is the child's VmHWM
 * (sampled every 50 ms, monotonic). Target: Territoire at least as fast as ogr2ogr.
 *   npm run bench:import [-- <parcels, 500000> <rounds, 3>]   (admin connection: BENCH_ADMIN_URL)
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { silentLogger } from '../core/index.ts'
import { connectDatabase, migrate } from '../sql/index.ts'
import { median } from './hub-process.ts'
import { writeSyntheticParcels } from './synthetic-parcels.ts'

const PARCELS = Number(process.argv[2] ?? 500_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const TERRITOIRE_JS = path.resolve(import.meta.dirname, '..', 'bin', 'territoire.js')
const log = (line: string) => process.stderr.write(`${line}\n`)

/**
 * How each side loads, so that the comparison is read for what it is. ogr2ogr's was seen with
 * `PGOPTIONS='-c log_statement=all -c client_min_messages=log' ogr2ogr --debug ON …` (GDAL 3.6.2):
 * BEGIN; CREATE TABLE (ogc_fid serial PK, varchar columns, geometry(MultiPolygon, 4326));
 * CREATE INDEX … USING GIST right after, i.e. before the data; COPY … FROM STDIN (PG_USE_COPY is
 * the default for a new table); COMMIT every 100,000 features (-gt's default). It checks no
 * validity, keys nothing, computes no second geometry.
 */
const HOW_LOADED = {
  ogr2ogr: 'COPY into a new table created in its transaction (ogc_fid serial PK, varchar columns); GiST on geom created before the COPY; no validity check, no key, no 3857 column; commits every 100,000 features (-gt)',
  territoire: 'the table is empty: JSON batches of 2,000 written straight into parcel while the next is parsed (ST_IsValid on each, ST_MakeValid where invalid; PK id, commune index, generated geom_3857; keys tracked in Node for repeats); both GiST indexes dropped after 10,000 rows and rebuilt before commit; one transaction',
}

interface Run {
  readonly seconds: number
  readonly rssMb: number
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** Runs a program to completion; its wall time and peak RSS (VmHWM). */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let peakKb = 0
    let output = ''
    const sample = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8').then(
        (status) => (peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0))),
        () => undefined,
      )
    }, 50)
    child.stdout.on('data', (chunk: Buffer) => (output += chunk))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk))
    child.on('exit', (code) => {
      clearInterval(sample)
      const seconds = (performance.now() - started) / 1000
      if (code === 0) resolve({ seconds, rssMb: peakKb / 1024 })
      else reject(new Error(`${path.basename(command)} exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`))
    })
  })
}

function gdalVersion(): string {
  try {
    return /GDAL [0-9.]+/.exec(execFileSync('ogr2ogr', ['--version'], { encoding: 'utf8' }))?.[0] ?? 'GDAL'
  } catch {
    return 'GDAL'
  }
}

async function freshDatabase(admin: pg.Client, name: string, migrated: boolean): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${name}`)
  const database = await connectDatabase(databaseUrl(name), { log: silentLogger, timeoutSeconds: 10 })
  try {
    if (migrated) await migrate(database.pool, silentLogger)
    else await database.pool.query('CREATE EXTENSION postgis')
  } finally {
    await database.close()
  }
}

async function count(name: string, table: string): Promise<{ n: number; area: number }> {
  const client = new pg.Client({ connectionString: databaseUrl(name) })
  await client.connect()
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n, sum(ST_Area(geom::geography)) AS area FROM ${table}`)
    return { n: rows[0].n, area: Number(rows[0].area) }
  } finally {
    await client.end()
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-bench-import-'))
const file = path.join(dir, 'cadastre-80-parcelles.json')
const admin = new pg.Client({ connectionString: ADMIN_URL })
await admin.connect()
const tDb = `territoire_bench_import_${process.pid}`
const oDb = `territoire_bench_ogr_${process.pid}`
try {
  const generated = performance.now()
  const synthetic = await writeSyntheticParcels(file, { count: PARCELS })
  log(`generated ${PARCELS.toLocaleString('en')} parcels in ${synthetic.communes} communes, ${(synthetic.bytes / 1048576).toFixed(0)} MB, in ${((performance.now() - generated) / 1000).toFixed(1)} s`)

  const territoire: Run[] = []
  const ogr: Run[] = []
  let checked: { t: { n: number; area: number }; o: { n: number; area: number } } | null = null
  for (let round = 1; round <= ROUNDS; round++) {
    await freshDatabase(admin, tDb, true)
    await admin.query('CHECKPOINT')
    const t = await run(process.execPath, [TERRITOIRE_JS, 'import', 'parcelles', file], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl(tDb),
      LOG_LEVEL: 'warn',
    })
    territoire.push(t)
    log(`round ${round}: territoire ${t.seconds.toFixed(1)} s, ${Math.round(PARCELS / t.seconds).toLocaleString('en')} features/s, peak RSS ${t.rssMb.toFixed(0)} MB`)

    await freshDatabase(admin, oDb, false)
    await admin.query('CHECKPOINT')
    const pgUrl = new URL(databaseUrl(oDb))
    const o = await run('ogr2ogr', [
      '-f', 'PostgreSQL',
      `PG:host=${pgUrl.hostname} port=${pgUrl.port || 5432} user=${decodeURIComponent(pgUrl.username) || 'postgres'} dbname=${oDb}` +
        (pgUrl.password ? ` password=${decodeURIComponent(pgUrl.password)}` : ''),
      file,
      '-nln', 'parcels', '-lco', 'GEOMETRY_NAME=geom', '-nlt', 'PROMOTE_TO_MULTI',
    ], { PATH: process.env.PATH, HOME: process.env.HOME })
    ogr.push(o)
    log(`round ${round}: ogr2ogr    ${o.seconds.toFixed(1)} s, ${Math.round(PARCELS / o.seconds).toLocaleString('en')} features/s`)
    if (round === 1) checked = { t: await count(tDb, 'parcel'), o: await count(oDb, 'parcels') }
  }

  const tRate = median(territoire.map((r) => PARCELS / r.seconds))
  const oRate = median(ogr.map((r) => PARCELS / r.seconds))
  const row = (label: string, value: string) => console.log(`  ${label.padEnd(58)} ${value}`)
  console.log(`Import benchmark — ${PARCELS.toLocaleString('en')} synthetic parcels (${(synthetic.bytes / 1048576).toFixed(0)} MB GeoJSON), ${ROUNDS} round(s), fresh database each; medians`)
  row(`baseline: ogr2ogr -f PostgreSQL (${gdalVersion()})`, `${Math.round(oRate).toLocaleString('en')} features/s`)
  row('territoire import parcelles (child process, whole command)', `${Math.round(tRate).toLocaleString('en')} features/s`)
  row('ratio territoire / ogr2ogr (target ≥ 1)', `${(tRate / oRate).toFixed(2)}   [${territoire.map((r, i) => (ogr[i]!.seconds / r.seconds).toFixed(2)).join(', ')}]`)
  row('territoire peak RSS (VmHWM of the child)', `${Math.max(...territoire.map((r) => r.rssMb)).toFixed(0)} MB`)
  console.log(`  how ogr2ogr loaded:   ${HOW_LOADED.ogr2ogr}`)
  console.log(`  how territoire loaded: ${HOW_LOADED.territoire}`)
  if (checked) {
    row('rows: territoire / ogr2ogr', `${checked.t.n.toLocaleString('en')} / ${checked.o.n.toLocaleString('en')}`)
    row('total area difference (geography)', `${((100 * (checked.t.area - checked.o.area)) / checked.o.area).toFixed(5)} %`)
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${tDb} WITH (FORCE)`).catch(() => undefined)
  await admin.query(`DROP DATABASE IF EXISTS ${oDb} WITH (FORCE)`).catch(() => undefined)
  await admin.end()
  await rm(dir, { recursive: true, force: true })
}
