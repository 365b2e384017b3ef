/**
 * Serves the catalogue's tiles and TileJSON. The encoder is chosen once from the database's
 * capabilities: ST_AsMVT on real PostGIS, the Node encoder on the embedded engine.
 *
 * Tiles are kept in a byte-bounded LRU (tile-cache.ts) keyed by layer, z/x/y, scope and the
 * layer's data version, so that a warm tile costs no query and a changed layer is never served
 * from it again (docs/tiles.md). The version of a layer is its stored `layer_version` (bumped by
 * imports) and an in-memory generation bumped on every change heard: a notification on
 * `territoire_layers` (real servers), or an in-process call from the hub (`layersChanged`; the
 * embedded engine, where notifications do not cross connections, also polls the stored versions).
 */
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type pg from 'pg'
import { Counter, Gauge, type Registry } from 'prom-client'
import { NotFoundError, errorMessage, scopeKey, silentLogger, type Logger, type Scope } from '../../core/index.ts'
import { LIVE_LAYERS, layerVersions } from '../../sql/index.ts'
import { listenForLayerChanges, type LayerChangeListener } from './layer-change-listener.ts'
import { encodeMvt, type TileFeatureRow } from './mvt-encoder.ts'
import { TileCache, type CachedTile, type TileCacheStats } from './tile-cache.ts'
import { parseTileAddress, type TileAddress } from './tile-coordinates.ts'
import { buildTileSql, scopeValues, tileQuery, type TileSql } from './tile-sql.ts'
import { TILE_SOURCES, type TileSource } from './tile-source.ts'

export type TileEncoder = 'postgis' | 'node'

export interface Tile {
  /** Empty when no feature touches the tile. */
  readonly body: Buffer
  readonly etag: string
  /** The body gzip-compressed (null for a small or empty tile), with its own ETag: what a map client is sent. */
  readonly gzip: Buffer | null
  readonly gzipEtag: string
}

/**
 * A cached tile from this size on is also kept gzip-compressed, once it is asked for a second
 * time: every browser accepts gzip, and a dense cadastre tile shrinks to about 40 % (level 1:
 * 4 ms for 250 KB; level 6 three times as long for 6 % less). Compressing on the second request
 * rather than the first keeps the cost off the cold path, and off tiles seen only once.
 */
const GZIP_FROM_BYTES = 1024
const gzipAsync = promisify(gzip)

export interface TileJson {
  readonly tilejson: '3.0.0'
  readonly name: string
  readonly description: string
  readonly attribution: string
  readonly tiles: readonly string[]
  readonly minzoom: number
  readonly maxzoom: number
  readonly bounds?: readonly [number, number, number, number]
  readonly vector_layers: readonly {
    readonly id: string
    readonly description: string
    readonly minzoom: number
    readonly maxzoom: number
    readonly fields: Readonly<Record<string, string>>
  }[]
}

export interface TileServiceOptions {
  readonly sources?: readonly TileSource[]
  /** Bytes of the tile cache (TILE_CACHE_MB); 0, the default, keeps no tile. */
  readonly cacheBytes?: number
  readonly log?: Logger
}

/**
 * How the service hears that layers changed:
 *  - `listen`: LISTEN on a dedicated connection (real PostgreSQL: writers in any process);
 *  - `in-process`: the hub calls `layersChanged` after its own writes, and the stored versions
 *    are polled every `pollMs` for imports (the embedded engine, where every writer is in process).
 */
export type ChangeFeed = { readonly kind: 'listen' } | { readonly kind: 'in-process'; readonly pollMs: number }

/**
 * Browser caching. Live layers change with every reading: clients revalidate each time
 * (`no-cache`; a 304 from the warm cache costs no query). Imported layers change a few times a
 * year: a browser may reuse a tile for a minute (panning back is free), then revalidates.
 */
const CACHE_CONTROL = { live: 'no-cache', imported: 'max-age=60' } as const

export class TileService {
  readonly encoder: TileEncoder
  readonly sources: readonly TileSource[]
  private readonly sql = new Map<string, TileSql>()
  private readonly cache: TileCache
  private readonly log: Logger
  /** Stored versions (layer_version) and generations heard since start, by layer. */
  private readonly stored = new Map<string, number>()
  private readonly generations = new Map<string, number>()
  private readonly pending = new Map<string, Promise<CachedTile>>()
  private readonly compressing = new Set<string>()
  private readonly boundsCache = new Map<string, readonly [number, number, number, number] | null>()
  private listener: LayerChangeListener | null = null
  private readonly watchers = new Set<(layers: readonly string[]) => void>()
  private poll: NodeJS.Timeout | null = null

  constructor(
    private readonly pool: pg.Pool,
    encoder: TileEncoder,
    options: TileServiceOptions = {},
  ) {
    this.encoder = encoder
    this.sources = options.sources ?? TILE_SOURCES
    this.cache = new TileCache(options.cacheBytes ?? 0)
    this.log = options.log ?? silentLogger
    for (const source of this.sources) this.sql.set(source.id, buildTileSql(source))
  }

  source(id: string): TileSource {
    const source = this.sources.find((s) => s.id === id)
    if (!source) throw new NotFoundError(`no tile layer "${id}"; layers: ${this.sources.map((s) => s.id).join(', ')}`)
    return source
  }

  address(layer: string, z: string, x: string, y: string): TileAddress {
    return parseTileAddress(this.source(layer), z, x, y)
  }

  cacheControl(layer: string): string {
    const source = this.source(layer)
    // A staff layer's tile depends on who asks: no shared cache may keep it.
    return `${source.access === 'staff' ? 'private, ' : ''}${source.live ? CACHE_CONTROL.live : CACHE_CONTROL.imported}`
  }

  /**
   * Reads the stored versions, then follows changes. Until it is called, the cache (if any) is
   * never invalidated: the hub calls it before serving.
   */
  async followChanges(feed: ChangeFeed): Promise<void> {
    await this.refreshVersions()
    if (feed.kind === 'listen') {
      this.listener = await listenForLayerChanges({
        pool: this.pool,
        log: this.log,
        onChange: (layer) => this.layersChanged([layer]),
        // Notifications sent while disconnected are lost: re-read what is stored, and drop the
        // live layers, whose changes are notified only.
        onConnected: async () => {
          this.layersChanged(LIVE_LAYERS)
          await this.refreshVersions()
        },
      })
    } else {
      this.poll = setInterval(() => {
        this.refreshVersions().catch((error) => this.log.debug('cannot read layer versions', { error: errorMessage(error) }))
      }, feed.pollMs)
      this.poll.unref()
    }
  }

  /** The layers changed: their cached tiles are never served again, and the watchers hear of it. */
  layersChanged(layers: readonly string[]): void {
    for (const layer of layers) this.generations.set(layer, (this.generations.get(layer) ?? 0) + 1)
    for (const watcher of this.watchers) watcher(layers)
  }

  /** Hears every layer change this service hears (the live stream follows new readings so); answers the unsubscription. */
  watchLayers(watcher: (layers: readonly string[]) => void): () => void {
    this.watchers.add(watcher)
    return () => this.watchers.delete(watcher)
  }

  /** New readings (or sensors) in this process: the live layers changed. */
  liveLayersChanged(): void {
    this.layersChanged(LIVE_LAYERS)
  }

  /** Re-reads `layer_version` (after an import in this process, or a reconnection). */
  async refreshVersions(): Promise<void> {
    for (const [layer, version] of await layerVersions(this.pool)) this.stored.set(layer, version)
  }

  cacheStats(): TileCacheStats {
    return this.cache.stats()
  }

  /** The cache's figures on /metrics. */
  registerMetrics(registry: Registry): void {
    const stats = () => this.cache.stats()
    const counter = (name: string, help: string, value: (s: TileCacheStats) => number) =>
      new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(value(stats())) } })
    const gauge = (name: string, help: string, value: (s: TileCacheStats) => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(value(stats())) } })
    counter('territoire_tile_cache_hits_total', 'Tiles served from the cache', (s) => s.hits)
    counter('territoire_tile_cache_misses_total', 'Tiles not in the cache (made, or shared with a request making them)', (s) => s.misses)
    counter('territoire_tile_cache_evictions_total', 'Tiles dropped to stay within TILE_CACHE_MB', (s) => s.evictions)
    gauge('territoire_tile_cache_bytes', 'Bytes the cached tiles weigh', (s) => s.bytes)
    gauge('territoire_tile_cache_entries', 'Tiles in the cache', (s) => s.entries)
  }

  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll)
    this.poll = null
    await this.listener?.close()
    this.listener = null
    this.cache.clear()
  }

  /**
   * A tile from the cache, or made once however many requests ask for it at the same time.
   * An explicit `encoder` (the tests' comparison of both) bypasses the cache.
   */
  async tile(layer: string, address: TileAddress, scope: Scope, encoder?: TileEncoder): Promise<Tile> {
    const source = this.source(layer)
    if (encoder !== undefined) return this.make(source, address, scope, encoder)
    // The version is read before the query: a change committed during it leaves the result under
    // the old key, never read again.
    const key = this.cacheKey(source.id, address.z, address.x, address.y, scope)
    const cached = this.cache.get(key)
    if (cached) return this.hit(key, cached)
    let making = this.pending.get(key)
    if (!making) {
      making = this.make(source, address, scope, this.encoder).finally(() => this.pending.delete(key))
      this.pending.set(key, making)
      const made = await making
      this.cache.set(key, made)
      return made
    }
    return making
  }

  /**
   * The cached tile, if any, without touching the database (the cached-tile path of
   * tile-routes.ts). A miss is not counted: the request goes on to `tile`, which counts it.
   */
  cached(layer: string, z: number, x: number, y: number, scope: Scope): Tile | undefined {
    const key = this.cacheKey(layer, z, x, y, scope)
    const cached = this.cache.get(key, Date.now(), false)
    return cached && this.hit(key, cached)
  }

  /** A cached tile asked for again: compress it for the next requests (in the thread pool), if worth it. */
  private hit(key: string, tile: CachedTile): CachedTile {
    if (tile.gzip === null && tile.body.length >= GZIP_FROM_BYTES && !this.compressing.has(key)) {
      this.compressing.add(key)
      gzipAsync(tile.body, { level: 1 })
        .then((gzip) => {
          if (this.cache.peek(key) === tile) this.cache.set(key, { ...tile, gzip }) // still the same entry
        })
        .catch((error: unknown) => this.log.warn('cannot compress a tile', { error: errorMessage(error) }))
        .finally(() => this.compressing.delete(key))
    }
    return tile
  }

  private cacheKey(layer: string, z: number, x: number, y: number, scope: Scope): string {
    return `${layer}/${z}/${x}/${y}/${scopeKey(scope)}@${this.version(layer)}`
  }

  async tileJson(layer: string, baseUrl: string, scope: Scope): Promise<TileJson> {
    const source = this.source(layer)
    const bounds = await this.bounds(source, scope)
    return {
      tilejson: '3.0.0',
      name: source.id,
      description: source.description,
      attribution: source.attribution,
      tiles: [`${baseUrl}/tiles/${source.id}/{z}/{x}/{y}.mvt`],
      minzoom: source.minzoom,
      maxzoom: source.maxzoom,
      ...(bounds ? { bounds } : {}),
      vector_layers: [
        {
          id: source.id,
          description: source.description,
          minzoom: source.minzoom,
          maxzoom: source.maxzoom,
          fields: Object.fromEntries(source.properties.map((p) => [p.name, p.type])),
        },
      ],
    }
  }

  private version(layer: string): string {
    return `${this.stored.get(layer) ?? 0}.${this.generations.get(layer) ?? 0}`
  }

  private async make(source: TileSource, address: TileAddress, scope: Scope, encoder: TileEncoder): Promise<CachedTile> {
    const { queries, values } = tileQuery(this.sql.get(source.id)!, source, address, scope)
    let body: Buffer
    let expires: Date | null
    if (encoder === 'postgis') {
      const { rows } = await this.pool.query<{ tile: Buffer | null; expires: Date | null }>(queries.mvt, values)
      body = rows[0]?.tile ?? Buffer.alloc(0)
      expires = rows[0]?.expires ?? null
    } else {
      const { rows } = await this.pool.query<TileFeatureRow & { expires: Date | null }>(queries.features, values)
      expires = rows[0]?.expires ?? null
      body = encodeMvt(source.id, rows.map(({ expires: _, ...row }) => numbersAsNumbers(source, row)))
    }
    const etag = strongEtag(body)
    return { body, etag, gzip: null, gzipEtag: `${etag.slice(0, -1)}-gz"`, expiresAt: expires ? expires.getTime() : null }
  }

  private async bounds(source: TileSource, scope: Scope): Promise<readonly [number, number, number, number] | null> {
    // Kept like tiles (a full scan of a large layer is not redone per TileJSON), when there is a cache.
    const key = `${source.id}/${scopeKey(scope)}@${this.version(source.id)}`
    if (this.cache.maxBytes > 0 && this.boundsCache.has(key)) return this.boundsCache.get(key)!
    const { rows } = await this.pool.query<{ bounds: [number, number, number, number] | null }>(this.sql.get(source.id)!.bounds, scopeValues(scope))
    const raw = rows[0]?.bounds
    const bounds = raw ? (raw.map((v) => Math.round(v * 1e6) / 1e6) as [number, number, number, number]) : null
    if (this.cache.maxBytes > 0) {
      if (this.boundsCache.size >= 1_000) this.boundsCache.clear()
      this.boundsCache.set(key, bounds)
    }
    return bounds
  }
}

/** pg answers bigint and numeric as text: a Number property is encoded as a number, as ST_AsMVT does. */
function numbersAsNumbers(source: TileSource, row: TileFeatureRow): TileFeatureRow {
  const out: Record<string, unknown> = { ...row }
  for (const p of source.properties) if (p.type === 'Number' && typeof out[p.name] === 'string') out[p.name] = Number(out[p.name])
  return out as TileFeatureRow
}

function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
}
