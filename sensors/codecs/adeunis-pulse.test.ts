/**
 * Adeunis PULSE. Example frames (bytes and expected values, see examples.ts):
 * - TheThingsNetwork/lorawan-devices vendor/adeunis/pulse-codec.yaml (Adeunis's entry, PULSE 4 0x5A);
 * - the Adeunis codec library's unit tests (github.com/sln-nc/adeunis-codecs-lib,
 *   src/products/pulse/*.spec.ts: 0x46 data, 0x47 alarm, 0x30 keep-alive, 0x20 configuration, 0x48 history);
 * - one frame constructed from the 0x5B layout (channel B), which no vendor example shows.
 */
import { describe, expect, it } from 'vitest'
import { adeunisPulse } from './adeunis-pulse.ts'
import { fromHex } from './bytes.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'

const codec = adeunisPulse
const LIB = 'github.com/sln-nc/adeunis-codecs-lib src/products/pulse/0x48.parser.spec.ts'

describe('Adeunis PULSE codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['adeunis-pulse', 'Adeunis', 'PULSE'])
  })

  it(`refuses the documented historic data frames (${LIB})`, () => {
    for (const hex of ['4820000000010000000200000100020003000400050006000700080009000a', '4820000000010000000200', '4820010001000200030004']) {
      expect(refusal(codec, hex, 1)).toMatch(/historic data frame \(0x48\)/)
    }
  })

  it('reads the full 32-bit range and skips a PULSE 4 timestamp (constructed)', () => {
    expect(codec.decode(fromHex('4684 FFFFFFFF 00000000 14ABA3E9'), 1)).toEqual({ pulse_count_a: 4294967295, pulse_count_b: 0 })
  })

  it('refuses unknown frame codes and malformed frames', () => {
    expect(refusal(codec, '6A80 01B33E01A4', 1)).toMatch(/frame code 0x6a is not documented for the PULSE/)
    expect(refusal(codec, '46', 1)).toMatch(/truncated frame: status byte/)
    expect(refusal(codec, '4680 0000009f 000000', 1)).toMatch(/data frame \(frame 0x46\): 7 data bytes, expected 8/)
    expect(refusal(codec, '4684 0000009f 00000002', 1)).toMatch(/4 data bytes, expected 8/)
    expect(refusal(codec, '5A00 000001', 1)).toMatch(/3 data bytes, expected a 4-byte index/)
    expect(refusal(codec, '5A00 00000127 00', 1)).toMatch(/5 data bytes/)
  })
})
