/**
 * Published layers change in two ways: an import (epci, communes, parcels, cadastral-buildings,
 * buildings) or a new reading (the live layers: sensors, and buildings' latest values). Both
 * notify on one channel, in the transaction that makes the change, so that a cache in any process
 * (the API of `territoire start`, beside separate `territoire ingest` workers) hears it at commit.
 * Imports also bump the stored version, which survives restarts and serves as a cache key.
 */
import { sql, type Kysely } from 'kysely'
import type pg from 'pg'
import type { Schema } from './schema.ts'

export const LAYER_CHANNEL = 'territoire_layers'

/** Layers whose content follows the readings. */
export const LIVE_LAYERS = ['sensors', 'buildings'] as const

/** Bumps the layers' stored versions and notifies, inside the caller's transaction. */
export async function markLayersChanged(db: Kysely<Schema>, layers: readonly string[]): Promise<void> {
  if (layers.length === 0) return
  await sql`
    INSERT INTO layer_version (layer) SELECT unnest(${layers}::text[])
    ON CONFLICT (layer) DO UPDATE SET version = layer_version.version + 1, changed_at = now()`.execute(db)
  await sql`SELECT pg_notify(${LAYER_CHANNEL}, layer) FROM unnest(${layers}::text[]) AS layer`.execute(db)
}

/** The stored versions, by layer (through a pool: the tile service reads them on its own sessions). */
export async function layerVersions(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ layer: string; version: string }>('SELECT layer, version FROM layer_version')
  return new Map(rows.map((r) => [r.layer, Number(r.version)]))
}
