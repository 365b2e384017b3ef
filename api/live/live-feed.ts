/**
 * The live stream of an EPCI (GET /api/epci/{siren}/live, server-sent events): each sensor's new
 * latest value, and each alert raised, pushed to the open pages without reload.
 *
 * Changes are heard where the tile cache hears them (TileService.watchLayers: LISTEN on a real
 * server, in-process calls on the embedded engine), so a reading stored by any ingestion process
 * is seen at its commit. A change schedules one read (at most every DEBOUNCE_MS) per EPCI that has
 * open streams: each sensor's latest value (the newest hourly rollup: a probe of its key per
 * sensor, never raw readings), sent when it differs from the one known — by its time, not by a
 * clock: a reading measured before the page opened but stored after is still news. Alerts: those
 * with an id above the last one sent, after each refresh that raised some.
 */
import { sql, type Kysely } from 'kysely'
import { errorMessage, type Logger } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'

export const DEBOUNCE_MS = 150

export interface ReadingEvent {
  readonly sensor: string
  readonly device: string
  readonly building: string | null
  readonly quantity: string
  readonly unit: string
  readonly value: number
  readonly at: string
}

export interface AlertEvent {
  readonly id: number
  readonly building: string
  readonly kind: string
  readonly carrier: string | null
  readonly day: string
  readonly reason: string
}

export type LiveEvent = { readonly type: 'reading'; readonly data: ReadingEvent } | { readonly type: 'alert'; readonly data: AlertEvent }

interface Territory {
  readonly listeners: Set<(event: LiveEvent) => void>
  /** Each sensor's latest reading time known to the streams (ms), read when the first stream opened. */
  readonly known: Map<string, number>
}

export class LiveFeed {
  private readonly territories = new Map<string, Territory>()
  private timer: NodeJS.Timeout | null = null
  private reading: Promise<void> | null = null
  private again = false
  private lastAlert: number | null = null

  constructor(private readonly db: Kysely<Schema>, private readonly log: Logger) {}

  /**
   * Streams the EPCI's events to `send` until the answer is called; resolves once what is current
   * is known, so that everything stored afterwards is sent.
   */
  async subscribe(siren: string, send: (event: LiveEvent) => void): Promise<() => void> {
    let t = this.territories.get(siren)
    if (!t) {
      const known = new Map<string, number>()
      for (const r of await this.latest(siren)) known.set(r.sensor, r.at.getTime())
      t = this.territories.get(siren) // another stream may have opened meanwhile
      if (!t) this.territories.set(siren, (t = { listeners: new Set(), known }))
    }
    if (this.lastAlert === null) {
      const { rows } = await sql<{ id: string | null }>`SELECT max(id)::text AS id FROM alert`.execute(this.db)
      this.lastAlert = Math.max(this.lastAlert ?? 0, Number(rows[0]?.id ?? 0))
    }
    const territory = t
    territory.listeners.add(send)
    return () => {
      territory.listeners.delete(send)
      if (territory.listeners.size === 0 && this.territories.get(siren) === territory) this.territories.delete(siren)
    }
  }

  /** Streams open now. */
  get streams(): number {
    let n = 0
    for (const t of this.territories.values()) n += t.listeners.size
    return n
  }

  /** New readings somewhere (or alerts raised): read what changed, soon, once. */
  changed(): void {
    if (this.territories.size === 0 || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.reading) {
        this.again = true
        return
      }
      this.reading = this.read()
        .catch((error: unknown) => this.log.warn('live stream: cannot read the latest values', { error: errorMessage(error) }))
        .finally(() => {
          this.reading = null
          if (this.again) {
            this.again = false
            this.changed()
          }
        })
    }, DEBOUNCE_MS)
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.territories.clear()
  }

  /** Each sensor's latest reading, for the sensors of the EPCI (its device's commune, else its building's). */
  private async latest(siren: string) {
    const { rows } = await sql<{ sensor: string; device: string; building: string | null; quantity: string; unit: string; value: number; at: Date }>`
      SELECT s.id AS sensor, d.id AS device, d.building_id AS building, s.quantity, s.unit, h.last_value AS value, h.last_ts AS at
      FROM sensor s JOIN device d ON d.id = s.device_id LEFT JOIN building b ON b.id = d.building_id
      JOIN commune c ON c.insee = coalesce(d.commune_insee, b.commune_insee)
      CROSS JOIN LATERAL (SELECT last_ts, last_value FROM reading_hourly WHERE sid = s.sid ORDER BY hour DESC LIMIT 1) h
      WHERE c.epci_siren = ${siren}
      ORDER BY h.last_ts`.execute(this.db)
    return rows
  }

  private async read(): Promise<void> {
    for (const [siren, t] of this.territories) {
      for (const r of await this.latest(siren)) {
        const at = r.at.getTime()
        if (t.known.get(r.sensor) === at) continue
        t.known.set(r.sensor, at)
        this.emit(t, { type: 'reading', data: { sensor: r.sensor, device: r.device, building: r.building, quantity: r.quantity, unit: r.unit, value: r.value, at: r.at.toISOString() } })
      }
    }
    if (this.lastAlert === null) return
    const { rows: alerts } = await sql<{ id: string; building: string; epci: string | null; kind: string; carrier: string | null; day: string; reason: string }>`
      SELECT a.id::text, a.building_id AS building, c.epci_siren AS epci, a.kind, a.carrier, a.day::text AS day, a.reason
      FROM alert a JOIN building b ON b.id = a.building_id JOIN commune c ON c.insee = b.commune_insee
      WHERE a.id > ${this.lastAlert} ORDER BY a.id`.execute(this.db)
    for (const a of alerts) {
      this.lastAlert = Math.max(this.lastAlert, Number(a.id))
      const t = a.epci === null ? undefined : this.territories.get(a.epci)
      if (t) this.emit(t, { type: 'alert', data: { id: Number(a.id), building: a.building, kind: a.kind, carrier: a.carrier, day: a.day, reason: a.reason } })
    }
  }

  private emit(t: Territory, event: LiveEvent): void {
    for (const send of t.listeners) send(event)
  }
}
