/**
 * An MQTT.js client connected at start-up with a bounded wait: an unreachable broker stops the
 * hub with one clear line instead of retrying silently forever. Once connected, MQTT.js
 * reconnects by itself and the health check reports the broker's state.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'

export interface MqttConnectOptions {
  readonly clientId: string
  readonly log: Logger
  readonly timeoutSeconds: number
  /** false: a persistent session, the broker keeps our subscriptions and queues QoS 1 while we are away. */
  readonly clean?: boolean
  /** Called with the client before it connects: a persistent session may deliver at once. */
  readonly prepare?: (client: MqttClient) => void
  /**
   * 5 for MQTT 5 (shared subscriptions; Mosquitto 2), else MQTT 3.1.1, which both Mosquitto and
   * the embedded Aedes speak.
   */
  readonly protocolVersion?: 4 | 5
}

/** How long the broker keeps an MQTT 5 persistent session while we are away (MQTT 3.1.1 sessions do not expire). */
const SESSION_EXPIRY_SECONDS = 30 * 86_400

export async function connectMqtt(url: string, options: MqttConnectOptions): Promise<MqttClient> {
  const v5 = options.protocolVersion === 5
  const persistent = options.clean === false
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: options.clean ?? true,
    protocolVersion: options.protocolVersion ?? 4,
    // MQTT 5 ends a session at disconnection unless told otherwise: keep it, so nothing queued is lost.
    ...(v5 ? { properties: { sessionExpiryInterval: persistent ? SESSION_EXPIRY_SECONDS : 0, receiveMaximum: 65_535 } } : {}),
    reconnectPeriod: 1_000,
    connectTimeout: 5_000,
    keepalive: 30,
    queueQoSZero: false,
    // MQTT.js traces every packet through `debug`; even disabled, it showed in the ingestion's profile.
    log: () => {},
  }
  const target = describeBroker(url)
  const client = mqtt.connect(url, { ...clientOptions, manualConnect: true })
  options.prepare?.(client)
  client.connect()
  let lastError = 'no answer'
  const onError = (error: Error) => {
    lastError = errorMessage(error)
  }
  client.on('error', onError)
  const connected = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), options.timeoutSeconds * 1000)
    client.once('connect', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
  if (!connected) {
    client.end(true)
    throw new StartupError(`cannot connect to the MQTT broker at ${target} after ${options.timeoutSeconds} s: ${lastError}`)
  }
  client.off('error', onError)
  client.on('error', (error) => options.log.warn('MQTT error', { broker: target, error: errorMessage(error) }))
  client.on('offline', () => options.log.warn('MQTT broker unreachable, reconnecting', { broker: target }))
  client.on('reconnect', () => options.log.debug('MQTT reconnecting', { broker: target }))
  return client
}

/** host:port of a broker URL, without credentials. */
export function describeBroker(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'mqtts:' ? 8883 : 1883)}`
  } catch {
    return '(unparsable URL)'
  }
}
