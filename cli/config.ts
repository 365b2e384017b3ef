/**
 * The hub's configuration: read from the environment once, at the edge, into a typed and frozen
 * object. Every invalid value is reported (one line each) before anything starts; nothing deeper
 * in the code reads `process.env`. The README's configuration table documents each variable.
 */
import path from 'node:path'
import { LOG_LEVELS, type LogLevel } from '../core/index.ts'

export interface HubConfig {
  readonly http: { readonly host: string; readonly port: number }
  /** `null`: start the embedded PostgreSQL (PGlite + PostGIS) in `dataDir`. */
  readonly databaseUrl: string | null
  /** `null`: start the embedded MQTT broker (Aedes) on `embeddedBroker`. */
  readonly mqttUrl: string | null
  readonly embeddedBroker: { readonly host: string; readonly port: number }
  readonly dataDir: string
  readonly demo: boolean
  readonly simulator: { readonly enabled: boolean; readonly intervalSeconds: number }
  readonly ingestion: {
    readonly topics: readonly string[]
    readonly clientId: string
    readonly batchSize: number
    readonly batchWaitMs: number
  }
  readonly connectTimeoutSeconds: number
  readonly timeZone: string
  readonly logLevel: LogLevel
}

/** One problem per invalid variable, each a complete sentence on one line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '))
    this.name = 'ConfigError'
  }
}

export type Environment = Readonly<Record<string, string | undefined>>

/** Every variable the hub reads, with its default and meaning (used by `--help` and the README). */
export const VARIABLES: ReadonlyArray<{ name: string; fallback: string; meaning: string }> = [
  { name: 'PORT', fallback: '3000', meaning: 'HTTP port of the API and web app' },
  { name: 'HOST', fallback: '127.0.0.1', meaning: 'HTTP bind address (0.0.0.0 to listen on every interface)' },
  { name: 'DATABASE_URL', fallback: '(embedded)', meaning: 'postgres:// URL of PostgreSQL ≥ 15 with PostGIS ≥ 3.3; unset: embedded PGlite in HUB_DATA_DIR' },
  { name: 'MQTT_URL', fallback: '(embedded)', meaning: 'mqtt:// URL of the broker (Mosquitto 2); unset: embedded Aedes broker' },
  { name: 'MQTT_PORT', fallback: '1883', meaning: 'port of the embedded broker (ignored when MQTT_URL is set)' },
  { name: 'MQTT_HOST', fallback: '127.0.0.1', meaning: 'bind address of the embedded broker' },
  { name: 'HUB_DATA_DIR', fallback: './data/local', meaning: 'directory of the embedded database' },
  { name: 'HUB_DEMO', fallback: 'on', meaning: 'load the demo territory (Somme) and its synthetic buildings into an empty database' },
  { name: 'SIMULATOR', fallback: 'same as HUB_DEMO', meaning: 'publish simulated readings for the demo devices' },
  { name: 'SIMULATOR_INTERVAL_S', fallback: '60', meaning: 'seconds between two readings of one simulated device' },
  { name: 'MQTT_TOPICS', fallback: 'territoire/senml/#', meaning: 'comma-separated topic filters the ingestion subscribes to (QoS 1)' },
  { name: 'MQTT_CLIENT_ID', fallback: 'territoire-ingestion', meaning: 'client id of the ingestion (persistent session: the broker queues while it is away)' },
  { name: 'INGEST_BATCH_SIZE', fallback: '500', meaning: 'maximum messages written in one transaction' },
  { name: 'INGEST_BATCH_WAIT_MS', fallback: '50', meaning: 'longest wait to fill a batch before writing it' },
  { name: 'CONNECT_TIMEOUT_S', fallback: '15', meaning: 'how long start-up retries the database and the broker before giving up' },
  { name: 'HUB_TIMEZONE', fallback: 'Europe/Paris', meaning: 'time zone of daily rollups (a local day)' },
  { name: 'LOG_LEVEL', fallback: 'info', meaning: 'debug, info, warn, error or silent' },
]

/** Variables with our prefixes that we do not know: most likely a typo worth a warning. */
export function unknownVariables(env: Environment): string[] {
  const known = new Set(VARIABLES.map((v) => v.name))
  return Object.keys(env).filter((name) => /^(HUB|SIMULATOR|INGEST)_/.test(name) && !known.has(name))
}

export function parseConfig(env: Environment, cwd = process.cwd()): HubConfig {
  const problems: string[] = []
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name)
    if (raw === undefined) return fallback
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`)
      return fallback
    }
    return Number(raw)
  }

  const flag = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase()
    if (raw === undefined) return fallback
    if (['on', 'true', '1', 'yes'].includes(raw)) return true
    if (['off', 'false', '0', 'no'].includes(raw)) return false
    problems.push(`${name} must be on or off (got "${env[name]}")`)
    return fallback
  }

  const url = (name: string, protocols: readonly string[]): string | null => {
    const raw = read(name)
    if (raw === undefined) return null
    let parsed: URL
    try {
      parsed = new URL(raw)
    } catch {
      problems.push(`${name} is not a valid URL (expected ${protocols[0]}//host:port/…)`)
      return null
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')} (got ${parsed.protocol}//)`)
      return null
    }
    if (!parsed.hostname && !parsed.searchParams.has('host')) {
      problems.push(`${name} has no host (got ${redactUrl(raw)})`)
      return null
    }
    return raw
  }

  const port = integer('PORT', 3000, 1, 65535)
  const host = read('HOST') ?? '127.0.0.1'
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'])
  const mqttUrl = url('MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:'])
  const mqttPort = integer('MQTT_PORT', 1883, 1, 65535)
  const mqttHost = read('MQTT_HOST') ?? '127.0.0.1'
  const dataDir = path.resolve(cwd, read('HUB_DATA_DIR') ?? './data/local')
  const demo = flag('HUB_DEMO', true)
  const simulatorEnabled = flag('SIMULATOR', demo)
  const intervalSeconds = integer('SIMULATOR_INTERVAL_S', 60, 1, 86_400)

  const topics = (read('MQTT_TOPICS') ?? 'territoire/senml/#').split(',').map((t) => t.trim()).filter(Boolean)
  for (const topic of topics) {
    if (!isValidTopicFilter(topic)) problems.push(`MQTT_TOPICS has an invalid topic filter "${topic}" (# only last, + a whole level)`)
  }
  if (topics.length === 0) problems.push('MQTT_TOPICS must list at least one topic filter')

  const clientId = read('MQTT_CLIENT_ID') ?? 'territoire-ingestion'
  const batchSize = integer('INGEST_BATCH_SIZE', 500, 1, 50_000)
  const batchWaitMs = integer('INGEST_BATCH_WAIT_MS', 50, 0, 10_000)
  const connectTimeoutSeconds = integer('CONNECT_TIMEOUT_S', 15, 1, 600)

  const timeZone = read('HUB_TIMEZONE') ?? 'Europe/Paris'
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone })
  } catch {
    problems.push(`HUB_TIMEZONE is not a known IANA time zone (got "${timeZone}")`)
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`)

  if (problems.length > 0) throw new ConfigError(problems)

  return deepFreeze({
    http: { host, port },
    databaseUrl,
    mqttUrl,
    embeddedBroker: { host: mqttHost, port: mqttPort },
    dataDir,
    demo,
    simulator: { enabled: simulatorEnabled, intervalSeconds },
    ingestion: { topics, clientId, batchSize, batchWaitMs },
    connectTimeoutSeconds,
    timeZone,
    logLevel,
  })
}

/** A topic filter per MQTT 3.1.1 §4.7: `#` alone and last, `+` a whole level. */
function isValidTopicFilter(filter: string): boolean {
  const levels = filter.split('/')
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1
    if (level.includes('+')) return level === '+'
    return true
  })
}

/** A connection string fit for a log line: the password replaced by `***`. */
export function redactUrl(raw: string): string {
  try {
    const parsed = new URL(raw)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object)
  }
  return Object.freeze(value)
}
