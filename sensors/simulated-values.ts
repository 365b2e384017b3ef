/**
 * The values a simulated building's sensors read at a given time: deterministic functions of
 * the time, the building's use and its size, so that restarts never break a series (the energy
 * index keeps growing across restarts) and tests can predict them. Occupancy follows French
 * habits (school days without Wednesday afternoon, town-hall opening hours), in local time.
 */
export interface SimulatedChannel {
  readonly channel: string
  readonly quantity: string
  readonly unit: string
}

export interface SimulatedBuilding {
  readonly deviceId: string
  readonly usage: string
  readonly floorAreaM2: number
}

const DAY_SECONDS = 86_400
/** Origin of the simulated energy index. */
const INDEX_EPOCH = Date.UTC(2020, 0, 1) / 1000

/** Mean electrical load per m² by use (W/m²): order of magnitude of French public buildings. */
const LOAD_W_PER_M2: Record<string, number> = { mairie: 9, ecole: 8, gymnase: 11, mediatheque: 10 }
/** The demo's outdoor weather station is a device of no building: its `usage`. */
export const OUTDOOR_USAGE = 'exterieur'
/** A device's building as the simulator sees it, from the database's row: no building is the outdoor station. */
export function simulatedBuilding(deviceId: string, usage: string | null, floorAreaM2: number | null): SimulatedBuilding {
  return { deviceId, usage: usage ?? OUTDOOR_USAGE, floorAreaM2: floorAreaM2 ?? 500 }
}
/** Base of the heating degree-days (Météo-France's, as api/indicators/degree-days.ts). */
const DJU_BASE = 18

export function simulatedValue(building: SimulatedBuilding, channel: SimulatedChannel, atSeconds: number, timeZone = 'Europe/Paris'): number {
  const local = localTime(atSeconds, timeZone)
  const occupied = isOccupied(building.usage, local.weekday, local.hour)
  const noise = jitter(`${building.deviceId}/${channel.channel}`, Math.floor(atSeconds / 60))
  if (building.usage === OUTDOOR_USAGE) {
    if (channel.quantity !== 'temperature') throw new Error(`no simulation for outdoor quantity ${channel.quantity}`)
    return round(outdoorTemperature(atSeconds) + 0.2 * noise, 1)
  }
  switch (channel.quantity) {
    case 'temperature': {
      const setpoint = occupied ? 20.2 : 16.8
      const outdoorSwing = 0.8 * Math.sin(((local.hour - 9) / 24) * 2 * Math.PI)
      return round(setpoint + outdoorSwing + 0.3 * noise, 1)
    }
    case 'co2': {
      if (!occupied) return Math.round(430 + 25 * noise)
      // Poorly ventilated rooms exist: the peak depends on the building, stable over time —
      // under 1,000 ppm in most, up to 1,800 in a few.
      const peak = 750 + 1050 * unit(`${building.deviceId}/ventilation`) ** 2
      const minutesIn = minutesSinceOpening(building.usage, local.hour)
      return Math.round(430 + (peak - 430) * (1 - Math.exp(-minutesIn / 45)) + 40 * noise)
    }
    case 'humidity': {
      // Heated air is dry: relative humidity dips while the heating runs, rises with occupants.
      const base = occupied ? 42 : 48
      return round(base + 4 * Math.sin(((local.hour - 15) / 24) * 2 * Math.PI) + 1.5 * noise, 1)
    }
    case 'energy_index':
      return round(energyIndex(building, atSeconds), 3)
    default:
      throw new Error(`no simulation for quantity ${channel.quantity}`)
  }
}

/**
 * kWh since the index origin: a load averaging P and swinging ±50 % over the day,
 * ∫ P(1 + ½ sin(2πt/D)) dt, plus — in an electrically heated building — its heating, the
 * building's kWh per degree-day times the synthetic climate's degree-days, spread evenly over
 * each (UTC) day. Strictly increasing, so a real counter's properties hold.
 */
function energyIndex(building: SimulatedBuilding, atSeconds: number): number {
  const t = atSeconds - INDEX_EPOCH
  const swing = (0.5 * DAY_SECONDS) / (2 * Math.PI) * (1 - Math.cos((2 * Math.PI * t) / DAY_SECONDS))
  const start = 5_000 + 60_000 * unit(`${building.deviceId}/index`)
  return start + (meanLoadKw(building) * (t + swing)) / 3600 + heatingKwhPerDju(building) * degreeDaysSinceEpoch(atSeconds)
}

/** The mean electrical load (kW) besides heating. */
export function meanLoadKw(building: SimulatedBuilding): number {
  return (building.floorAreaM2 * (LOAD_W_PER_M2[building.usage] ?? 9)) / 1000
}

/**
 * kWh of electric heating per degree-day: six buildings in ten heat with electricity (a stable
 * draw per meter), 0.02 to 0.12 kWh per m² and DJU — from a well-insulated building to a sieve,
 * which spreads the demo over the energy-label classes.
 */
export function heatingKwhPerDju(building: SimulatedBuilding): number {
  if (unit(`${building.deviceId}/heating`) >= 0.6) return 0
  return building.floorAreaM2 * (0.02 + 0.1 * unit(`${building.deviceId}/insulation`))
}

/**
 * The demo's synthetic climate, Amiens-like (a normal year's mean from 4 °C in mid-January to
 * 18 °C in mid-July) with weather: a day's mean strays from normal by a smoothed random amount of
 * a few degrees, the same for every device and every run. `day`: days since 1970-01-01 (UTC).
 */
export function outdoorDailyMean(day: number): number {
  let anomaly = 0
  for (const [lag, weight] of [[0, 2.2], [1, 1.6], [2, 1.1], [3, 0.7]] as const) anomaly += weight * jitter('climate', day - lag)
  return normalDailyMean(day) + anomaly
}

/** The synthetic climate's normal (no weather) mean temperature of a day. */
export function normalDailyMean(day: number): number {
  const dayOfYear = day - Math.floor(day / 365.25) * 365.25
  return 11 - 7 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365.25)
}

/** Outdoor temperature at a time: the day means joined smoothly, coldest about 04:00, warmest about 16:00 UTC. */
export function outdoorTemperature(atSeconds: number): number {
  const dayFloat = atSeconds / DAY_SECONDS - 0.5 // 0 at a day's noon
  const day = Math.floor(dayFloat)
  const f = dayFloat - day
  const mean = outdoorDailyMean(day) * (1 - f) + outdoorDailyMean(day + 1) * f
  const halfRange = 3 + 2 * unit(`climate-range#${day}`) * (1 - f) + 2 * unit(`climate-range#${day + 1}`) * f
  const hour = (atSeconds % DAY_SECONDS) / 3600
  return mean + halfRange * Math.sin((2 * Math.PI * (hour - 10)) / 24)
}

/** The synthetic climate's degree-days of a day (base 18 °C). */
export function syntheticDegreeDays(day: number): number {
  return Math.max(0, DJU_BASE - outdoorDailyMean(day))
}

/** A normal year's degree-days of the synthetic climate: the demo station's reference DJU. */
export function normalYearDegreeDays(): number {
  let total = 0
  for (let d = 0; d < 365; d++) total += Math.max(0, DJU_BASE - normalDailyMean(d))
  return Math.round(total)
}

/** Cumulative degree-days from the index origin, per day: computed once, extended as time goes. */
const cumulativeDju: number[] = [0]
const EPOCH_DAY = INDEX_EPOCH / DAY_SECONDS

/** Degree-days since the index origin at a time, the current day's counted pro rata. */
function degreeDaysSinceEpoch(atSeconds: number): number {
  const elapsed = Math.max(0, atSeconds / DAY_SECONDS - EPOCH_DAY)
  const whole = Math.floor(elapsed)
  while (cumulativeDju.length <= whole) {
    const d = cumulativeDju.length - 1
    cumulativeDju.push(cumulativeDju[d]! + syntheticDegreeDays(EPOCH_DAY + d))
  }
  return cumulativeDju[whole]! + syntheticDegreeDays(EPOCH_DAY + whole) * (elapsed - whole)
}

export function isOccupied(usage: string, weekday: number, hour: number): boolean {
  const weekdayOpen = weekday >= 1 && weekday <= 5
  switch (usage) {
    case 'ecole':
      return weekdayOpen && (weekday === 3 ? hour >= 8.5 && hour < 12 : hour >= 8.5 && hour < 16.5)
    case 'mairie':
      return (weekdayOpen && hour >= 9 && hour < 17) || (weekday === 6 && hour >= 9 && hour < 12)
    case 'gymnase':
      return (weekdayOpen && hour >= 17 && hour < 22) || ((weekday === 6 || weekday === 0) && hour >= 9 && hour < 18)
    case 'mediatheque':
      return weekday >= 2 && weekday <= 6 && hour >= 10 && hour < 18
    default:
      return weekdayOpen && hour >= 8 && hour < 18
  }
}

function minutesSinceOpening(usage: string, hour: number): number {
  const opening = { ecole: 8.5, mairie: 9, gymnase: hour >= 17 ? 17 : 9, mediatheque: 10 }[usage] ?? 8
  return Math.max(0, (hour - opening) * 60)
}

/** One formatter per time zone: making one costs more than formatting (the demo's history makes a million readings). */
const LOCAL_FORMATS = new Map<string, Intl.DateTimeFormat>()

/** Weekday (0 = Sunday) and fractional hour in a time zone. */
function localTime(atSeconds: number, timeZone: string): { weekday: number; hour: number } {
  let format = LOCAL_FORMATS.get(timeZone)
  if (!format) LOCAL_FORMATS.set(timeZone, (format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })))
  const parts = format.formatToParts(new Date(atSeconds * 1000))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0'
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'))
  return { weekday, hour: Number(get('hour')) + Number(get('minute')) / 60 }
}

/** A stable number in [0, 1) for a key: FNV-1a, then MurmurHash3's finaliser (keys differing in their last character, days in a row, must not give neighbouring numbers). */
function unit(key: string): number {
  let h = 2166136261
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 4294967296
}

/** A stable number in [-1, 1) for a key and a time bucket. */
function jitter(key: string, bucket: number): number {
  return unit(`${key}#${bucket}`) * 2 - 1
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}
