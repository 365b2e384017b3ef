/**
 * Every format the ingestion accepts, through the real broker and database of the run: The
 * Things Stack v3 uplinks (decoded by a payload formatter, or only frm_payload decoded by our
 * codec), ChirpStack v4 up and log events, SenML packs; and every dead-letter reason. Each case
 * publishes one message and checks what was stored, or the dead letter and its reason.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import mqtt, { type MqttClient } from 'mqtt'
import { IngestionPipeline, parseDeviceSpec, provisionDevices } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { INGESTION_WAIT, mqttUrl, openDatabase, pipelineOptions, uniqueName } from './engines.ts'

let database: Database
let publisher: MqttClient
let pipeline: IngestionPipeline

const run = uniqueName('fmt')
const TTN_APP = `${run}@ttn`
const CS_APP = `${run}-cs`
const SENML = `${run}/senml`
const eui = () => randomBytes(8).toString('hex')
const devices = {
  am103: { id: `${run}-am103`, devEui: eui(), profile: 'milesight-am103' },
  ambiance: { id: `${run}-ambiance`, devEui: eui(), profile: 'generic-ambiance' },
  senml: { id: `${run}-senml`, senmlBaseName: `urn:dev:${run}:`, profile: 'generic-ambiance',
    fields: { energy: { quantity: 'energy_index', unit: 'kWh', kind: 'counter', min: 0, max: 1e9 } } },
}
/** A second of its own for each case, two years back: cases never collide, re-runs neither. */
let clock = Math.floor(Date.now() / 1000) - 2 * 365 * 86_400 + Math.floor(Math.random() * 86_400 * 300)
const nextTime = () => ++clock
const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

function ttn(device: { id: string; devEui: string }, time: number, uplink: Record<string, unknown>) {
  return JSON.stringify({
    end_device_ids: { device_id: device.id, application_ids: { application_id: run }, dev_eui: device.devEui.toUpperCase() },
    correlation_ids: [`as:up:${run}`],
    received_at: iso(time),
    uplink_message: { f_port: 85, f_cnt: 42, received_at: iso(time), ...uplink },
  })
}

function chirpstack(device: { id: string; devEui: string }, time: number, event: Record<string, unknown>) {
  return JSON.stringify({
    deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
    time: iso(time).replace('Z', '+00:00'),
    deviceInfo: { tenantName: 'OPSN', applicationName: CS_APP, deviceProfileName: 'AM103', deviceName: device.id, devEui: device.devEui },
    devAddr: '00189440',
    fCnt: 7,
    fPort: 85,
    ...event,
  })
}

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex').toString('base64')

async function publish(topic: string, payload: string | Buffer): Promise<void> {
  await publisher.publishAsync(topic, payload, { qos: 1 })
}

async function storedAt(deviceId: string, time: number): Promise<Record<string, number>> {
  const { rows } = await database.pool.query<{ channel: string; value: number }>(
    `SELECT s.channel, r.value FROM reading r JOIN sensor s USING (sid) WHERE s.device_id = $1 AND r.ts = to_timestamp($2) ORDER BY s.channel`,
    [deviceId, time],
  )
  return Object.fromEntries(rows.map((r) => [r.channel, r.value]))
}

async function expectStored(deviceId: string, time: number, expected: Record<string, number>): Promise<void> {
  await vi.waitFor(async () => expect(await storedAt(deviceId, time)).toEqual(expected), INGESTION_WAIT)
}

async function expectDeadLetter(topic: string, reason: string): Promise<string> {
  return vi.waitFor(async () => {
    const { rows } = await database.pool.query<{ reason: string; detail: string }>('SELECT reason, detail FROM dead_letter WHERE topic = $1', [topic])
    expect(rows.map((r) => r.reason)).toEqual([reason])
    return rows[0]!.detail
  }, INGESTION_WAIT)
}

beforeAll(async () => {
  database = await openDatabase()
  await provisionDevices(database.db, Object.values(devices).map((d) => parseDeviceSpec(d)), 'create')
  publisher = await mqtt.connectAsync(mqttUrl(), { clientId: uniqueName('fmt-pub'), protocolVersion: 4 })
  pipeline = await IngestionPipeline.start(pipelineOptions(database, [
    `v3/${TTN_APP}/devices/+/up`, `application/${CS_APP}/device/+/event/up`, `application/${CS_APP}/device/+/event/log`, `${SENML}/#`,
  ]))
})
afterAll(async () => {
  await pipeline?.stop()
  await publisher?.endAsync()
  await database?.close()
})

const ttnTopic = (id: string) => `v3/${TTN_APP}/devices/${id}/up`
const csTopic = (eui: string, event: 'up' | 'log') => `application/${CS_APP}/device/${eui}/event/${event}`

describe('The Things Stack v3', () => {
  it('stores a payload-formatter uplink (decoded_payload), ignoring fields no sensor stores', async () => {
    const t = nextTime()
    await publish(ttnTopic(devices.ambiance.id), ttn(devices.ambiance, t, { frm_payload: 'AQID', decoded_payload: { temperature: 21.5, humidity: 40, co2: 812, status: 'ok' } }))
    await expectStored(devices.ambiance.id, t, { co2: 812, humidity: 40, temperature: 21.5 })
  })

  it('decodes frm_payload with the device profile’s codec when no formatter ran (Milesight AM103, vendor example)', async () => {
    const t = nextTime()
    await publish(ttnTopic(devices.am103.id), ttn(devices.am103, t, { frm_payload: hex('01755C 03673401 046865 077DE704') }))
    await expectStored(devices.am103.id, t, { battery: 92, co2: 1255, humidity: 50.5, temperature: 30.8 })
  })

  it('stores nothing, and refuses nothing, for a frame without measurement (device information after a join)', async () => {
    const t = nextTime()
    const before = pipeline.stats()
    await publish(ttnTopic(devices.am103.id), ttn(devices.am103, t, { frm_payload: hex('ff0bff ff166710b32620711912 ff090100 ff0a0101 ff0f00 ff180013') }))
    await vi.waitFor(() => expect(pipeline.stats().batches).toBeGreaterThan(before.batches), INGESTION_WAIT)
    expect(pipeline.stats().deadLettered).toBe(before.deadLettered)
    expect(await storedAt(devices.am103.id, t)).toEqual({})
  })
})

describe('ChirpStack v4', () => {
  it('stores an up event decoded by the device profile’s codec (object)', async () => {
    const t = nextTime()
    await publish(csTopic(devices.ambiance.devEui, 'up'), chirpstack(devices.ambiance, t, { data: 'AQID', object: { temperature: 19.75, humidity: 51.5, co2: 640 } }))
    await expectStored(devices.ambiance.id, t, { co2: 640, humidity: 51.5, temperature: 19.75 })
  })

  it('decodes data with our codec when the event has no object', async () => {
    const t = nextTime()
    await publish(csTopic(devices.am103.devEui, 'up'), chirpstack(devices.am103, t, { data: hex('017564 03671801 04686D 077DC501') }))
    await expectStored(devices.am103.id, t, { battery: 100, co2: 453, humidity: 54.5, temperature: 28 })
  })

  it('dead-letters a log event reporting a codec error', async () => {
    const topic = csTopic(devices.am103.devEui, 'log')
    await publish(topic, JSON.stringify({
      time: iso(nextTime()), deviceInfo: { devEui: devices.am103.devEui, deviceName: devices.am103.id },
      level: 'ERROR', code: 'UPLINK_CODEC', description: 'js vm error: ReferenceError: foo is not defined', context: { deduplication_id: 'x' },
    }))
    expect(await expectDeadLetter(topic, 'decoder_error')).toContain('UPLINK_CODEC')
  })
})

describe('SenML', () => {
  it('resolves base name, base time and names to the device’s sensors', async () => {
    const t = nextTime()
    await publish(`${SENML}/a`, JSON.stringify([{ bn: devices.senml.senmlBaseName, bt: t, n: 'temperature', u: 'Cel', v: 20.5 }, { n: 'co2', u: 'ppm', v: 700 }]))
    await expectStored(devices.senml.id, t, { co2: 700, temperature: 20.5 })
  })

  it('finds the device from full record names without a base name', async () => {
    const t = nextTime()
    await publish(`${SENML}/b`, JSON.stringify([{ n: `${devices.senml.senmlBaseName}humidity`, u: '%RH', v: 45, t }]))
    await expectStored(devices.senml.id, t, { humidity: 45 })
  })

  it('stores a sum in W·s (J) on a kWh counter, converted', async () => {
    const t = nextTime()
    await publish(`${SENML}/c`, JSON.stringify([{ bn: devices.senml.senmlBaseName, n: 'energy', u: 'W', s: 36_000_000, t }]))
    await expectStored(devices.senml.id, t, { energy: 10 })
  })
})

describe('dead letters: every reason, with the message kept whole', () => {
  const bn = devices.senml.senmlBaseName
  const oldClock = { id: 'ghost', devEui: eui() } // refused for its time before its device is looked up
  const cases: Array<[reason: string, topic: () => string, payload: () => string | Buffer]> = [
    ['invalid_json', () => `${SENML}/${uniqueName('j')}`, () => `[{"bn":"${bn}","n":"co2","v":NaN}]`],
    ['invalid_json', () => ttnTopic(uniqueName('j')), () => '{"end_device_ids": '],
    ['invalid_senml', () => `${SENML}/${uniqueName('s')}`, () => JSON.stringify({ bn, n: 'co2', v: 500 })],
    ['invalid_type', () => `${SENML}/${uniqueName('t')}`, () => JSON.stringify([{ bn, n: 'temperature', v: '21,5' }])],
    ['invalid_type', () => ttnTopic(uniqueName('t')), () => ttn(devices.ambiance, nextTime(), { decoded_payload: { temperature: '21,5' } })],
    ['invalid_type', () => `${SENML}/${uniqueName('t')}`, () => JSON.stringify([{ bn, n: 'temperature', vs: 'chaud' }])],
    ['invalid_type', () => ttnTopic(uniqueName('t')), () => JSON.stringify({ end_device_ids: { device_id: 'x' } })],
    ['non_finite_value', () => `${SENML}/${uniqueName('n')}`, () => JSON.stringify([{ bn, n: 'temperature', v: null }])],
    ['non_finite_value', () => ttnTopic(uniqueName('n')), () => ttn(devices.ambiance, nextTime(), { decoded_payload: { temperature: null } })],
    ['timestamp_in_future', () => `${SENML}/${uniqueName('f')}`, () => JSON.stringify([{ bn, n: 'co2', v: 500, t: Date.now() / 1000 + 86_400 }])],
    ['timestamp_in_future', () => ttnTopic(uniqueName('f')), () => ttn(devices.ambiance, Math.floor(Date.now() / 1000) + 86_400, { decoded_payload: { co2: 500 } })],
    // Times a Date holds but PostgreSQL does not (before 4714 BC) used to fail their whole batch as storage_error.
    ['timestamp_too_old', () => `${SENML}/${uniqueName('o')}`, () => JSON.stringify([{ bn, n: 'co2', v: 500, bt: Date.UTC(-4713, 10, 24) / 1000 - 86_400 }])],
    ['timestamp_too_old', () => `${SENML}/${uniqueName('o')}`, () => JSON.stringify([{ bn, n: 'co2', v: 500, bt: Date.UTC(1999, 11, 31, 23, 59, 59) / 1000 }])],
    ['timestamp_too_old', () => ttnTopic(uniqueName('o')), () => ttn(devices.ambiance, Date.UTC(1900, 0, 1) / 1000, { decoded_payload: { co2: 500 } })],
    ['timestamp_too_old', () => csTopic(oldClock.devEui, 'up'), () => chirpstack(oldClock, Date.parse('0001-01-01T00:00:00Z') / 1000, { object: { co2: 500 } })],
    ['unknown_device', () => `${SENML}/${uniqueName('u')}`, () => JSON.stringify([{ bn: 'urn:dev:nobody:', n: 'co2', v: 500 }])],
    ['unknown_device', () => ttnTopic(uniqueName('u')), () => ttn({ id: 'ghost', devEui: eui() }, nextTime(), { decoded_payload: { co2: 500 } })],
    ['unknown_device', () => csTopic(eui(), 'up'), () => chirpstack({ id: 'ghost', devEui: eui() }, nextTime(), { object: { co2: 500 } })],
    // A device's topic carrying another provisioned device's uplink (SenML's territoire/senml/<id>: test/mqtt-acl.test.ts).
    ['topic_mismatch', () => csTopic(devices.ambiance.devEui, 'up'), () => chirpstack(devices.am103, nextTime(), { object: { co2: 500 } })],
    ['topic_mismatch', () => ttnTopic(`eui-${devices.ambiance.devEui}`), () => ttn(devices.am103, nextTime(), { decoded_payload: { co2: 500 } })],
    ['unknown_sensor', () => `${SENML}/${uniqueName('s')}`, () => JSON.stringify([{ bn, n: 'pressure', v: 1013 }])],
    ['no_decoder', () => ttnTopic(uniqueName('d')), () => ttn(devices.ambiance, nextTime(), { frm_payload: hex('0367F600') })],
    ['decoder_error', () => ttnTopic(uniqueName('d')), () => ttn(devices.am103, nextTime(), { frm_payload: hex('0367') })],
    ['unit_mismatch', () => `${SENML}/${uniqueName('m')}`, () => JSON.stringify([{ bn, n: 'temperature', u: 'K', v: 293 }])],
    ['out_of_range', () => ttnTopic(uniqueName('r')), () => ttn(devices.ambiance, nextTime(), { decoded_payload: { co2: 99_999 } })],
    ['out_of_range', () => `${SENML}/${uniqueName('r')}`, () => JSON.stringify([{ bn, n: 'temperature', u: 'Cel', v: 150 }])],
    ['payload_too_large', () => `${SENML}/${uniqueName('p')}`, () => Buffer.alloc(2 * 1024 * 1024, 0x5b)],
  ]

  it.each(cases)('%s', async (reason, topicOf, payloadOf) => {
    const topic = topicOf()
    const payload = payloadOf()
    await publish(topic, payload)
    await expectDeadLetter(topic, reason)
    const { rows } = await database.pool.query<{ payload: Buffer }>('SELECT payload FROM dead_letter WHERE topic = $1', [topic])
    expect(Buffer.compare(rows[0]!.payload, Buffer.from(payload))).toBe(0)
  })

  it('refuses a whole uplink when one value is bad: nothing of it is stored', async () => {
    const t = nextTime()
    const topic = ttnTopic(uniqueName('half'))
    await publish(topic, ttn(devices.ambiance, t, { decoded_payload: { temperature: 20, co2: 99_999 } }))
    await expectDeadLetter(topic, 'out_of_range')
    expect(await storedAt(devices.ambiance.id, t)).toEqual({})
  })

  // Three waits for the ingestion one after the other, each up to INGESTION_WAIT: a test timeout to match
  // (the run's other files share the machine's two cores and, on the embedded engine, its one session).
  it('counts an exact duplicate and keeps one reading, but refuses another value at the same time (conflicting_value)', { timeout: 3 * INGESTION_WAIT.timeout }, async () => {
    const t = nextTime()
    const pack = (v: number) => JSON.stringify([{ bn, n: 'co2', u: 'ppm', v, t }])
    await publish(`${SENML}/dup`, pack(600))
    await expectStored(devices.senml.id, t, { co2: 600 })
    const duplicates = pipeline.stats().duplicates
    await publish(`${SENML}/dup`, pack(600))
    await vi.waitFor(() => expect(pipeline.stats().duplicates).toBe(duplicates + 1), INGESTION_WAIT)
    const topic = `${SENML}/${uniqueName('conflict')}`
    await publish(topic, pack(601))
    await expectDeadLetter(topic, 'conflicting_value')
    expect(await storedAt(devices.senml.id, t)).toEqual({ co2: 600 })
  })
})

describe('metrics', () => {
  it('count messages by format and dead letters by reason', async () => {
    const text = await pipeline.metrics.registry.metrics()
    for (const format of ['ttn-v3', 'chirpstack-v4', 'chirpstack-v4-log', 'senml']) {
      expect(text).toMatch(new RegExp(`territoire_ingest_messages_received_total\\{format="${format}"\\} [1-9]`))
    }
    for (const reason of ['invalid_json', 'unknown_device', 'out_of_range', 'conflicting_value', 'payload_too_large']) {
      expect(text).toMatch(new RegExp(`territoire_ingest_dead_letters_total\\{reason="${reason}"\\} [1-9]`))
    }
    expect(text).toMatch(/territoire_ingest_readings_duplicate_total [1-9]/)
  })
})
