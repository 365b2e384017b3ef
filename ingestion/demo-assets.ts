/**
 * The demo's synthetic public buildings, devices and sensors, placed inside real communes.
 * Deterministic (seeded by the commune code), so every fresh start builds the same demo.
 * Everything produced here is marked synthetic, and the UI says so.
 */
import { booleanPointInPolygon, centerOfMass } from '@turf/turf'
import type { MultiPolygon, Polygon } from 'geojson'
import { heatingKwhPerDju, meanLoadKw, normalYearDegreeDays } from '../sensors/index.ts'
import { parseDeviceSpec, type DeviceSpec } from './device-spec.ts'

export interface DemoCommune {
  readonly insee: string
  readonly nom: string
  readonly population: number
  readonly geometry: Polygon | MultiPolygon
}

export type BuildingUsage = 'mairie' | 'ecole' | 'gymnase' | 'mediatheque'

export interface DemoBuilding {
  readonly id: string
  readonly nom: string
  readonly usage: BuildingUsage
  readonly floorAreaM2: number
  readonly constructionYear: number
  readonly communeInsee: string
  readonly footprint: Polygon
  readonly center: [number, number]
  /**
   * Décret tertiaire (1,000 m² or more): a reference year of 2010–2019 and its consumption as an
   * operator would declare it (OPERAT) — the simulated year's, 15 to 65 % higher, so that some
   * buildings are on their trajectory and some are not. Null below 1,000 m².
   */
  readonly reference: { readonly year: number; readonly kwh: number } | null
}

export interface DemoAssets {
  readonly buildings: readonly DemoBuilding[]
  /** Provisioned like any device (ingestion/device-provisioning.ts), with generic profiles. */
  readonly devices: readonly DeviceSpec[]
}

/**
 * The demo's outdoor weather station: a temperature sensor of no building, at Amiens-Glisy
 * (where Météo-France has one), reading the simulator's synthetic climate. The hub takes its
 * daily minimum and maximum as the degree-days of the demo EPCI (`weather_station`).
 */
export const DEMO_WEATHER_STATION = {
  id: 'demo-meteo-amiens',
  nom: 'Station météo de démonstration (synthétique), Amiens-Glisy',
  device: parseDeviceSpec({
    id: 'demo-meteo-amiens',
    name: 'Station météo de démonstration (synthétique)',
    senmlBaseName: senmlBaseName('demo-meteo-amiens'),
    location: [2.387, 49.873],
    fields: { temperature: { quantity: 'temperature', unit: 'Cel', min: -40, max: 60 } },
  }),
  referenceDju: normalYearDegreeDays(),
} as const

/** The SenML base name of a Territoire device: records are named `<base><channel>`. */
export function senmlBaseName(deviceId: string): string {
  return `urn:dev:territoire:${deviceId}:`
}

export function generateDemoAssets(communes: readonly DemoCommune[]): DemoAssets {
  const buildings: DemoBuilding[] = []
  const devices: DeviceSpec[] = []
  for (const commune of communes) {
    const random = seededRandom(commune.insee)
    const plan = buildingPlan(commune.population)
    const perUsage = new Map<BuildingUsage, number>()
    for (const usage of plan) {
      const rank = (perUsage.get(usage) ?? 0) + 1
      perUsage.set(usage, rank)
      const count = plan.filter((u) => u === usage).length
      const id = `${commune.insee}-${usage}${count > 1 ? `-${rank}` : ''}`
      const floorAreaM2 = floorArea(usage, commune.population, random)
      const floors = usage === 'gymnase' ? 1 : usage === 'mairie' ? 2 : 1 + Math.floor(random() * 2)
      const placed = place(commune, floorAreaM2 / floors, random)
      if (!placed) continue // a commune too small for the footprint: none is invented outside it
      const building: DemoBuilding = {
        id,
        nom: buildingName(usage, commune.nom, count > 1 ? rank : null),
        usage,
        floorAreaM2,
        constructionYear: 1880 + Math.floor(random() * 140),
        communeInsee: commune.insee,
        ...placed,
        reference: referenceOf(id, usage, floorAreaM2),
      }
      buildings.push(building)
      devices.push(...devicesOf(building))
    }
  }
  return { buildings, devices }
}

/** A building's declared reference (see DemoBuilding.reference), from its own seed: the rest of the demo is drawn as before. */
function referenceOf(id: string, usage: BuildingUsage, floorAreaM2: number): DemoBuilding['reference'] {
  if (floorAreaM2 < 1_000) return null
  const random = seededRandom(`${id}/reference`)
  const meter = { deviceId: `${id}-compteur`, usage, floorAreaM2 }
  const simulatedYear = meanLoadKw(meter) * 8_760 + heatingKwhPerDju(meter) * normalYearDegreeDays()
  return { year: 2010 + Math.floor(random() * 10), kwh: Math.round(simulatedYear * (1.15 + 0.5 * random())) }
}

/** What a commune of this size runs: a town hall and a school everywhere, more in towns. */
function buildingPlan(population: number): BuildingUsage[] {
  const schools = Math.min(8, Math.max(1, Math.round(population / 4000)))
  const plan: BuildingUsage[] = ['mairie', ...Array<BuildingUsage>(schools).fill('ecole')]
  if (population >= 2000) plan.push('gymnase')
  if (population >= 5000) plan.push('mediatheque')
  return plan
}

function floorArea(usage: BuildingUsage, population: number, random: () => number): number {
  const scale = Math.min(4, Math.max(1, Math.log10(Math.max(population, 100)) - 1.5))
  const base = { mairie: 180, ecole: 450, gymnase: 1100, mediatheque: 700 }[usage]
  return Math.round(base * scale * (0.8 + random() * 0.5))
}

/** An ambiance sensor (temperature, humidity, CO₂) and an electricity meter per building, in SenML. */
function devicesOf(building: DemoBuilding): DeviceSpec[] {
  const specs = [
    { suffix: 'ambiance', nom: 'Capteur d’ambiance', profile: 'generic-ambiance' },
    { suffix: 'compteur', nom: 'Compteur électrique', profile: 'generic-electricity-meter' },
  ]
  return specs.map((spec) => {
    const id = `${building.id}-${spec.suffix}`
    return parseDeviceSpec({
      id,
      name: `${spec.nom} — ${building.nom}`,
      senmlBaseName: senmlBaseName(id),
      profile: spec.profile,
      buildingId: building.id,
      location: building.center,
    })
  })
}

/**
 * A rectangular footprint of `footprintM2` near the commune's centre of mass, every corner
 * inside the commune. Null when 200 draws found no such place.
 */
function place(commune: DemoCommune, footprintM2: number, random: () => number): Pick<DemoBuilding, 'footprint' | 'center'> | null {
  const [cx, cy] = centerOfMass(commune.geometry).geometry.coordinates as [number, number]
  const metresPerDegreeLat = 111_132
  const metresPerDegreeLon = 111_320 * Math.cos((cy * Math.PI) / 180)
  const ratio = 1.3 + random() * 1.2
  const width = Math.sqrt(footprintM2 * ratio)
  const depth = footprintM2 / width
  for (let attempt = 0; attempt < 200; attempt++) {
    const spread = 300 + attempt * 20 // metres: start near the centre, widen if the centre is odd
    const x = cx + (gaussian(random) * spread) / metresPerDegreeLon
    const y = cy + (gaussian(random) * spread) / metresPerDegreeLat
    const angle = random() * Math.PI
    const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([sx, sy]) => {
      const dx = ((sx! * width) / 2) * Math.cos(angle) - ((sy! * depth) / 2) * Math.sin(angle)
      const dy = ((sx! * width) / 2) * Math.sin(angle) + ((sy! * depth) / 2) * Math.cos(angle)
      return [round6(x + dx / metresPerDegreeLon), round6(y + dy / metresPerDegreeLat)] as [number, number]
    })
    if (corners.every((corner) => booleanPointInPolygon(corner, commune.geometry))) {
      return { footprint: { type: 'Polygon', coordinates: [[...corners, corners[0]!]] }, center: [round6(x), round6(y)] }
    }
  }
  return null
}

export function buildingName(usage: BuildingUsage, communeNom: string, rank: number | null): string {
  const noun = { mairie: 'Mairie', ecole: 'École', gymnase: 'Gymnase', mediatheque: 'Médiathèque' }[usage]
  const numbered = rank === null ? noun : `${noun} n° ${rank}`
  return `${numbered} ${ofCommune(communeNom)}`
}

/** "de Xxx" with French elision and contraction: d’Amiens, du Crotoy, des Alleux, de La Neuville. */
export function ofCommune(nom: string): string {
  if (/^Le /.test(nom)) return `du ${nom.slice(3)}`
  if (/^Les /.test(nom)) return `des ${nom.slice(4)}`
  if (/^L['’]/.test(nom)) return `de ${nom}`
  if (/^[AEIOUYÂÊÎÔÉÈ]/i.test(nom)) return `d’${nom}`
  return `de ${nom}`
}

/** mulberry32 seeded by a string: the same commune always gets the same demo. */
export function seededRandom(seed: string): () => number {
  let state = 0x9e3779b9
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 0x85ebca6b) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
