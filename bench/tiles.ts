/**
 * `npm run bench:tiles` — vector tiles of a département-size parcels layer, through the API and
 * bare, on the real PostgreSQL + PostGIS (a fresh database):
 *  - loads N synthetic parcels (default 500,000) over the Somme's bbox, generated in SQL: towns
 *    of skewed sizes, each a grid of jittered quadrilaterals of about 30 × 22 m, 14-char ids;
 *  - starts `territoire start` (HUB_DEMO=off, its own embedded broker) on that database;
 *  - takes a fixed list of tiles: the 80 densest of each zoom from 12 (the layer's minzoom) to 17;
 *  - each round: the layer is marked changed (as an import does: the hub hears it by LISTEN and
 *    its cache is cold for parcels), then the tiles through HTTP (cold), the same tile SQL
 *    directly through `pg` (bare: a pool, same concurrency), and the tiles through HTTP again:
 *    once (each tile's second request compresses it: printed apart), then WARM_REPEAT times over
 *    (warm: cached and compressed, the steady state of a map's tiles), with the hub's CPU time per
 *    request. Cold and bare alternate their order from round to round.
 *  - and the latency of one request at a time, cold, for the tiles of z ≥ 14 (the throughput
 *    passes keep 8 in flight on 2 cores: their latencies are mostly queueing, printed too).
 * Targets (issue 4): cold ≥ 0.8 × bare tiles/s; cold p95 < 50 ms at z ≥ 14; warm ≥ 3,000 tiles/s.
 *   npm run bench:tiles [-- <parcels, 500000> <rounds, 3> <in flight, 8>]   (admin connection: BENCH_ADMIN_URL)
 * Run `npm run build:server` first, so that the hub runs from its bundle.
 */
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { TILE_SESSION_SETTINGS, TILE_SOURCES } from '../api/index.ts'
import { buildTileSql, tileQuery } from '../api/tiles/tile-sql.ts'
import { ALL_TERRITORIES, silentLogger } from '../core/index.ts'
import { connectDatabase, markLayersChanged, migrate } from '../sql/index.ts'
import { BENCH_ADMIN_TOKEN, freshDatabase, freePort, median, percentile, startHubProcess } from './hub-process.ts'

const PARCELS = Number(process.argv[2] ?? 500_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const IN_FLIGHT = Number(process.argv[4] ?? 8)
const PER_ZOOM = 80
/** The warm pass: the list this many times over (a pass of a few hundred tiles is too short to time alone). */
const WARM_REPEAT = 10
const DATABASE = 'territoire_bench_tiles'
const log = (line: string) => process.stderr.write(`${line}\n`)

interface TileAddress { readonly z: number; readonly x: number; readonly y: number }

/** Towns of skewed sizes over the Somme (1.38–3.21 E, 49.57–50.37 N), each a grid of parcels. */
const GENERATE = `
  WITH towns AS (
    SELECT k, 1.45 + 1.70 * (k * 0.6180339887 - floor(k * 0.6180339887)) AS lon,
              49.62 + 0.70 * (k * 0.7548776662 - floor(k * 0.7548776662)) AS lat
    FROM generate_series(0, $2 - 1) AS k
  ),
  placed AS (
    SELECT i, floor($2 * power(i * 0.4142135623 - floor(i * 0.4142135623), 2))::int AS town FROM generate_series(0, $1 - 1) AS i
  ),
  ranked AS (
    SELECT i, town, row_number() OVER (PARTITION BY town ORDER BY i) - 1 AS j, count(*) OVER (PARTITION BY town) AS n FROM placed
  ),
  cells AS (
    SELECT r.i, r.town, t.lon, t.lat, ceil(sqrt(r.n))::int AS side, r.j,
           -- metres to degrees at the town's latitude; cells of 30 × 22 m
           30 / (111320 * cos(radians(t.lat))) AS dx, 22 / 110540.0 AS dy
    FROM ranked r JOIN towns t ON t.k = r.town
  ),
  corners AS (
    SELECT i, town, dx, dy,
           lon + ((j % side) - side / 2.0) * dx AS x0, lat + ((j / side) - side / 2.0) * dy AS y0,
           -- deterministic jitter of each corner, up to a tenth of the cell
           (i * 0.1234567 - floor(i * 0.1234567)) * 0.1 AS a, (i * 0.7654321 - floor(i * 0.7654321)) * 0.1 AS b,
           (i * 0.3141592 - floor(i * 0.3141592)) * 0.1 AS c, (i * 0.2718281 - floor(i * 0.2718281)) * 0.1 AS d
    FROM cells
  )
  INSERT INTO parcel (id, commune, prefixe, section, numero, contenance, geom)
  SELECT '8' || lpad((town % 10000)::text, 4, '0') || '000' || chr(65 + (i / 10000) % 26) || chr(65 + (i / 260000) % 26) || lpad((i % 10000)::text, 4, '0'),
         '8' || lpad((town % 10000)::text, 4, '0'), '000', chr(65 + (i / 10000) % 26) || chr(65 + (i / 260000) % 26), lpad((i % 10000)::text, 4, '0'),
         round(600 * (1 - a - b))::int,
         ST_Multi(ST_MakePolygon(ST_MakeLine(ARRAY[
           ST_Point(x0 + a * dx, y0 + b * dy, 4326), ST_Point(x0 + (1 - c) * dx, y0 + a * dy, 4326),
           ST_Point(x0 + (1 - d) * dx, y0 + (0.5 + b / 2) * dy, 4326),
           ST_Point(x0 + (1 - b) * dx, y0 + (1 - d) * dy, 4326), ST_Point(x0 + c * dx, y0 + (1 - a) * dy, 4326),
           ST_Point(x0 + a * dx, y0 + b * dy, 4326)])))
  FROM corners`

/** The densest tiles of each zoom, by parcel centroids (ties by address: deterministic). */
const DENSE_TILES = `
  SELECT $1::int AS z, x, y FROM (
    SELECT floor((ST_X(c) + 20037508.342789244) / (40075016.68557849 / 2 ^ $1))::int AS x,
           floor((20037508.342789244 - ST_Y(c)) / (40075016.68557849 / 2 ^ $1))::int AS y
    FROM (SELECT ST_Centroid(geom_3857) AS c FROM parcel) AS p
  ) AS t GROUP BY x, y ORDER BY count(*) DESC, x, y LIMIT $2`

/** Runs `task` over `items`, `inFlight` at a time; answers each item's latency (ms) and the total seconds. */
async function pass<T>(items: readonly T[], task: (item: T) => Promise<void>, inFlight = IN_FLIGHT): Promise<{ latencies: number[]; seconds: number }> {
  const latencies = new Array<number>(items.length)
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    for (let i = next++; i < items.length; i = next++) {
      const t0 = performance.now()
      await task(items[i]!)
      latencies[i] = performance.now() - t0
    }
  }))
  return { latencies, seconds: (performance.now() - started) / 1000 }
}

function httpGetter(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT })
  const { hostname, port } = new URL(base)
  return {
    get: (path: string) => new Promise<{ status: number; bytes: number; body: string }>((resolve, reject) => {
      // As a browser asks (MapLibre's requests go through it): gzip accepted; the bytes are counted, not decoded.
      http.get({ hostname, port, path, agent, headers: { 'Accept-Encoding': 'gzip, deflate, br', ...(path === '/metrics' ? { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } : {}) } }, (res) => {
        let bytes = 0
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          if (res.headers['content-type']?.startsWith('text/')) chunks.push(chunk)
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, body: Buffer.concat(chunks).toString() }))
        res.on('error', reject)
      }).on('error', reject)
    }),
    close: () => agent.destroy(),
  }
}

async function cacheMetric(get: ReturnType<typeof httpGetter>['get'], name: string): Promise<number> {
  const { body } = await get('/metrics')
  return Number(body.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN)
}

const url = await freshDatabase(DATABASE)
const database = await connectDatabase(url, { log: silentLogger, timeoutSeconds: 10, maxConnections: IN_FLIGHT })
await migrate(database.pool, silentLogger)
const towns = Math.max(20, Math.round(PARCELS / 2_000))
let t0 = performance.now()
await database.pool.query(GENERATE, [PARCELS, towns])
await database.pool.query('ANALYZE parcel')
log(`loaded ${PARCELS.toLocaleString('en')} parcels in ${towns} towns in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

const source = TILE_SOURCES.find((s) => s.id === 'parcels')!
const tiles: TileAddress[] = []
for (let z = Math.max(12, source.minzoom); z <= 17; z++) {
  const { rows } = await database.pool.query<TileAddress>(DENSE_TILES, [z, PER_ZOOM])
  tiles.push(...rows)
}

const WARM_LIST = Array.from({ length: WARM_REPEAT }, () => tiles).flat()
const port = await freePort()
const hub = await startHubProcess({
  DATABASE_URL: url, HUB_DEMO: 'off', SIMULATOR: 'off', MQTT_PORT: String(await freePort()), TILE_CACHE_MB: process.env.TILE_CACHE_MB ?? '256', PORT: String(port),
})
const client = httpGetter(hub.url)
/** The hub process's CPU time so far (user + system), ms: /proc/<pid>/stat, in clock ticks of 10 ms. */
const hubCpuMs = () => {
  const fields = readFileSync(`/proc/${hub.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}
const sql = buildTileSql(source)
// The bare SQL runs on sessions set as the hub's tile sessions are (tile-sql.ts: no parallel plan, no JIT).
const bareDatabase = await connectDatabase(url, { log: silentLogger, timeoutSeconds: 10, maxConnections: IN_FLIGHT, sessionSettings: TILE_SESSION_SETTINGS })
const bare = async (t: TileAddress) => {
  const { queries, values } = tileQuery(sql, source, t, ALL_TERRITORIES)
  await bareDatabase.pool.query(queries.mvt, values)
}
let tileBytes = 0
let coldBytes = 0
let warmBytes = 0
const cold = async (t: TileAddress) => {
  const { status, bytes } = await client.get(`/tiles/parcels/${t.z}/${t.x}/${t.y}.mvt`)
  if (status !== 200 && status !== 204) throw new Error(`tile ${t.z}/${t.x}/${t.y}: HTTP ${status}`)
  tileBytes += bytes
}

try {
  // Warm PostgreSQL's buffers and both sides' code paths once, unmeasured.
  await pass(tiles, bare)
  const results = { cold: [] as number[], bare: [] as number[], warm: [] as number[], coldP95: [] as number[], coldP95Z14: [] as number[], bareP95Z14: [] as number[], singleP95Z14: [] as number[], second: [] as number[], warmCpu: [] as number[] }
  let hits = 0
  for (let round = 0; round < ROUNDS; round++) {
    await markLayersChanged(database.db, ['parcels'])
    await new Promise((resolve) => setTimeout(resolve, 200)) // the notification reaches the hub
    const misses0 = await cacheMetric(client.get, 'territoire_tile_cache_misses_total')
    const runCold = async () => {
      tileBytes = 0
      const c = await pass(tiles, cold)
      coldBytes = tileBytes
      const misses = (await cacheMetric(client.get, 'territoire_tile_cache_misses_total')) - misses0
      if (misses !== tiles.length) throw new Error(`cold pass: ${misses} cache misses for ${tiles.length} tiles (was the layer change heard?)`)
      results.cold.push(tiles.length / c.seconds)
      results.coldP95.push(percentile(c.latencies, 95))
      results.coldP95Z14.push(percentile(c.latencies.filter((_, i) => tiles[i]!.z >= 14), 95))
    }
    const runBare = async () => {
      const b = await pass(tiles, bare)
      results.bare.push(tiles.length / b.seconds)
      results.bareP95Z14.push(percentile(b.latencies.filter((_, i) => tiles[i]!.z >= 14), 95))
    }
    if (round % 2 === 0) {
      await runCold()
      await runBare()
    } else {
      await runBare()
      await runCold()
    }
    // Each tile's second request: from the cache, compressed then (tile-routes.ts), once.
    const second = await pass(tiles, cold)
    results.second.push(tiles.length / second.seconds)
    // Warm: cached and compressed, as a map's tiles are once seen twice.
    const hits0 = await cacheMetric(client.get, 'territoire_tile_cache_hits_total')
    const cpu0 = hubCpuMs()
    tileBytes = 0
    const w = await pass(WARM_LIST, cold)
    warmBytes = tileBytes / WARM_REPEAT
    results.warmCpu.push(((hubCpuMs() - cpu0) * 1000) / WARM_LIST.length)
    hits = (await cacheMetric(client.get, 'territoire_tile_cache_hits_total')) - hits0
    results.warm.push(WARM_LIST.length / w.seconds)
    // Latency of one request at a time (the throughput passes above queue 8 on 2 cores): cold again, z ≥ 14.
    await markLayersChanged(database.db, ['parcels'])
    await new Promise((resolve) => setTimeout(resolve, 200))
    const single = await pass(tiles.filter((t) => t.z >= 14), cold, 1)
    results.singleP95Z14.push(percentile(single.latencies, 95))
    log(`round ${round + 1}: cold ${results.cold.at(-1)!.toFixed(0)}/s, bare ${results.bare.at(-1)!.toFixed(0)}/s, second ${results.second.at(-1)!.toFixed(0)}/s, warm ${results.warm.at(-1)!.toFixed(0)}/s (${hits} hits)`)
  }
  const cacheBytes = await cacheMetric(client.get, 'territoire_tile_cache_bytes')

  const row = (label: string, value: string) => console.log(`  ${label.padEnd(62)} ${value}`)
  const zooms = [...new Set(tiles.map((t) => t.z))]
  console.log(`Tile benchmark — ${PARCELS.toLocaleString('en')} synthetic parcels, ${tiles.length} tiles (the ${PER_ZOOM} densest of each zoom ${zooms[0]}–${zooms.at(-1)}), ${IN_FLIGHT} in flight, ${ROUNDS} rounds; medians`)
  console.log(`  territoire start (PostgreSQL/PostGIS, ST_AsMVT) in its own process; ${(coldBytes / tiles.length / 1024).toFixed(1)} KiB per tile on average, ${(warmBytes / tiles.length / 1024).toFixed(1)} KiB gzipped (as sent once cached twice); cache ${(cacheBytes / 1024 / 1024).toFixed(1)} MiB`)
  const [c, b, w] = [median(results.cold), median(results.bare), median(results.warm)]
  row('bare tile SQL through pg (baseline), tiles/s', `${b.toFixed(0)}   [${results.bare.map((v) => v.toFixed(0)).join(', ')}]`)
  row('API, cold cache, tiles/s', `${c.toFixed(0)}   [${results.cold.map((v) => v.toFixed(0)).join(', ')}]`)
  row('  ratio to bare (target ≥ 0.8)', (c / b).toFixed(2))
  row(`API, cold cache, p95 latency (ms), all zooms, ${IN_FLIGHT} in flight`, median(results.coldP95).toFixed(1))
  row(`API, cold cache, p95 latency (ms), z ≥ 14, ${IN_FLIGHT} in flight`, `${median(results.coldP95Z14).toFixed(1)}   (bare: ${median(results.bareP95Z14).toFixed(1)})`)
  row('API, cold cache, p95 latency (ms), z ≥ 14, one at a time (target < 50)', `${median(results.singleP95Z14).toFixed(1)}   [${results.singleP95Z14.map((v) => v.toFixed(1)).join(', ')}]`)
  row('API, second request of each tile (compresses it), tiles/s', `${median(results.second).toFixed(0)}   [${results.second.map((v) => v.toFixed(0)).join(', ')}]`)
  row('API, warm cache, tiles/s (target ≥ 3,000)', `${w.toFixed(0)}   [${results.warm.map((v) => v.toFixed(0)).join(', ')}]; ${hits}/${WARM_LIST.length} hits in the last round`)
  row('  hub CPU per warm request (µs; the client shares the 2 cores)', median(results.warmCpu).toFixed(0))
  row('  warm / cold', (w / c).toFixed(1))
} finally {
  client.close()
  await hub.stop()
  await database.close()
  await bareDatabase.close()
}
