/**
 * A TCP relay between an MQTT client and the run's broker that reads the packets going through
 * (with mqtt-packet, the parser MQTT.js itself uses): what the broker delivered and what the
 * client acknowledged, in wire order. Both ends are real; the relay only watches.
 */
import net from 'node:net'
import mqttPacket from 'mqtt-packet'

export interface MqttRelay {
  readonly url: string
  /** Message ids of the QoS 1 PUBLISH packets the broker sent, in order. */
  readonly delivered: number[]
  /** Message ids of the PUBACK packets the client sent, in order. */
  readonly acknowledged: number[]
  close(): Promise<void>
}

export async function mqttRelay(brokerUrl: string): Promise<MqttRelay> {
  const broker = new URL(brokerUrl)
  const delivered: number[] = []
  const acknowledged: number[] = []
  const sockets = new Set<net.Socket>()
  const watch = (socket: net.Socket, onPacket: (packet: mqttPacket.Packet) => void) => {
    // Protocol 5 packets parse with a version-5 parser; the pipeline speaks 4 unless it shares a subscription.
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    parser.on('packet', onPacket)
    socket.on('data', (chunk: Buffer) => parser.parse(chunk))
  }
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(broker.port), broker.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
    watch(upstream, (packet) => {
      if (packet.cmd === 'publish' && packet.qos === 1) delivered.push(packet.messageId!)
    })
    watch(client, (packet) => {
      if (packet.cmd === 'puback') acknowledged.push(packet.messageId!)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `mqtt://127.0.0.1:${port}`,
    delivered,
    acknowledged,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
