/**
 * The benchmarks' publisher, run as its own process: N SenML packs of 3 records (temperature,
 * humidity, CO₂) at QoS 1, for `devices` devices, as fast as the broker takes them (a window of
 * unacknowledged messages) or paced at `rate` messages per second. Each pack's time is its
 * publication time (ms), so that the store can tell the latency. Prints one JSON line.
 *   node bin/bench.js publisher <mqtt-url> <topic-prefix> <device-prefix> <count> <devices> [rate]
 */
import mqtt from 'mqtt'

const [url, prefix, devicePrefix, countText, devicesText, rateText] = process.argv.slice(2)
const count = Number(countText)
const devices = Number(devicesText)
const rate = Number(rateText ?? 0)
const client = await mqtt.connectAsync(url!, { clientId: `bench-pub-${process.pid}`, protocolVersion: 4 })

let next = 0
const lastMs = new Float64Array(devices)
/** A time per message, strictly increasing per device, close to the publication time. */
function pack(i: number): string {
  const d = i % devices
  const ms = Math.max(Date.now(), lastMs[d]! + 1)
  lastMs[d] = ms
  return JSON.stringify([
    { bn: `urn:dev:${devicePrefix}-${d}:`, bt: ms / 1000, n: 'temperature', u: 'Cel', v: 20 + (i % 50) / 10 },
    { n: 'humidity', u: '%RH', v: 40 + (i % 20) },
    { n: 'co2', u: 'ppm', v: 450 + (i % 500) },
  ])
}

const started = performance.now()
if (rate > 0) {
  // Paced: a tick every 10 ms publishes what is due, never ahead of schedule.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate))
      while (next < due) {
        const i = next++
        client.publish(`${prefix}/senml/${i % devices}`, pack(i), { qos: 1 })
      }
      if (next >= count) {
        clearInterval(timer)
        resolve()
      }
    }, 10)
  })
} else {
  const worker = async () => {
    while (next < count) {
      const i = next++
      await client.publishAsync(`${prefix}/senml/${i % devices}`, pack(i), { qos: 1 })
    }
  }
  await Promise.all(Array.from({ length: 1000 }, worker))
}
await client.endAsync()
const seconds = (performance.now() - started) / 1000
process.stdout.write(JSON.stringify({ published: count, seconds, perSecond: count / seconds }) + '\n')
