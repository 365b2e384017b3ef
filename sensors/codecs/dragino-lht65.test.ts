/**
 * Dragino LHT65. Example frames (bytes and expected values, see examples.ts):
 * - TheThingsNetwork/lorawan-devices vendor/dragino/lht65-codec.yaml (Dragino's entry), whose
 *   values are also those of the LHT65 User Manual §2.4;
 * - frames constructed from the manual's documented field values (negative probe temperature,
 *   probe absent = 0x7FFF, BAT 0xCBA4 from the LHT65N manual), which it prints without a full frame.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { draginoLht65 } from './dragino-lht65.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'

const codec = draginoLht65

describe('Dragino LHT65 codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['dragino-lht65', 'Dragino', 'LHT65'])
  })

  it('refuses the documented frame on another fPort (TTN vendor/dragino/lht65-codec.yaml, example "Unknown FPort")', () => {
    expect(refusal(codec, 'CBF60B0D0376010ADD7FFF', 42)).toMatch(/fPort 42: the LHT65 sends its readings on fPort 2/)
  })

  it('refuses the documented datalog poll reply (LHT65 User Manual §2.6, first entry, "poll message flag & Ext = 0x41")', () => {
    expect(refusal(codec, '7FFF089801464160065F97', 2)).toMatch(/datalog poll reply/)
  })

  it('omits the probe temperature when the Ext # byte says "not connected" (bit 7)', () => {
    expect(codec.decode(fromHex('CBF6 0B0D 0376 81 0ADD 7FFF'), 2)).toEqual({ battery_voltage: 3.062, temperature: 28.29, humidity: 88.6 })
  })

  it('reads a negative built-in temperature (constructed: 0xF5C6 → -26.18 °C) and ignores the ext bytes of an 11-byte Ext 0 frame', () => {
    expect(codec.decode(fromHex('CBF6 F5C6 0376 00 0000 0000'), 2)).toEqual({ battery_voltage: 3.062, temperature: -26.18, humidity: 88.6 })
  })

  it('refuses external sensor types it does not support and malformed frames', () => {
    expect(refusal(codec, 'CBF6 0B0D 0376 05 0100 0000', 2)).toMatch(/external sensor type 0x05 is not supported/)
    expect(refusal(codec, 'CBF6 0B0D 0376 09 0ADD 0000', 2)).toMatch(/external sensor type 0x09/)
    expect(refusal(codec, 'CBF6 0B0D 0376 01', 2)).toMatch(/an E1 temperature frame has 11 bytes/)
    expect(refusal(codec, 'CBF6 0B0D 0376 01 0ADD', 2)).toMatch(/7 or 11 bytes, this one 9/)
    expect(refusal(codec, '', 2)).toMatch(/7 or 11 bytes, this one 0/)
  })
})
