/**
 * Runs the indicator refresh in the hub — energy (energy-refresher.ts), then indoor air
 * (air-refresher.ts), then alerts (alert-refresher.ts): at start over the current and previous
 * calendar years (catching up with whatever arrived while the hub was down; indoor air, counted
 * from raw CO₂ readings, from its last refreshed day), then every `intervalSeconds` over the last
 * REFRESH_DAYS days (readings later than that are taken at the next start). One at a time.
 */
import type { Kysely } from 'kysely'
import { errorMessage, type Logger } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { sql } from 'kysely'
import { refreshAir } from './air-refresher.ts'
import { refreshAlerts, refreshBaseLoadAlerts } from './alert-refresher.ts'
import { refreshEnergy, type EnergyRefresh } from './energy-refresher.ts'

export interface RefreshReport extends EnergyRefresh {
  /** Sensor-days of air_daily rewritten. */
  readonly airSensorDays: number
  readonly alertsRaised: number
}

/** Days recomputed by each periodic refresh: today, yesterday and the day before. */
export const REFRESH_DAYS = 3
const DAY_MS = 86_400_000

export interface RefresherStatus {
  readonly running: boolean
  /** The last refresh that completed: its first day, when it ended, how long it took and what it wrote. */
  readonly last: (RefreshReport & { readonly from: string; readonly at: string; readonly ms: number }) | null
  readonly lastError: string | null
}

export interface IndicatorRefresher {
  /** Refreshes from `from` (a local day; default: the last REFRESH_DAYS days) once any running refresh is done. */
  refresh(from?: string): Promise<RefreshReport>
  /** For /health: operators (and the benchmark) see whether the start-up refresh is done. */
  status(): RefresherStatus
  stop(): Promise<void>
}

export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

export function startIndicatorRefresher(options: { db: Kysely<Schema>; timeZone: string; intervalSeconds: number; log: Logger; onRefreshed?: (report: RefreshReport) => void }): IndicatorRefresher {
  const { db, timeZone, log } = options
  let running: Promise<unknown> = Promise.resolve()
  let stopped = false
  let pending = 0
  let last: RefresherStatus['last'] = null
  let lastError: string | null = null
  let baseLoadChecked = ''
  const refresh = (from = localDay(new Date(Date.now() - (REFRESH_DAYS - 1) * DAY_MS), timeZone)) => {
    pending++
    const next = running.then(async () => {
      const started = Date.now()
      try {
        const energy = await refreshEnergy(db, from, timeZone)
        const { rows } = await sql<{ day: string | null }>`SELECT (max(day) - 2)::text AS day FROM air_daily`.execute(db)
        const airFrom = rows[0]?.day && rows[0].day > from ? rows[0].day : from
        const air = await refreshAir(db, airFrom, timeZone)
        const alerts = await refreshAlerts(db, localDay(new Date(), timeZone))
        // The base load over four weeks moves slowly: checked once a day.
        const yesterday = localDay(new Date(Date.now() - DAY_MS), timeZone)
        let baseLoadRaised = 0
        if (baseLoadChecked !== yesterday) {
          baseLoadRaised = (await refreshBaseLoadAlerts(db, yesterday, timeZone)).raised
          baseLoadChecked = yesterday
        }
        const result: RefreshReport = { ...energy, airSensorDays: air.sensorDays, alertsRaised: alerts.raised + baseLoadRaised }
        last = { from, at: new Date().toISOString(), ms: Date.now() - started, ...result }
        options.onRefreshed?.(result)
        lastError = null
        log.debug('indicators refreshed', { ...last })
        return result
      } catch (error) {
        lastError = errorMessage(error)
        throw error
      } finally {
        pending--
      }
    })
    running = next.catch(() => undefined)
    return next
  }
  const guarded = (from?: string) => {
    if (stopped) return
    refresh(from).catch((error: unknown) => log.warn('indicator refresh failed; next attempt at the next interval', { error: errorMessage(error) }))
  }
  const thisYear = Number(localDay(new Date(), timeZone).slice(0, 4))
  guarded(`${thisYear - 1}-01-01`)
  const timer = options.intervalSeconds > 0 ? setInterval(() => guarded(), options.intervalSeconds * 1000) : null
  timer?.unref()
  return {
    refresh,
    status: () => ({ running: pending > 0, last, lastError }),
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      await running
    },
  }
}
