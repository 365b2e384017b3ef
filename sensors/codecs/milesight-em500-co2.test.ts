/**
 * Milesight EM500-CO2. Example frames (bytes and expected values, see examples.ts):
 * - Milesight-IoT/SensorDecoders em-series/em500-co2/README.md "Example";
 * - TheThingsNetwork/lorawan-devices vendor/milesight-iot/em500-co2-codec.yaml, examples 1 and 2;
 * - Milesight "EM500-CO2 Uplink Data" page (periodic report and basic information examples);
 * - one frame constructed from that page's temperature mutation alarm layout.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'
import { milesightEm500Co2 } from './milesight-em500-co2.ts'

const codec = milesightEm500Co2

describe('Milesight EM500-CO2 codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['milesight-em500-co2', 'Milesight', 'EM500-CO2'])
  })

  it('refuses an alarm kind the documentation does not list, and an alarm plus a periodic temperature in one frame', () => {
    expect(refusal(codec, '83D7 1001 3200 07', 85)).toMatch(/temperature alarm kind 0x07 is not documented/)
    expect(refusal(codec, '03671001 83D7 1001 3200 02', 85)).toMatch(/temperature appears twice/)
  })

  it('refuses history records (0x20 0xCE, 11 bytes)', () => {
    // Layout from the "EM500-CO2 Uplink Data" page: timestamp, CO₂, pressure, temperature, humidity. Constructed values.
    expect(refusal(codec, '20CE 9E744663 6704 6827 1901 73', 85)).toMatch(/history records/)
  })

  it('refuses malformed frames and the AM-series CO₂ channel', () => {
    expect(refusal(codec, '', 85)).toMatch(/empty frame/)
    expect(refusal(codec, '057D67', 85)).toMatch(/truncated frame.*co2/)
    expect(refusal(codec, '83D7 1001 3200', 85)).toMatch(/truncated frame.*temperature alarm/)
    expect(refusal(codec, '077D6704', 85)).toMatch(/channel 0x07 type 0x7d at offset 0: not a channel documented for the EM500-CO2/)
    expect(refusal(codec, 'ff0bff ff0101 ff16 6136c400', 85)).toMatch(/truncated frame.*device information/)
  })
})
