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

export function simulatedValue(building: SimulatedBuilding, channel: SimulatedChannel, atSeconds: number, timeZone = 'Europe/Paris'): number {
  const local = localTime(atSeconds, timeZone)
  const occupied = isOccupied(building.usage, local.weekday, local.hour)
  const noise = jitter(`${building.deviceId}/${channel.channel}`, Math.floor(atSeconds / 60))
  switch (channel.quantity) {
    case 'temperature': {
      const setpoint = occupied ? 20.2 : 16.8
      const outdoorSwing = 0.8 * Math.sin(((local.hour - 9) / 24) * 2 * Math.PI)
      return round(setpoint + outdoorSwing + 0.3 * noise, 1)
    }
    case 'co2': {
      if (!occupied) return Math.round(430 + 25 * noise)
      // Poorly ventilated rooms exist: the peak depends on the building, stable over time.
      const peak = 900 + 900 * unit(`${building.deviceId}/ventilation`)
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
 * kWh since the index origin of a load averaging P and swinging ±50 % over the day:
 * ∫ P(1 + ½ sin(2πt/D)) dt — strictly increasing, so a real counter's properties hold.
 */
function energyIndex(building: SimulatedBuilding, atSeconds: number): number {
  const meanKw = (building.floorAreaM2 * (LOAD_W_PER_M2[building.usage] ?? 9)) / 1000
  const t = atSeconds - INDEX_EPOCH
  const swing = (0.5 * DAY_SECONDS) / (2 * Math.PI) * (1 - Math.cos((2 * Math.PI * t) / DAY_SECONDS))
  const start = 5_000 + 60_000 * unit(`${building.deviceId}/index`)
  return start + (meanKw * (t + swing)) / 3600
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

/** Weekday (0 = Sunday) and fractional hour in a time zone. */
function localTime(atSeconds: number, timeZone: string): { weekday: number; hour: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
    .formatToParts(new Date(atSeconds * 1000))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0'
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'))
  return { weekday, hour: Number(get('hour')) + Number(get('minute')) / 60 }
}

/** A stable number in [0, 1) for a key. */
function unit(key: string): number {
  let h = 2166136261
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
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
