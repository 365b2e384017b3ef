/**
 * Milesight EM300-TH temperature & humidity sensor (temperature, humidity, battery).
 * Layout: Milesight-IoT/SensorDecoders, em-series/em300-th/README.md (Telemetry table).
 * The documentation gives no error code for the readings, so none is filtered here; the
 * profile's range refuses implausible values.
 */
import { BATTERY, HUMIDITY, TEMPERATURE, milesightCodec } from './milesight.ts'

export const milesightEm300Th = milesightCodec({
  id: 'milesight-em300-th',
  model: 'EM300-TH',
  channels: [BATTERY, TEMPERATURE, HUMIDITY],
})
