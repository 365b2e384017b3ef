/**
 * The bare-broker baseline's subscriber, run as its own process: subscribes at QoS 1, does
 * nothing with the messages (MQTT.js acknowledges each at once), and prints the rate between
 * the first and the last of `count` messages as one JSON line.
 *   node bin/bench.js null-subscriber <mqtt-url> <topic-filter> <count>
 */
import mqtt from 'mqtt'

const [url, filter, countText] = process.argv.slice(2)
const count = Number(countText)
const client = await mqtt.connectAsync(url!, { clientId: `bench-null-${process.pid}`, protocolVersion: 4, clean: true })
let received = 0
let first = 0
const done = new Promise<number>((resolve) => {
  client.on('message', () => {
    if (received === 0) first = performance.now()
    if (++received === count) resolve(performance.now())
  })
})
await client.subscribeAsync(filter!, { qos: 1 })
process.stdout.write('ready\n')
const last = await done
await client.endAsync()
const seconds = (last - first) / 1000
process.stdout.write(JSON.stringify({ received, seconds, perSecond: (count - 1) / seconds }) + '\n')
