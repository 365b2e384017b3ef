/**
 * Milesight AM307. Example frames (bytes and expected values, see examples.ts):
 * - Milesight-IoT/SensorDecoders am-series/am307/README.md "Example";
 * - TheThingsNetwork/lorawan-devices vendor/milesight-iot/am307-codec.yaml (Milesight's entry),
 *   example 3 — whose "tvoc: 7" predates the /100 IAQ scaling (see milesight-am307.ts);
 * - one frame constructed from the README's Telemetry table (battery, idle PIR, µg/m³ TVOC, buzzer).
 * Two documented frames are refused on purpose (below): they contain channels the AM307 does not have.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { exampleTitle, examplesOf, refusal } from './examples.ts'
import { milesightAm307 } from './milesight-am307.ts'

const codec = milesightAm307

describe('Milesight AM307 codec', () => {
  for (const example of examplesOf(codec.id)) {
    it(exampleTitle(example), () => {
      expect(codec.decode(fromHex(example.hex), example.fPort)).toEqual(example.expected)
    })
  }

  it('names itself', () => {
    expect([codec.id, codec.vendor, codec.model]).toEqual(['milesight-am307', 'Milesight', 'AM307'])
  })

  it('refuses the documented TTN example 1, which carries an AM107 "activity" record (0x05 0x6A) the AM307 does not document', () => {
    // TheThingsNetwork/lorawan-devices vendor/milesight-iot/am307-codec.yaml, example 1: the vendor's
    // older decoder silently stopped at that record and returned the first three fields.
    expect(refusal(codec, '01755C 03673401 046865 056A4900', 85)).toMatch(/channel 0x05 type 0x6a at offset 10: not a channel documented for the AM307/)
  })

  it('refuses the documented AM300-family example, whose HCHO / PM channels belong to the AM319', () => {
    // Milesight-IoT/SensorDecoders AM_Series/AM300_Series/README.md "Example" (AM307 and AM319 share that README).
    const am319 = '03 67 EE 00 04 68 7C 05 00 01 06 CB 02 07 7D A8 03 08 7D 25 00 09 73 66 27 0A 7D 04 00 0B 7D 20 00 0C 7D 30 00'
    expect(refusal(codec, am319, 85)).toMatch(/channel 0x0a type 0x7d/)
  })

  it('refuses a PIR state other than the documented idle (0) and trigger (1)', () => {
    expect(refusal(codec, '050002', 85)).toMatch(/PIR state 0x02 is not documented/)
  })

  it('refuses history records (0x20 and 0x21, type 0xCE)', () => {
    // Layout from am-series/am307/README.md (16 bytes). Constructed values.
    const record = '9E744663 EE00 7C00 01 02 A803 2500 6627'
    expect(refusal(codec, `20CE ${record}`, 85)).toMatch(/history records/)
    expect(refusal(codec, `21CE ${record}`, 85)).toMatch(/history records/)
  })

  it('refuses malformed frames', () => {
    expect(refusal(codec, '', 85)).toMatch(/empty frame/)
    expect(refusal(codec, '0367EE00 0973', 85)).toMatch(/truncated frame.*pressure/)
    expect(refusal(codec, '087D25', 85)).toMatch(/truncated frame.*TVOC/)
    expect(refusal(codec, '087D2500 08E6F401 087D2600', 85)).toMatch(/tvoc_iaq appears twice/)
  })
})
