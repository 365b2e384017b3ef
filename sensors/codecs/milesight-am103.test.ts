/**
 * Milesight AM103. Example frames (bytes and expected values, see examples.ts):
 * - Milesight-IoT/SensorDecoders am-series/am103/README.md "Example";
 * - TheThingsNetwork/lorawan-devices vendor/milesight-iot/am103-codec.yaml (Milesight's entry);
 * - Milesight AM103 & AM103L User Guide §6.1–6.2 (periodic, alarm and basic-information packets).
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'
import { milesightAm103 } from './milesight-am103.ts'

const codec = milesightAm103

describe('Milesight AM103 codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['milesight-am103', 'Milesight', 'AM103'])
  })

  it('refuses history records (documented 0x20 0xCE, 9 bytes): they carry their own timestamp', () => {
    // Layout from am-series/am103/README.md: timestamp(4) + temperature(2) + humidity(1) + co2(2). Constructed values.
    expect(refusal(codec, '20CE 9E744663 1801 6D C501', 85)).toMatch(/history records carry their own timestamp/)
  })

  it('refuses malformed frames', () => {
    expect(refusal(codec, '', 85)).toMatch(/empty frame/)
    expect(refusal(codec, '03', 85)).toMatch(/truncated frame/)
    expect(refusal(codec, '0367 18', 85)).toMatch(/truncated frame.*temperature/)
    expect(refusal(codec, '017564 077D', 85)).toMatch(/truncated frame.*co2/)
    expect(refusal(codec, 'ff16 6710b326', 85)).toMatch(/truncated frame.*device information/)
    expect(refusal(codec, '0367 1801 0468', 85)).toMatch(/truncated frame.*humidity/)
  })

  it('refuses channels the AM103 does not document, and downlink echoes of unknown length', () => {
    expect(refusal(codec, '017564 057D6704', 85)).toMatch(/channel 0x05 type 0x7d at offset 3: not a channel documented for the AM103/)
    expect(refusal(codec, 'ff03 b004', 85)).toMatch(/channel 0xff type 0x03/)
  })

  it('refuses a field twice in one frame', () => {
    expect(refusal(codec, '03671801 03671901', 85)).toMatch(/temperature appears twice/)
  })
})
