/**
 * Milesight EM500-CO2 (CO₂, temperature, humidity, barometric pressure, battery).
 * Layout: Milesight-IoT/SensorDecoders, em-series/em500-co2/README.md (Telemetry table) and the
 * Milesight documentation page "EM500-CO2 Uplink Data"
 * (https://www.milesight.com/products/docs/en/em500-co2/protocol/em500/em500-co2-uplink.html).
 *
 * The temperature alarm record (0x83 0xD7: temperature int16/10, temperature change int16/10,
 * alarm kind 1 byte) carries the current temperature: it is decoded as `temperature`. The
 * change and the alarm kind are events, not readings, and are not returned; an alarm kind
 * other than the documented ones (0 threshold alarm, 1 threshold release, 2 mutation alarm)
 * throws, as the record is then not what the documentation describes.
 */
import { CodecError } from './codec.ts'
import { hexByte, int16le, uint8 } from './bytes.ts'
import { BATTERY, HUMIDITY, TEMPERATURE, co2Channel, milesightCodec, pressureChannel, type MilesightChannel } from './milesight.ts'

const TEMPERATURE_ALARM: MilesightChannel = {
  id: 0x83, type: 0xd7, length: 5, name: 'temperature alarm',
  read: (bytes, offset) => {
    const kind = uint8(bytes, offset + 4, 'temperature alarm kind')
    if (kind > 2) throw new CodecError(`temperature alarm kind ${hexByte(kind)} is not documented (0, 1 or 2)`)
    return { temperature: int16le(bytes, offset, 'alarm temperature') / 10 }
  },
}

export const milesightEm500Co2 = milesightCodec({
  id: 'milesight-em500-co2',
  model: 'EM500-CO2',
  channels: [BATTERY, TEMPERATURE, HUMIDITY, co2Channel(0x05), pressureChannel(0x06), TEMPERATURE_ALARM],
})
