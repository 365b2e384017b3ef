/**
 * The embedded MQTT broker (Aedes) used when MQTT_URL is not set. Like sql/embedded-postgres.ts,
 * it is the only code that knows this broker exists: everything else connects with MQTT.js to
 * the URL it returns.
 *
 * With `access` (MQTT_ALLOW_ANONYMOUS off, the default), clients must authenticate and are
 * authorised through Aedes' hooks (mqtt-access.ts): a wrong or revoked credential is refused with
 * CONNACK 4 ("bad username or password"), a publish outside the client's topics closes its
 * connection, undelivered, and each refusal is logged with the username and the client's address —
 * never the password. Without it, anyone may connect (development, the test suite's shared broker).
 */
import net from 'node:net'
import { Aedes, type AuthenticateError, type Client, type Subscription } from 'aedes'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'
import type { MqttAccess, MqttGrant } from './mqtt-access.ts'

export interface EmbeddedBroker {
  /** mqtt:// URL of the listener (the actual port when 0 was asked). */
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

export async function startEmbeddedBroker(options: { host: string; port: number; log: Logger; access?: MqttAccess | null }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({
    // LoRaWAN network servers and our own client ids exceed MQTT 3.1's 23 characters.
    maxClientsIdLength: 128,
    // Deliver to a slow subscriber without stalling the others forever.
    drainTimeout: 30_000,
    concurrency: 1_000,
    ...(options.access ? accessHooks(options.access, options.log) : {}),
  })
  broker.on('clientError', (client, error) => options.log.debug('client error', { client: client.id, error: errorMessage(error) }))
  const server = net.createServer(broker.handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`MQTT_PORT ${options.port} is already in use on ${options.host}: stop what uses it, or set MQTT_PORT (or MQTT_URL for an external broker)`)
          : new StartupError(`cannot start the embedded MQTT broker on ${options.host}:${options.port}: ${errorMessage(error)}`),
      )
    })
    server.listen(options.port, options.host, resolve)
  }).catch(async (error) => {
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    throw error
  })
  const port = (server.address() as net.AddressInfo).port
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host
  options.log.info('embedded MQTT broker listening', { address: `${options.host}:${port}`, authentication: options.access ? 'per-device credentials' : 'off (MQTT_ALLOW_ANONYMOUS)' })
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Aedes' authenticate, authorizePublish and authorizeSubscribe hooks over the credentials. */
function accessHooks(access: MqttAccess, log: Logger) {
  const grants = new WeakMap<Client, MqttGrant>()
  const address = (client: Client | null) => (client?.conn as net.Socket | undefined)?.remoteAddress ?? 'unknown'
  return {
    authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void) {
      access.authenticate(username, password).then(
        (grant) => {
          if (grant !== null) {
            grants.set(client, grant)
            return done(null, true)
          }
          log.warn('MQTT connection refused: bad username or password', { username: username ?? '(none)', client: client.id, address: address(client) })
          done(Object.assign(new Error('bad username or password'), { returnCode: 4 as AuthenticateError['returnCode'] }), false)
        },
        (error: unknown) => {
          log.error('MQTT credentials could not be checked: connection refused', { username: username ?? '(none)', error: errorMessage(error) })
          done(Object.assign(new Error('server unavailable'), { returnCode: 3 as AuthenticateError['returnCode'] }), false)
        },
      )
    },
    authorizePublish(client: Client | null, packet: { topic: string }, done: (error?: Error | null) => void) {
      const grant = client === null ? undefined : grants.get(client)
      if (packet.topic.startsWith('$SYS/')) return done(new Error('$SYS/ topics are reserved'))
      if (grant === undefined) return done(new Error('not authorised'))
      access.mayPublish(grant, packet.topic).then(
        (verdict) => {
          if (verdict === 'ok') return done(null)
          log.warn(verdict === 'revoked' ? 'MQTT publish refused: credential revoked or rotated, connection closed' : 'MQTT publish refused: topic not allowed for this credential, connection closed',
            { username: grant.username, client: client!.id, address: address(client), topic: packet.topic })
          done(new Error('not authorised'))
        },
        (error: unknown) => {
          log.error('MQTT publish refused: credentials could not be checked', { username: grant.username, error: errorMessage(error) })
          done(new Error('server unavailable'))
        },
      )
    },
    authorizeSubscribe(client: Client, subscription: Subscription, done: (error: Error | null, subscription?: Subscription | null) => void) {
      const grant = grants.get(client)
      if (grant !== undefined && access.maySubscribe(grant)) return done(null, subscription)
      log.warn('MQTT subscription refused: devices and integrations may only publish', { username: grant?.username ?? '(none)', client: client.id, address: address(client), topic: subscription.topic })
      // A refused filter, not a closed connection: SUBACK 0x80 for it, as Mosquitto answers.
      done(null, null)
    },
  }
}
