/**
 * Milesight AM103 / AM103L indoor ambience sensor (temperature, humidity, CO₂, battery).
 * Layout: Milesight-IoT/SensorDecoders, am-series/am103/README.md (Telemetry table) and the
 * AM103/AM103L user guide §6 "Device Payload". Besides the common device information, the
 * AM103 reports a "sensor status" attribute (0xFF 0x18, 2 bytes: which sensors are enabled),
 * skipped like the rest of the device information.
 */
import { BATTERY, HUMIDITY, TEMPERATURE, co2Channel, milesightCodec } from './milesight.ts'

export const milesightAm103 = milesightCodec({
  id: 'milesight-am103',
  model: 'AM103',
  channels: [BATTERY, TEMPERATURE, HUMIDITY, co2Channel(0x07)],
  extraAttributes: new Map([[0x18, 2]]),
})
