/**
 * Elsys ERS CO2. Example frames (bytes and expected values, see examples.ts):
 * - TheThingsNetwork/lorawan-devices vendor/elsys/ers-co2-codec.yaml (Elsys's entry);
 * - TheThingsNetwork/lorawan-devices vendor/elsys/ers-co2-lite-codec.yaml (same Elsys payload);
 * - one frame constructed from the Elsys type table (VDD): no Elsys-printed frame with the
 *   battery voltage could be read from here.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { elsysErsCo2 } from './elsys-ers-co2.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'

const codec = elsysErsCo2

describe('Elsys ERS CO2 codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['elsys-ers-co2', 'Elsys', 'ERS CO2'])
  })

  it('reads the temperature as signed (constructed: 0xFF9C → -10.0 °C)', () => {
    expect(codec.decode(fromHex('01FF9C'), 5)).toEqual({ temperature: -10 })
  })

  it('refuses types the ERS CO2 does not send (their lengths would be guesses)', () => {
    expect(refusal(codec, '0100E2 0C00E2', 5)).toMatch(/type 0x0c at offset 3 is not one the ERS CO2 sends/)
    expect(refusal(codec, '3E0401020304', 5)).toMatch(/type 0x3e at offset 0/)
  })

  it('refuses malformed frames', () => {
    expect(refusal(codec, '', 5)).toMatch(/empty frame/)
    expect(refusal(codec, '0100', 5)).toMatch(/truncated frame.*temperature/)
    expect(refusal(codec, '0100E2 06', 5)).toMatch(/truncated frame.*co2/)
    expect(refusal(codec, '0229 022A', 5)).toMatch(/humidity \(type 0x02\) appears twice/)
  })
})
