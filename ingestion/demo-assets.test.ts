import { describe, expect, it } from 'vitest'
import { booleanPointInPolygon } from '@turf/turf'
import type { Polygon } from 'geojson'
import { buildingName, generateDemoAssets, ofCommune } from './demo-assets.ts'

const square: Polygon = { type: 'Polygon', coordinates: [[[2.2, 49.8], [2.4, 49.8], [2.4, 49.95], [2.2, 49.95], [2.2, 49.8]]] }
const sliver: Polygon = { type: 'Polygon', coordinates: [[[2, 49], [2.0000001, 49], [2.0000001, 49.0000001], [2, 49]]] }

describe('demo assets', () => {
  it('gives every commune a town hall and a school, more in towns, each footprint inside the commune', () => {
    const { buildings, devices } = generateDemoAssets([
      { insee: '80021', nom: 'Amiens', population: 136_449, geometry: square },
      { insee: '80001', nom: 'Abbeville', population: 800, geometry: square },
    ])
    const usages = (insee: string) => buildings.filter((b) => b.communeInsee === insee).map((b) => b.usage)
    expect(usages('80001')).toEqual(['mairie', 'ecole'])
    expect(usages('80021').filter((u) => u === 'ecole').length).toBeGreaterThan(1)
    expect(usages('80021')).toEqual(expect.arrayContaining(['mairie', 'gymnase', 'mediatheque']))
    for (const building of buildings) {
      for (const corner of building.footprint.coordinates[0]!) expect(booleanPointInPolygon(corner, square)).toBe(true)
      expect(building.floorAreaM2).toBeGreaterThan(0)
    }
    // An ambiance sensor and a meter per building (generic profiles), with unique ids and SenML names.
    expect(devices).toHaveLength(buildings.length * 2)
    expect(new Set(devices.map((d) => d.senmlBaseName)).size).toBe(devices.length)
    expect(devices.find((d) => d.id === '80021-ecole-1-ambiance')).toMatchObject({
      senmlBaseName: 'urn:dev:territoire:80021-ecole-1-ambiance:',
      profile: 'generic-ambiance',
      buildingId: '80021-ecole-1',
    })
    expect(Object.keys(devices.find((d) => d.id === '80021-ecole-1-compteur')!.fields)).toEqual(['energy_index'])
  })

  it('is deterministic: the same communes always give the same demo', () => {
    const input = [{ insee: '80021', nom: 'Amiens', population: 136_449, geometry: square }]
    expect(generateDemoAssets(input)).toEqual(generateDemoAssets(input))
  })

  it('invents nothing outside the commune: a commune too small for a footprint gets no building', () => {
    expect(generateDemoAssets([{ insee: '80999', nom: 'Minuscule', population: 10, geometry: sliver }]).buildings).toEqual([])
  })

  it('writes French names with elision and contraction', () => {
    expect(ofCommune('Amiens')).toBe('d’Amiens')
    expect(ofCommune('Le Crotoy')).toBe('du Crotoy')
    expect(ofCommune('Les Alleux')).toBe('des Alleux')
    expect(ofCommune('La Neuville-Sire-Bernard')).toBe('de La Neuville-Sire-Bernard')
    expect(ofCommune('Ham')).toBe('de Ham')
    expect(buildingName('ecole', 'Amiens', 2)).toBe('École n° 2 d’Amiens')
  })
})
