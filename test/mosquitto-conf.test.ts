/**
 * The shipped mosquitto.conf, run by a real Mosquitto of our own (another port, its own data
 * directory): QoS 1 messages for an absent persistent subscriber are queued past Mosquitto's
 * default limit of 1,000 and survive a broker restart.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import mqtt from 'mqtt'
import { HAS_MOSQUITTO, ownMosquitto, type OwnMosquitto } from './own-servers.ts'

// Needs the mosquitto binary (Debian package `mosquitto`, installed by .ci/run).
describe.skipIf(!HAS_MOSQUITTO)('shipped mosquitto.conf (needs the mosquitto binary)', () => {
  let broker: OwnMosquitto

  beforeAll(async () => {
    broker = await ownMosquitto()
  })
  afterAll(() => broker?.remove())

  it('keeps 1,500 QoS 1 messages for an absent persistent subscriber across a broker restart', { timeout: 60_000 }, async () => {
    const options = { clientId: 'territoire-ingestion-test', clean: false, protocolVersion: 4 as const }
    const subscriber = await mqtt.connectAsync(broker.url, options)
    await subscriber.subscribeAsync('territoire/senml/#', { qos: 1 })
    await subscriber.endAsync()

    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'publisher', protocolVersion: 4 })
    for (let i = 0; i < 1500; i++) await publisher.publishAsync(`territoire/senml/d${i % 10}`, String(i), { qos: 1 })
    await publisher.endAsync()

    await broker.stop()
    await broker.start()

    const received = new Set<string>()
    // Listen before connecting: the queued messages follow the CONNACK at once.
    const back = mqtt.connect(broker.url, options)
    back.on('message', (_topic, payload) => received.add(payload.toString()))
    await vi.waitFor(() => expect(received.size).toBe(1500), { timeout: 30_000, interval: 100 })
    await back.endAsync()
  })
})
