/**
 * The shipped mosquitto.conf, run by a real Mosquitto of our own (another port, its own data
 * directory): QoS 1 messages for an absent persistent subscriber are queued past Mosquitto's
 * default limit of 1,000 and survive a broker restart.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import mqtt from 'mqtt'
import { freePort } from './engines.ts'

const HAS_MOSQUITTO = spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined

// Needs the mosquitto binary (Debian package `mosquitto`, installed by .ci/run).
describe.skipIf(!HAS_MOSQUITTO)('shipped mosquitto.conf (needs the mosquitto binary)', () => {
  let dir: string
  let port: number
  let broker: ChildProcess | null = null
  let config: string

  async function startBroker(): Promise<void> {
    broker = spawn('mosquitto', ['-c', config], { stdio: 'ignore' })
    await vi.waitFor(() => new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve()))
      socket.on('error', reject)
    }), { timeout: 10_000, interval: 100 })
  }

  async function stopBroker(): Promise<void> {
    if (!broker || broker.exitCode !== null) return
    const exited = new Promise((resolve) => broker!.once('exit', resolve))
    broker.kill('SIGTERM') // Mosquitto saves its persistence file on a clean stop
    await exited
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-mosquitto-'))
    await chmod(dir, 0o777) // started as root, Mosquitto drops to its own user before writing there
    port = await freePort()
    const shipped = await readFile(path.resolve(import.meta.dirname, '..', 'mosquitto.conf'), 'utf8')
    const local = shipped
      .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
      .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`)
      .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`)
    expect(local).not.toBe(shipped)
    config = path.join(dir, 'mosquitto.conf')
    await writeFile(config, local)
    await startBroker()
  })
  afterAll(async () => {
    await stopBroker()
    if (!process.env.KEEP_MOSQUITTO) await rm(dir, { recursive: true, force: true })
  })

  it('keeps 1,500 QoS 1 messages for an absent persistent subscriber across a broker restart', { timeout: 60_000 }, async () => {
    const url = `mqtt://127.0.0.1:${port}`
    const options = { clientId: 'territoire-ingestion-test', clean: false, protocolVersion: 4 as const }
    const subscriber = await mqtt.connectAsync(url, options)
    await subscriber.subscribeAsync('territoire/senml/#', { qos: 1 })
    await subscriber.endAsync()

    const publisher = await mqtt.connectAsync(url, { clientId: 'publisher', protocolVersion: 4 })
    for (let i = 0; i < 1500; i++) await publisher.publishAsync(`territoire/senml/d${i % 10}`, String(i), { qos: 1 })
    await publisher.endAsync()

    await stopBroker()
    await startBroker()

    const received = new Set<string>()
    // Listen before connecting: the queued messages follow the CONNACK at once.
    const back = mqtt.connect(url, options)
    back.on('message', (_topic, payload) => received.add(payload.toString()))
    await vi.waitFor(() => expect(received.size).toBe(1500), { timeout: 30_000, interval: 100 })
    await back.endAsync()
  })
})
