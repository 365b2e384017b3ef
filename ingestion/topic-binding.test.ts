import { describe, expect, it } from 'vitest'
import { MessageRejection } from '../sensors/index.ts'
import { decodeMessage, formatOf } from './message-decoder.ts'
import type { KnownDevice } from './sensor-directory.ts'
import { checkTopicBinding, topicDevice, type ResolvedDevices } from './topic-binding.ts'

const EUI_A = '0011223344556677'
const EUI_B = '8899aabbccddeeff'
const device = (id: string): KnownDevice => ({ id, profile: 'generic-ambiance', senmlBaseName: `urn:dev:${id}:`, sensors: new Map() })
const A = device('dev-a')
const B = device('dev-b')
/** What the sensor directory knows: dev-a and dev-b, by id, DevEUI and SenML base name. */
const resolved: ResolvedDevices = {
  byId: new Map([['dev-a', A], ['dev-b', B], ['test', null]]),
  byDevEui: new Map([[EUI_A, A], [EUI_B, B], ['ffffffffffffffff', null]]),
  bySenmlName: new Map([['urn:dev:dev-a:co2', { device: A }], ['urn:dev:dev-b:co2', { device: B }], ['urn:dev:nobody:co2', null]]),
}
const NOW = new Date('2024-05-01T12:00:00Z')
const TIME = '2024-05-01T11:59:00Z'

const senml = (...names: string[]) => JSON.stringify(names.map((n) => ({ n, u: 'ppm', v: 500, t: 0 })))
const chirpstackUp = (devEui: string) => JSON.stringify({ deduplicationId: 'x', time: TIME, deviceInfo: { devEui, deviceName: 'n' }, object: { co2: 500 } })
const chirpstackLog = (devEui: string | null) => JSON.stringify({ level: 'ERROR', code: 'UPLINK_CODEC', description: 'd', ...(devEui ? { deviceInfo: { devEui } } : {}) })
const ttnUp = (deviceId: string, devEui: string) =>
  JSON.stringify({ end_device_ids: { device_id: deviceId, dev_eui: devEui.toUpperCase() }, uplink_message: { received_at: TIME, decoded_payload: { co2: 500 } } })

/** The reason and detail the message gets, or null when the topic does not refuse it. */
function check(topic: string, payload: string): { reason: string; detail: string } | null {
  const format = formatOf(topic)
  const decoded = decodeMessage(topic, Buffer.from(payload), NOW, { maxPayloadBytes: 65_536, maxFutureSkewSeconds: 300 })
  try {
    checkTopicBinding(topic, topicDevice(topic, format), decoded, resolved)
    return null
  } catch (error) {
    if (!(error instanceof MessageRejection)) throw error
    return { reason: error.reason, detail: error.detail }
  }
}

describe('the device a topic names', () => {
  it.each([
    ['territoire/senml/dev-a', { by: 'id', id: 'dev-a' }],
    ['territoire/senml/site-1/dev-a', { by: 'id', id: 'dev-a' }],
    ['territoire/senml/', null],
    ['territoire/senml', null], // not under the prefix
    ['run-1/senml/dev-a', null], // another SenML subscription: unbound
    ['sensors/dev-a', null],
    [`application/app/device/${EUI_A}/event/up`, { by: 'dev-eui', devEui: EUI_A, endDeviceId: null }],
    [`application/app/device/${EUI_A.toUpperCase()}/event/log`, { by: 'dev-eui', devEui: EUI_A, endDeviceId: null }],
    ['application/app/device/not-an-eui/event/up', null],
    [`v3/app@ttn/devices/eui-${EUI_A}/up`, { by: 'dev-eui', devEui: EUI_A, endDeviceId: `eui-${EUI_A}` }],
    ['v3/app@ttn/devices/dev-a/up', null], // TTS's own device id: not ours
    ['v3/app@ttn/devices/eui-0011/up', null],
  ])('%s → %j', (topic, expected) => {
    expect(topicDevice(topic, formatOf(topic))).toEqual(expected)
  })
})

describe('refusing a payload that is not the device its topic names', () => {
  it.each([
    // SenML: the topic's device id, every record's device
    ['territoire/senml/dev-a', senml('urn:dev:dev-a:co2')],
    ['territoire/senml/test', senml('urn:dev:dev-b:co2')], // not a provisioned id: unbound, as before
    ['territoire/senml/0', senml('urn:dev:dev-b:co2')], // the bench's topics: no such device either
    ['territoire/senml/dev-a', senml('urn:dev:nobody:co2')], // no device: unknown_device, from the mapper
    ['run-1/senml/dev-a', senml('urn:dev:dev-b:co2')], // outside territoire/senml/
    // ChirpStack: the DevEUI level
    [`application/app/device/${EUI_A}/event/up`, chirpstackUp(EUI_A)],
    [`application/app/device/${EUI_A.toUpperCase()}/event/up`, chirpstackUp(EUI_A)],
    [`application/app/device/${EUI_A}/event/up`, chirpstackUp('ffffffffffffffff')], // unknown_device, from the mapper
    ['application/app/device/test/event/up', chirpstackUp(EUI_B)],
    [`application/app/device/${EUI_A}/event/log`, chirpstackLog(EUI_A)],
    [`application/app/device/${EUI_A}/event/log`, chirpstackLog(null)],
    // The Things Stack: its eui-<deveui> ids only
    [`v3/app@ttn/devices/eui-${EUI_A}/up`, ttnUp(`eui-${EUI_A}`, EUI_A)],
    ['v3/app@ttn/devices/some-name/up', ttnUp('another-name', EUI_B)], // TTS ids name no device of ours
  ])('lets %s carry %s', (topic, payload) => {
    expect(check(topic, payload)).toBeNull()
  })

  it.each([
    ['territoire/senml/dev-a', senml('urn:dev:dev-b:co2'), 'the topic territoire/senml/dev-a names device dev-a, but the record "urn:dev:dev-b:co2" is device dev-b\'s'],
    ['territoire/senml/dev-a', senml('urn:dev:dev-a:co2', 'urn:dev:dev-b:co2'), 'names device dev-a, but the record "urn:dev:dev-b:co2" is device dev-b\'s'],
    ['territoire/senml/dev-a', senml('urn:dev:nobody:co2', 'urn:dev:dev-b:co2'), 'is device dev-b\'s'],
    [`application/app/device/${EUI_A}/event/up`, chirpstackUp(EUI_B), `names DevEUI ${EUI_A.toUpperCase()}, but the payload is device dev-b's (DevEUI ${EUI_B.toUpperCase()})`],
    // A topic naming a DevEUI nobody has: still not the payload's device.
    ['application/app/device/ffffffffffffffff/event/up', chirpstackUp(EUI_B), 'but the payload is device dev-b\'s'],
    [`application/app/device/${EUI_A}/event/log`, chirpstackLog(EUI_B), `names DevEUI ${EUI_A.toUpperCase()}, but the log is about DevEUI ${EUI_B.toUpperCase()}`],
    [`v3/app@ttn/devices/eui-${EUI_A}/up`, ttnUp(`eui-${EUI_B}`, EUI_B), `names DevEUI ${EUI_A.toUpperCase()}, but the payload is device dev-b's`],
    [`v3/app@ttn/devices/eui-${EUI_A}/up`, ttnUp(`eui-${EUI_A}`, EUI_B), 'but the payload is device dev-b\'s'],
    [`v3/app@ttn/devices/eui-${EUI_A}/up`, ttnUp('dev-a-renamed', EUI_A), `names end device "eui-${EUI_A}", but the payload's end_device_ids.device_id is "dev-a-renamed"`],
  ])('refuses %s carrying %s', (topic, payload, detail) => {
    const refused = check(topic, payload)
    expect(refused?.reason).toBe('topic_mismatch')
    expect(refused?.detail).toContain(detail)
  })
})
