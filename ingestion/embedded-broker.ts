/**
 * The embedded MQTT broker (Aedes) used when MQTT_URL is not set. Like sql/embedded-postgres.ts,
 * it is the only code that knows this broker exists: everything else connects with MQTT.js to
 * the URL it returns.
 */
import net from 'node:net'
import { Aedes } from 'aedes'
import { StartupError, errorMessage, type Logger } from '../core/index.ts'

export interface EmbeddedBroker {
  /** mqtt:// URL of the listener (the actual port when 0 was asked). */
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

export async function startEmbeddedBroker(options: { host: string; port: number; log: Logger }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({
    // LoRaWAN network servers and our own client ids exceed MQTT 3.1's 23 characters.
    maxClientsIdLength: 128,
    // Deliver to a slow subscriber without stalling the others forever.
    drainTimeout: 30_000,
    concurrency: 1_000,
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
  options.log.info('embedded MQTT broker listening', { address: `${options.host}:${port}` })
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
