/**
 * Milesight EM300-TH. Example frames (bytes and expected values, see examples.ts):
 * - Milesight-IoT/SensorDecoders em-series/em300-th/README.md "Example";
 * - TheThingsNetwork/lorawan-devices vendor/milesight-iot/em300-th-codec.yaml;
 * - one frame constructed from the README's layout (a temperature below zero).
 * The README's history example is refused on purpose (below).
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'
import { milesightEm300Th } from './milesight-em300-th.ts'

const codec = milesightEm300Th

describe('Milesight EM300-TH codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['milesight-em300-th', 'Milesight', 'EM300-TH'])
  })

  it('refuses the documented history example: its reading (27.2 °C, 46.5 %) is dated 1665561758, not now', () => {
    // Milesight-IoT/SensorDecoders em-series/em300-th/README.md, second example.
    expect(refusal(codec, '20CE9E74466310015D00', 85)).toMatch(/history records carry their own timestamp/)
  })

  it('refuses malformed frames and channels the EM300-TH does not have', () => {
    expect(refusal(codec, '', 85)).toMatch(/empty frame/)
    expect(refusal(codec, '01755C 036734', 85)).toMatch(/truncated frame.*temperature/)
    expect(refusal(codec, '01755C 04', 85)).toMatch(/truncated frame.*channel id and type/)
    expect(refusal(codec, '01755C 077DE704', 85)).toMatch(/channel 0x07 type 0x7d at offset 3: not a channel documented for the EM300-TH/)
    expect(refusal(codec, '046865 046866', 85)).toMatch(/humidity appears twice/)
  })

  it('skips device information but keeps the readings of the same frame', () => {
    expect(codec.decode(fromHex('ff0bff ff0101 01755C'), 85)).toEqual({ battery: 92 })
  })
})
