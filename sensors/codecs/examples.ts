/**
 * Example frames for the codec tests and the profile test, per codec id. Test data only (not
 * exported by `index.ts`).
 *
 * `source` says where the bytes AND the expected values are printed; the expected values are
 * the vendor's, converted to the codec's field names. Frames not printed by any vendor document
 * are marked `constructed` (built by hand from the documented layout, with the reason): they are
 * not vendor examples. Vendor documents are quoted by repository + path, or by URL.
 */
import { CodecError, type DecodedObject, type PayloadCodec } from './codec.ts'
import { fromHex } from './bytes.ts'

export interface FrameExample {
  readonly source: string
  readonly hex: string
  readonly fPort: number
  readonly expected: DecodedObject
  /** Set when the frame is not printed by the vendor: how and why it was built. */
  readonly constructed?: string
  readonly note?: string
}

const SENSOR_DECODERS = 'Milesight-IoT/SensorDecoders'
const TTN = 'TheThingsNetwork/lorawan-devices'
const AM103_GUIDE = 'Milesight AM103 & AM103L User Guide §6 "Device Payload" (mirror: http://38.142.81.21:8001/manual/xiamen-milesight-iot/am103/user-s-guide-english/page-18.html and page-19.html)'
const EM500_CO2_UPLINK = 'Milesight "EM500-CO2 Uplink Data", https://www.milesight.com/products/docs/en/em500-co2/protocol/em500/em500-co2-uplink.html'
const LHT65_MANUAL = 'Dragino LHT65 User Manual §2.4 "Uplink Payload"'
const ADEUNIS_LIB = 'Adeunis codec library, github.com/sln-nc/adeunis-codecs-lib'

export const EXAMPLES: Readonly<Record<string, readonly FrameExample[]>> = {
  'milesight-am103': [
    {
      source: `${SENSOR_DECODERS} am-series/am103/README.md (also AM_Series/AM103/README.md), "Example"`,
      hex: '017564 03671801 04686D 077DC501', fPort: 85,
      expected: { battery: 100, temperature: 28, humidity: 54.5, co2: 453 },
    },
    {
      source: `${TTN} vendor/milesight-iot/am103-codec.yaml, example 1`,
      hex: '01755C 03673401 046865 077DE704', fPort: 85,
      expected: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255 },
    },
    {
      source: `${AM103_GUIDE}, §6.2 periodic package`,
      hex: '0367ff00 04684f 077d1303', fPort: 85,
      expected: { temperature: 25.5, humidity: 39.5, co2: 787 },
    },
    {
      source: `${AM103_GUIDE}, §6.2 alarm package (CO₂ above the Bad threshold)`,
      hex: '077d0a06', fPort: 85,
      expected: { co2: 1546 },
    },
    {
      source: `${AM103_GUIDE}, §6.1 basic information (power on, SN, hardware/software version, class, sensor status)`,
      hex: 'ff0bff ff166710b32620711912 ff090100 ff0a0101 ff0f00 ff180013', fPort: 85,
      expected: {},
    },
  ],
  'milesight-am307': [
    {
      source: `${SENSOR_DECODERS} am-series/am307/README.md, "Example" (vendor output: pir "trigger", tvoc 0.37)`,
      hex: '0367EE00 04687C 050001 06CB02 077DA803 087D2500 09736627', fPort: 85,
      expected: { temperature: 23.8, humidity: 62, motion: 1, light_level: 2, co2: 936, tvoc_iaq: 0.37, pressure: 1008.6 },
    },
    {
      source: `${TTN} vendor/milesight-iot/am307-codec.yaml, example 3`,
      hex: '077DE704 087D0700 09733F27', fPort: 85,
      expected: { co2: 1255, tvoc_iaq: 0.07, pressure: 1004.7 },
      note: 'the TTN file expects "tvoc: 7": it was written for the older decoder that did not divide the IAQ value by 100 (see milesight-am307.ts)',
    },
    {
      source: `${SENSOR_DECODERS} am-series/am307/README.md, Telemetry table`,
      constructed: 'no vendor frame shows the battery, the idle PIR, the µg/m³ TVOC type or the buzzer record: battery 100 %, PIR 0, TVOC 0x08 0xE6 = 500 µg/m³, buzzer 0x0E 0x01 off',
      hex: '017564 050000 08E6F401 0E0100', fPort: 85,
      expected: { battery: 100, motion: 0, tvoc: 500 },
    },
  ],
  'milesight-em300-th': [
    {
      source: `${SENSOR_DECODERS} em-series/em300-th/README.md (also EM_Series/EM300_Series/EM300-TH/README.md), "Example"`,
      hex: '01755C 03673401 046865', fPort: 85,
      expected: { battery: 92, temperature: 30.8, humidity: 50.5 },
    },
    {
      source: `${TTN} vendor/milesight-iot/em300-th-codec.yaml, example 1`,
      hex: '017532 0367C800 04683C', fPort: 1,
      expected: { battery: 50, temperature: 20, humidity: 30 },
    },
    {
      source: `${SENSOR_DECODERS} em-series/em300-th/README.md, Telemetry table (temperature int16 /10)`,
      constructed: 'no vendor frame has a temperature below zero: 0xFF9C = -100 → -10.0 °C',
      hex: '03679CFF', fPort: 85,
      expected: { temperature: -10 },
    },
  ],
  'milesight-em500-co2': [
    {
      source: `${SENSOR_DECODERS} em-series/em500-co2/README.md (also EM_Series/EM500_Series/EM500-CO2/README.md), "Example"`,
      hex: '01756403671901 046873 057D6704 06736827', fPort: 85,
      expected: { battery: 100, temperature: 28.1, humidity: 57.5, co2: 1127, pressure: 1008.8 },
    },
    {
      source: `${TTN} vendor/milesight-iot/em500-co2-codec.yaml, example 1`,
      hex: '01755C 03673401 046865 057d6704 06736827', fPort: 85,
      expected: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1127, pressure: 1008.8 },
    },
    {
      source: `${TTN} vendor/milesight-iot/em500-co2-codec.yaml, example 2`,
      hex: '03671001 046871 057d6704 06736827', fPort: 85,
      expected: { temperature: 27.2, humidity: 56.5, co2: 1127, pressure: 1008.8 },
    },
    {
      source: `${EM500_CO2_UPLINK}, "Periodic Report" example`,
      hex: '03671001 046871 057dcd04 06735127', fPort: 85,
      expected: { temperature: 27.2, humidity: 56.5, co2: 1229, pressure: 1006.5 },
    },
    {
      source: `${EM500_CO2_UPLINK}, "Basic Information" example`,
      hex: 'ff0bff ff0101 ff166136c40091605408 ff090200 ff0a0101 ff0f00', fPort: 85,
      expected: {},
    },
    {
      source: `${EM500_CO2_UPLINK}, table row "Temperature Mutation Alarm" (83 d7: temperature, mutation, byte 5 = 02)`,
      constructed: 'the page gives the layout but no example frame: 27.2 °C, mutation 5.0 °C, kind 02',
      hex: '83D7 1001 3200 02', fPort: 85,
      expected: { temperature: 27.2 },
    },
  ],
  'elsys-ers-co2': [
    {
      source: `${TTN} vendor/elsys/ers-co2-codec.yaml, example "ERS CO2 temperature, humidity, light, motion and co2"`,
      hex: '0100E2 0229 040027 0506 060308', fPort: 1,
      expected: { temperature: 22.6, humidity: 41, illuminance: 39, motion_count: 6, co2: 776 },
    },
    {
      source: `${TTN} vendor/elsys/ers-co2-lite-codec.yaml, example (ERS CO2 Lite: same Elsys payload)`,
      hex: '0100E2 0229 060308', fPort: 1,
      expected: { temperature: 22.6, humidity: 41, co2: 776 },
    },
    {
      source: `${TTN} vendor/elsys/elsys.js, type table (0x07 VDD, 2 bytes, mV)`,
      constructed: 'no Elsys example with the battery voltage could be read here: the vendor frame above + 07 0D62 (3426 mV). The same bytes are printed as "the Elsys example" by many third-party decoders, which was not checked against an Elsys document',
      hex: '0100E2 0229 040027 0506 060308 070D62', fPort: 5,
      expected: { temperature: 22.6, humidity: 41, illuminance: 39, motion_count: 6, co2: 776, battery_voltage: 3.426 },
    },
  ],
  'dragino-lht65': [
    {
      source: `${TTN} vendor/dragino/lht65-codec.yaml, example "Temperature" (values also in ${LHT65_MANUAL}: 0x0376 → 88.6 %, 0x0ADD → 27.81 °C)`,
      hex: 'CBF6 0B0D 0376 01 0ADD 7FFF', fPort: 2,
      expected: { battery_voltage: 3.062, temperature: 28.29, humidity: 88.6, temperature_external: 27.81 },
    },
    {
      source: `${LHT65_MANUAL}, §2.4.6 Ext value: "DS18B20 temp = (0xF54F-65536)/100 = -27.37"`,
      constructed: 'the manual gives the Ext value only: placed in the frame above',
      hex: 'CBF6 0B0D 0376 01 F54F 7FFF', fPort: 2,
      expected: { battery_voltage: 3.062, temperature: 28.29, humidity: 88.6, temperature_external: -27.37 },
    },
    {
      source: `${LHT65_MANUAL}, §2.4.6: "If the external sensor is 0x01, and there is no DS18B20 connected, the temperature will be set to 7FFF"`,
      constructed: 'the frame above with the documented 0x7FFF: no external temperature',
      hex: 'CBF6 0B0D 0376 01 7FFF 7FFF', fPort: 2,
      expected: { battery_voltage: 3.062, temperature: 28.29, humidity: 88.6 },
    },
    {
      source: 'Dragino LHT65N manual §2.4.2 BAT: "0xCBA4 & 0x3FFF = 0x0BA4 = 2980 mV" (same BAT field as the LHT65)',
      constructed: 'the documented BAT value with no external sensor (Ext # 0, 7-byte frame as the LHT65 manual describes it)',
      hex: 'CBA4 0B0D 0376 00', fPort: 2,
      expected: { battery_voltage: 2.98, temperature: 28.29, humidity: 88.6 },
    },
  ],
  'adeunis-comfort-co2': [
    {
      source: `${TTN} vendor/adeunis/comfort-co2-codec.yaml, example "0x6a Comfort CO2 data" (vendor output: temperature [43.5, 43.6], humidity [62, 63], co2 [420, 421], most recent first)`,
      hex: '6A80 01B33E01A4 01B43F01A5', fPort: 1,
      expected: { temperature: 43.5, humidity: 62, co2: 420 },
    },
    {
      source: `${TTN} vendor/adeunis/comfort_co2_lib.js, 0x6a parser with the status timestamp bit (0x04)`,
      constructed: 'no vendor frame with a timestamp: one record (21.5 °C, 45 %, 1600 ppm) + 4-byte timestamp',
      hex: '6A84 00D72D0640 14ABA3E9', fPort: 1,
      expected: { temperature: 21.5, humidity: 45, co2: 1600 },
    },
    {
      source: `${TTN} vendor/adeunis/comfort_co2_lib.js, 0x6b alarm parser (flags, temperature, humidity, CO₂)`,
      constructed: 'no vendor alarm frame: temperature and CO₂ alarms active (0x30), 26.0 °C, 45 %, 1600 ppm',
      hex: '6B00 30 0104 2D 0640', fPort: 1,
      expected: { temperature: 26, humidity: 45, co2: 1600 },
    },
  ],
  'adeunis-pulse': [
    {
      source: `${TTN} vendor/adeunis/pulse-codec.yaml, example "0x5a Pulse 4 data - channel A" (vendor output: counterValues [295, 294, 292, 289, 285], timestamp 2023-12-28T19:22:17)`,
      hex: '5A67 00000127 0001 0002 0003 0004 14ABA3E9', fPort: 1,
      expected: { pulse_count_a: 295 },
    },
    {
      source: `${ADEUNIS_LIB} src/products/pulse/0x46.parser.spec.ts (counterValues 159 and 2)`,
      hex: '46800000009f00000002', fPort: 1,
      expected: { pulse_count_a: 159, pulse_count_b: 2 },
    },
    {
      source: `${ADEUNIS_LIB} src/products/pulse/0x47.parser.spec.ts (flow alarm: flows 3960 and 0, no index)`,
      hex: '47a00f780000', fPort: 1,
      expected: {},
    },
    {
      source: `${ADEUNIS_LIB} src/products/pulse/0x30.parser.spec.ts (keep-alive: 24 h flow min/max and alarm flags)`,
      hex: '30e0150400030002000100', fPort: 1,
      expected: {},
    },
    {
      source: `${ADEUNIS_LIB} src/products/pulse/status-byte.parser.spec.ts (0x20 network configuration frames)`,
      hex: '20820501', fPort: 1,
      expected: {},
    },
    {
      source: `${TTN} vendor/adeunis/pulse_lib.js, 0x5b parser (index then 2-byte decrements)`,
      constructed: 'no vendor 0x5b frame: channel B index 1024 with one decrement of 16',
      hex: '5B00 00000400 0010', fPort: 1,
      expected: { pulse_count_b: 1024 },
    },
  ],
}

/** The examples of one codec; throws when there are none (an empty table would pass silently). */
export function examplesOf(codecId: string): readonly FrameExample[] {
  const examples = EXAMPLES[codecId]
  if (examples === undefined || examples.length === 0) throw new Error(`no example frame for ${codecId}`)
  return examples
}

/** Test title: documented or constructed, the bytes, and where they come from. */
export function exampleTitle(example: FrameExample): string {
  const kind = example.constructed === undefined ? 'documented' : 'constructed'
  return `${kind} ${example.hex.replace(/\s+/g, '')} (fPort ${example.fPort}) — ${example.source}`
}

/** The CodecError message for a frame the codec must refuse; throws if it is accepted or fails otherwise. */
export function refusal(codec: PayloadCodec, hex: string, fPort: number): string {
  let decoded: DecodedObject
  try {
    decoded = codec.decode(fromHex(hex), fPort)
  } catch (error) {
    if (error instanceof CodecError) return error.message
    throw error
  }
  throw new Error(`${codec.id} accepted ${hex}: ${JSON.stringify(decoded)}`)
}
