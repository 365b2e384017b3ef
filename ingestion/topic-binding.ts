/**
 * The device a topic names, and the refusal of a message whose payload is another device's.
 *
 * The broker lets a device publish only on the topics carrying its identity (mqtt-credentials.ts),
 * but the ingestion finds a message's device in its payload (SenML record names, the uplink's
 * DevEUI). Without this check a device allowed on `territoire/senml/<its id>` could publish another
 * device's base name there and the other device's readings would land. So, when the topic names a
 * device and the payload resolves to a different provisioned one, the whole message is refused
 * (`topic_mismatch`):
 *
 * - SenML on `territoire/senml/…/<id>`: binds when the last level is a provisioned device id
 *   (looked up in the sensor directory's cache, with the rest of the batch); every record must then
 *   resolve to that device. `territoire/senml/test`, `territoire/senml/0`, other prefixes: unbound.
 * - ChirpStack v4 `application/+/device/<deveui>/event/{up,log}`: ChirpStack publishes each event
 *   on its device's own topic, so the level is the DevEUI; an uplink whose DevEUI is another
 *   provisioned device's, or a log naming another DevEUI, is refused.
 * - The Things Stack v3 `v3/+/devices/<device id>/up`: the level is TTS's end-device id, ours only
 *   through its default form `eui-<deveui>`: then the payload's `end_device_ids.dev_eui` must be that
 *   DevEUI and its `device_id` that id. Other ids name no device of ours: unbound.
 *
 * A payload whose device is not provisioned keeps its own reason (`unknown_device`): it stores
 * nothing anyway, and replaying it once provisioned applies this check.
 */
import { MessageRejection, senmlTopic } from '../sensors/index.ts'
import type { DecodedMessage, MessageFormat } from './message-decoder.ts'
import type { KnownDevice } from './sensor-directory.ts'

/** What a topic says about its device: a device id to look up (SenML), or a DevEUI (LoRaWAN). */
export type TopicDevice =
  | { readonly by: 'id'; readonly id: string }
  | { readonly by: 'dev-eui'; readonly devEui: string; /** TTS's end-device id (`eui-<deveui>`), null for ChirpStack. */ readonly endDeviceId: string | null }

/** The devices the batch resolved (sensor-directory.ts), by what named them. */
export interface ResolvedDevices {
  /** By device id: the SenML topics' last levels. */
  readonly byId: ReadonlyMap<string, KnownDevice | null>
  /** By DevEUI (lower case): the uplinks' devices. */
  readonly byDevEui: ReadonlyMap<string, KnownDevice | null>
  /** By full SenML name (base name + name). */
  readonly bySenmlName: ReadonlyMap<string, { readonly device: KnownDevice } | null>
}

/** `territoire/senml/`: where the simulator publishes and a device's credential may (its SenML topic). */
const SENML_PREFIX = senmlTopic('')
const DEV_EUI = /^[0-9A-Fa-f]{16}$/

/**
 * The device the topic names, or null. Cheap (no I/O, no regular expression on the SenML hot
 * path): `format` comes from formatOf(topic), which already checked the LoRaWAN topics' shape.
 */
export function topicDevice(topic: string, format: MessageFormat): TopicDevice | null {
  switch (format) {
    case 'senml': {
      if (!topic.startsWith(SENML_PREFIX)) return null
      const id = topic.slice(topic.lastIndexOf('/') + 1)
      return id === '' ? null : { by: 'id', id }
    }
    case 'chirpstack-v4':
    case 'chirpstack-v4-log': {
      const devEui = topic.split('/')[3] ?? '' // application/{app}/device/{deveui}/event/{up,log}
      return DEV_EUI.test(devEui) ? { by: 'dev-eui', devEui: devEui.toLowerCase(), endDeviceId: null } : null
    }
    case 'ttn-v3': {
      const id = topic.split('/')[3] ?? '' // v3/{app}@{tenant}/devices/{device id}/up
      const devEui = id.startsWith('eui-') ? id.slice(4) : ''
      return DEV_EUI.test(devEui) ? { by: 'dev-eui', devEui: devEui.toLowerCase(), endDeviceId: id } : null
    }
  }
}

/** Throws `topic_mismatch` when the payload is a provisioned device other than the one the topic names. */
export function checkTopicBinding(topic: string, named: TopicDevice | null, decoded: DecodedMessage, resolved: ResolvedDevices): void {
  if (named === null) return
  switch (decoded.format) {
    case 'senml': {
      if (named.by !== 'id') return
      const bound = resolved.byId.get(named.id)
      if (!bound) return // not a provisioned device id: the topic names no device
      for (const record of decoded.records) {
        const name = record.baseName + record.name
        const device = resolved.bySenmlName.get(name)?.device
        if (device && device.id !== bound.id) {
          throw mismatch(topic, `names device ${bound.id}, but the record "${name}" is device ${device.id}'s`)
        }
      }
      return
    }
    case 'ttn-v3':
    case 'chirpstack-v4': {
      if (named.by !== 'dev-eui') return
      const { uplink } = decoded
      const device = resolved.byDevEui.get(uplink.devEui)
      if (!device) return // unknown_device, from the mapper
      if (uplink.devEui !== named.devEui) {
        throw mismatch(topic, `names DevEUI ${named.devEui.toUpperCase()}, but the payload is device ${device.id}'s (DevEUI ${uplink.devEui.toUpperCase()})`)
      }
      if (named.endDeviceId !== null && uplink.deviceName !== named.endDeviceId) {
        throw mismatch(topic, `names end device "${named.endDeviceId}", but the payload's end_device_ids.device_id is "${uplink.deviceName}"`)
      }
      return
    }
    case 'chirpstack-v4-log': {
      const { devEui } = decoded.log
      if (named.by === 'dev-eui' && devEui !== null && devEui !== named.devEui) {
        throw mismatch(topic, `names DevEUI ${named.devEui.toUpperCase()}, but the log is about DevEUI ${devEui.toUpperCase()}`)
      }
      return
    }
  }
}

function mismatch(topic: string, what: string): MessageRejection {
  return new MessageRejection('topic_mismatch', `the topic ${topic} ${what}`)
}
