/**
 * Adeunis COMFORT CO2. Example frames (bytes and expected values, see examples.ts):
 * - TheThingsNetwork/lorawan-devices vendor/adeunis/comfort-co2-codec.yaml (Adeunis's entry):
 *   the only frame Adeunis prints for this product that could be found;
 * - frames constructed from the Adeunis codec's frame layouts (vendor/adeunis/comfort_co2_lib.js):
 *   a timestamped data frame and an alarm frame.
 */
import { describe, expect, it } from 'vitest'
import { adeunisComfortCo2 } from './adeunis-comfort-co2.ts'
import { fromHex } from './bytes.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'

const codec = adeunisComfortCo2

describe('Adeunis COMFORT CO2 codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['adeunis-comfort-co2', 'Adeunis', 'COMFORT CO2'])
  })

  it('reads a negative temperature (constructed: 0xFF9C → -10.0 °C)', () => {
    expect(codec.decode(fromHex('6A00 FF9C 32 0190'), 1)).toEqual({ temperature: -10, humidity: 50, co2: 400 })
  })

  it('returns nothing for the documented frames without readings (constructed: configuration, software version, daily statistics)', () => {
    expect(codec.decode(fromHex('1000 0001 0006 0001 012C 00'), 1)).toEqual({})
    expect(codec.decode(fromHex('3700 020302 010000'), 1)).toEqual({})
    expect(codec.decode(fromHex('3000 01 03 01B3 0640 3E 00D7'), 1)).toEqual({})
  })

  it('refuses unknown frame codes and malformed frames', () => {
    expect(refusal(codec, '4C00 00D7 2D', 1)).toMatch(/frame code 0x4c is not documented for the COMFORT CO2/)
    expect(refusal(codec, '', 1)).toMatch(/truncated frame: frame code/)
    expect(refusal(codec, '6A', 1)).toMatch(/truncated frame: status byte/)
    expect(refusal(codec, '6A80', 1)).toMatch(/0 data bytes, expected whole 5-byte records/)
    expect(refusal(codec, '6A80 01B33E01', 1)).toMatch(/4 data bytes, expected whole 5-byte records/)
    expect(refusal(codec, '6A84 01B33E01A4', 1)).toMatch(/1 data bytes/)
    expect(refusal(codec, '6A84 01', 1)).toMatch(/the status announces a timestamp, the frame has 3 bytes/)
    expect(refusal(codec, '6B00 30 0104 2D', 1)).toMatch(/alarm frame \(frame 0x6b\): 4 data bytes, expected 6/)
  })
})
