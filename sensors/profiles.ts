/**
 * Device profiles: what the fields a device reports mean — quantity, SenML unit, gauge or
 * counter, and the plausible range outside which a value is refused as out of range. A vendor
 * device's profile has the id of its codec (`sensors/codecs/`); the generic profiles are for
 * devices whose payload the network server decodes, or that speak SenML.
 *
 * Units are SenML units from the IANA "Sensor Measurement Lists (SenML)" registry
 * (https://www.iana.org/assignments/senml): "SenML Units" (RFC 8428) and "Secondary Units"
 * (RFC 8798). Dimensionless indexes (a PIR state, a light level on a 0–5 scale, an IAQ index)
 * have no registered unit of their own: they use '/', the registered unit "1 (ratio e.g.,
 * value of a switch)".
 *
 * Ranges are the device's documented measuring or operating range where one is known; the
 * comments say where each comes from, and which are bounds of the payload field instead.
 */

export interface FieldSpec {
  /** temperature, humidity, co2, tvoc, pressure, illuminance, battery, battery_voltage, motion, pulse_count, energy_index… */
  readonly quantity: string
  /** SenML unit: 'Cel', '%RH', 'ppm', 'hPa', 'lx', '%EL', 'V', 'count', 'kWh'… */
  readonly unit: string
  /** counter = cumulative index (energy meters, pulse counters). */
  readonly kind: 'gauge' | 'counter'
  /** Plausible range: values outside are refused as out_of_range. */
  readonly min: number
  readonly max: number
  /** A meter's energy carrier (electricity, gas, heat_network, fuel_oil, water): its readings count in the energy indicators. */
  readonly carrier?: string
}

export interface DeviceProfile {
  /** Same as the codec id for vendor devices. */
  readonly id: string
  readonly vendor: string
  readonly model: string
  /** French, one line. */
  readonly description: string
  /** Codec id, or null when the network server always decodes. */
  readonly codec: string | null
  /** Keyed by decoded field name. */
  readonly fields: Readonly<Record<string, FieldSpec>>
}

/**
 * The SenML units the profiles may use, each checked in the IANA registry: primary units
 * (RFC 8428: Cel, %RH, %EL, V, W, lx, count, /) and secondary units (RFC 8798: ppm, hPa, kWh, Wh,
 * kW, ug/m3; m3 is primary).
 */
export const SENML_UNITS: ReadonlySet<string> = new Set(['Cel', '%RH', '%EL', 'V', 'W', 'lx', 'count', '/', 'ppm', 'hPa', 'kWh', 'Wh', 'kW', 'm3', 'ug/m3'])

function gauge(quantity: string, unit: string, min: number, max: number): FieldSpec {
  return { quantity, unit, kind: 'gauge', min, max }
}

function counter(quantity: string, unit: string, min: number, max: number): FieldSpec {
  return { quantity, unit, kind: 'counter', min, max }
}

/** Relative humidity: the physical bounds. */
const HUMIDITY = gauge('humidity', '%RH', 0, 100)
/** Milesight battery level, uint8 percentage. */
const BATTERY_PERCENT = gauge('battery', '%EL', 0, 100)
/**
 * Battery voltage of a 3.6 V lithium-cell device (Elsys ERS, Dragino LHT65): a fresh cell
 * reads about 3.6 V, and below about 2 V these devices can no longer run and report.
 */
const BATTERY_VOLTAGE = gauge('battery_voltage', 'V', 2, 3.7)
/** Barometric sensor of the Milesight devices: 300–1100 hPa (Milesight datasheets). */
const PRESSURE = gauge('pressure', 'hPa', 300, 1100)
/** NDIR CO₂ range of the Milesight devices: 400–5000 ppm (Milesight datasheets). */
const MILESIGHT_CO2 = gauge('co2', 'ppm', 400, 5000)
/** A 32-bit pulse counter: the width of the index register in the payload. */
const PULSE_COUNT = counter('pulse_count', 'count', 0, 0xffffffff)

const PROFILES: readonly DeviceProfile[] = [
  {
    id: 'milesight-am103',
    vendor: 'Milesight',
    model: 'AM103',
    description: 'Capteur d’ambiance intérieure (température, humidité, CO₂)',
    codec: 'milesight-am103',
    fields: {
      temperature: gauge('temperature', 'Cel', -20, 60), // AM103 datasheet measuring range
      humidity: HUMIDITY,
      co2: MILESIGHT_CO2,
      battery: BATTERY_PERCENT,
    },
  },
  {
    id: 'milesight-am307',
    vendor: 'Milesight',
    model: 'AM307',
    description: 'Capteur d’ambiance intérieure 7 en 1 (température, humidité, présence, luminosité, CO₂, COV, pression)',
    codec: 'milesight-am307',
    fields: {
      temperature: gauge('temperature', 'Cel', -20, 60), // AM300 series datasheet measuring range
      humidity: HUMIDITY,
      motion: gauge('motion', '/', 0, 1), // PIR state: 0 idle, 1 triggered
      light_level: gauge('light_level', '/', 0, 5), // the AM307's light level scale, not lux
      co2: MILESIGHT_CO2,
      tvoc_iaq: gauge('tvoc_iaq', '/', 0, 5), // IAQ index, 0.01 steps; 0–5 assumed (doubt: see milesight-am307.ts)
      tvoc: gauge('tvoc', 'ug/m3', 0, 60000), // TVOC in µg/m³ mode (doubt: upper bound of the sensor, not re-checked)
      pressure: PRESSURE,
      battery: BATTERY_PERCENT,
    },
  },
  {
    id: 'milesight-em300-th',
    vendor: 'Milesight',
    model: 'EM300-TH',
    description: 'Capteur de température et d’humidité (intérieur ou extérieur abrité)',
    codec: 'milesight-em300-th',
    fields: {
      temperature: gauge('temperature', 'Cel', -40, 85), // EM300-TH datasheet measuring range
      humidity: HUMIDITY,
      battery: BATTERY_PERCENT,
    },
  },
  {
    id: 'milesight-em500-co2',
    vendor: 'Milesight',
    model: 'EM500-CO2',
    description: 'Capteur de CO₂, température, humidité et pression atmosphérique',
    codec: 'milesight-em500-co2',
    fields: {
      temperature: gauge('temperature', 'Cel', -30, 70), // EM500 series operating range
      humidity: HUMIDITY,
      co2: MILESIGHT_CO2,
      pressure: PRESSURE,
      battery: BATTERY_PERCENT,
    },
  },
  {
    id: 'elsys-ers-co2',
    vendor: 'Elsys',
    model: 'ERS CO2',
    description: 'Capteur d’ambiance intérieure (température, humidité, luminosité, mouvement, CO₂)',
    codec: 'elsys-ers-co2',
    fields: {
      temperature: gauge('temperature', 'Cel', 0, 50), // operating range Elsys gives in TTN vendor/elsys/ers-co2.yaml
      humidity: HUMIDITY,
      illuminance: gauge('illuminance', 'lx', 0, 65535), // bounds of the 2-byte light field (Elsys type table)
      motion_count: gauge('motion_count', 'count', 0, 255), // PIR detections since the last report, 1 byte
      co2: gauge('co2', 'ppm', 0, 10000), // ERS CO2 datasheet range
      battery_voltage: BATTERY_VOLTAGE,
    },
  },
  {
    id: 'dragino-lht65',
    vendor: 'Dragino',
    model: 'LHT65',
    description: 'Capteur de température et d’humidité avec sonde de température externe',
    codec: 'dragino-lht65',
    fields: {
      battery_voltage: BATTERY_VOLTAGE,
      temperature: gauge('temperature', 'Cel', -40, 85), // built-in sensor operating range (Dragino manual)
      humidity: HUMIDITY,
      temperature_external: gauge('temperature', 'Cel', -55, 125), // DS18B20 probe operating range (Dragino manual)
    },
  },
  {
    id: 'adeunis-comfort-co2',
    vendor: 'Adeunis',
    model: 'COMFORT CO2',
    description: 'Capteur de confort intérieur (température, humidité, CO₂)',
    codec: 'adeunis-comfort-co2',
    fields: {
      temperature: gauge('temperature', 'Cel', 0, 50), // indoor operating range (doubt: not re-checked in the Adeunis datasheet)
      humidity: HUMIDITY,
      co2: gauge('co2', 'ppm', 0, 5000), // NDIR range (doubt: not re-checked in the Adeunis datasheet)
    },
  },
  {
    id: 'adeunis-pulse',
    vendor: 'Adeunis',
    model: 'PULSE',
    description: 'Compteur d’impulsions deux voies pour compteurs d’eau, de gaz ou d’électricité',
    codec: 'adeunis-pulse',
    fields: {
      pulse_count_a: PULSE_COUNT,
      pulse_count_b: PULSE_COUNT,
    },
  },
  {
    id: 'generic-ambiance',
    vendor: 'Générique',
    model: 'Ambiance',
    description: 'Capteur d’ambiance générique décodé par le serveur réseau ou en SenML (température, humidité, CO₂)',
    codec: null,
    fields: {
      temperature: gauge('temperature', 'Cel', -40, 85), // the usual range of building sensor electronics
      humidity: HUMIDITY,
      co2: gauge('co2', 'ppm', 0, 10000), // the widest range of common NDIR indoor sensors
    },
  },
  {
    id: 'generic-electricity-meter',
    vendor: 'Générique',
    model: 'Compteur électrique',
    description: 'Compteur d’électricité générique décodé par le serveur réseau ou en SenML (index d’énergie)',
    codec: null,
    fields: {
      energy_index: { ...counter('energy_index', 'kWh', 0, 99_999_999), carrier: 'electricity' }, // an 8-digit kWh register, the usual meter display
    },
  },
]

export const DEVICE_PROFILES: ReadonlyMap<string, DeviceProfile> = new Map(PROFILES.map((profile) => [profile.id, profile]))

export function findProfile(id: string): DeviceProfile | undefined {
  return DEVICE_PROFILES.get(id)
}
