/**
 * The sensor simulator: publishes a SenML pack per demo device over MQTT, the way a real
 * device or gateway would, spreading the devices evenly over the interval.
 */
import type { MqttClient } from 'mqtt'
import { errorMessage, type Logger } from '../core/index.ts'
import { simulatedValue, type SimulatedChannel } from './simulated-values.ts'

export interface SimulatedDevice {
  readonly id: string
  readonly senmlBaseName: string
  readonly usage: string
  readonly floorAreaM2: number
  readonly channels: readonly SimulatedChannel[]
}

/** Where the simulator publishes: the ingestion's default SenML subscription. */
export function senmlTopic(deviceId: string): string {
  return `territoire/senml/${deviceId}`
}

/** One device's SenML pack at a time (seconds since the epoch). */
export function simulatedPack(device: SimulatedDevice, atSeconds: number, timeZone?: string): object[] {
  return device.channels.map((channel, i) => ({
    ...(i === 0 ? { bn: device.senmlBaseName, bt: Math.round(atSeconds) } : {}),
    n: channel.channel,
    u: channel.unit,
    v: simulatedValue({ deviceId: device.id, usage: device.usage, floorAreaM2: device.floorAreaM2 }, channel, Math.round(atSeconds), timeZone),
  }))
}

export interface Simulator {
  readonly published: () => number
  stop(): Promise<void>
}

export function startSimulator(options: {
  client: MqttClient
  devices: readonly SimulatedDevice[]
  intervalSeconds: number
  log: Logger
  timeZone?: string
}): Simulator {
  const { client, devices, log } = options
  let published = 0
  let next = 0
  const tickMs = Math.max(10, (options.intervalSeconds * 1000) / Math.max(1, devices.length))
  const timer = setInterval(() => {
    const device = devices[next]
    next = (next + 1) % devices.length
    if (!device || !client.connected) return // a reading not taken is not invented later
    const payload = JSON.stringify(simulatedPack(device, Date.now() / 1000, options.timeZone))
    client.publish(senmlTopic(device.id), payload, { qos: 1 }, (error) => {
      if (error) log.warn('simulated reading not published', { device: device.id, error: errorMessage(error) })
      else published++
    })
  }, tickMs)
  log.info('simulator started', { devices: devices.length, intervalSeconds: options.intervalSeconds })
  return {
    published: () => published,
    async stop() {
      clearInterval(timer)
      await client.endAsync()
    },
  }
}
