/**
 * The demo territory, loaded into an empty database on first start: the real EPCI and communes
 * of the Somme (data/somme, Licence Ouverte) and synthetic public buildings, devices and
 * sensors in three of its EPCI. A database that already has a territory is left alone.
 */
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import type { MultiPolygon } from 'geojson'
import type { Logger } from '../core/index.ts'
import { PROJECT_ROOT } from '../core/project-root.ts'
import type { SimulatedDevice } from '../sensors/index.ts'
import { inTransaction, type Schema } from '../sql/index.ts'
import { importBoundaries } from './boundaries-importer.ts'
import { readCogFiles } from './cog-files.ts'
import { DEMO_WEATHER_STATION, generateDemoAssets, type DemoAssets } from './demo-assets.ts'
import { provisionDevices, sensorId } from './device-provisioning.ts'
import { simulatedBuilding } from '../sensors/index.ts'

export const DEMO_DATA_DIR = path.join(PROJECT_ROOT, 'data', 'somme')

/** CA Amiens Métropole, CC Nièvre et Somme, CC des Villes Sœurs (which crosses into Seine-Maritime). */
export const DEMO_EPCI = ['248000531', '200071223', '247600588'] as const

export interface DemoReport {
  readonly loaded: boolean
  readonly communes: number
  readonly buildings: number
  readonly devices: number
  readonly sensors: number
}

export async function loadDemoTerritory(db: Kysely<Schema>, log: Logger): Promise<DemoReport> {
  const existing = await db.selectFrom('epci').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()
  if (existing.n > 0) {
    log.info('territory already loaded, demo not reloaded', { epci: existing.n })
    return { loaded: false, communes: 0, buildings: 0, devices: 0, sensors: 0 }
  }
  const started = Date.now()
  const input = await readCogFiles({
    epci: path.join(DEMO_DATA_DIR, 'epci-80.json'),
    communes: path.join(DEMO_DATA_DIR, 'communes-80.json'),
    polygons: path.join(DEMO_DATA_DIR, 'communes-80-somme.geojson'),
    deleguees: path.join(DEMO_DATA_DIR, 'communes-80-deleguees-associees.json'),
  })
  // One transaction: a start interrupted half-way leaves an empty database, loaded again next time.
  const { boundaries, assets } = await inTransaction(db, async (trx) => {
    const boundaries = await importBoundaries(trx, input, log)
    const communes = await trx
      .selectFrom('commune')
      .select(['insee', 'nom', 'population', sql<string>`ST_AsGeoJSON(geom, 6)`.as('geojson')])
      .where('epci_siren', 'in', [...DEMO_EPCI])
      .orderBy('insee')
      .execute()
    const assets = generateDemoAssets(
      communes.map((c) => ({ insee: c.insee, nom: c.nom, population: c.population ?? 0, geometry: JSON.parse(c.geojson) as MultiPolygon })),
    )
    await insertDemoAssets(trx, assets)
    await insertWeatherStation(trx)
    await recordDatasets(trx, boundaries.communes, assets)
    return { boundaries, assets }
  })

  const devices = [...assets.devices, DEMO_WEATHER_STATION.device]
  const sensors = devices.reduce((n, d) => n + Object.keys(d.fields).length, 0)
  log.info('demo territory loaded', {
    communes: boundaries.communes,
    buildings: assets.buildings.length,
    devices: devices.length,
    sensors,
    ms: Date.now() - started,
  })
  return { loaded: true, communes: boundaries.communes, buildings: assets.buildings.length, devices: devices.length, sensors }
}

async function insertDemoAssets(db: Kysely<Schema>, { buildings, devices }: DemoAssets): Promise<void> {
  await sql`
    INSERT INTO building (id, nom, usage, floor_area_m2, construction_year, commune_insee, synthetic, geom, reference_year, reference_kwh)
    SELECT id, nom, usage, floor_area_m2, construction_year, commune_insee, true,
           ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(footprint), 4326)), reference_year, reference_kwh
    FROM unnest(${buildings.map((b) => b.id)}::text[], ${buildings.map((b) => b.nom)}::text[], ${buildings.map((b) => b.usage)}::text[],
                ${buildings.map((b) => b.floorAreaM2)}::float8[], ${buildings.map((b) => b.constructionYear)}::int[],
                ${buildings.map((b) => b.communeInsee)}::text[], ${buildings.map((b) => JSON.stringify(b.footprint))}::text[],
                ${buildings.map((b) => b.reference?.year ?? null)}::int[], ${buildings.map((b) => b.reference?.kwh ?? null)}::float8[])
      AS b (id, nom, usage, floor_area_m2, construction_year, commune_insee, footprint, reference_year, reference_kwh)`.execute(db)
  await provisionDevices(db, [...devices, DEMO_WEATHER_STATION.device], 'upsert', { synthetic: true })
}

/** The demo's weather station (its sensor's daily minimum and maximum), the degree-days of the demo EPCI. */
async function insertWeatherStation(db: Kysely<Schema>): Promise<void> {
  const station = DEMO_WEATHER_STATION
  await sql`
    INSERT INTO weather_station (id, nom, sensor_sid, reference_dju)
    SELECT ${station.id}, ${station.nom}, sid, ${station.referenceDju} FROM sensor WHERE id = ${sensorId(station.device.id, 'temperature')}`.execute(db)
  await sql`UPDATE epci SET weather_station = ${station.id} WHERE siren = ANY(${[...DEMO_EPCI]}::text[])`.execute(db)
}

async function recordDatasets(db: Kysely<Schema>, communes: number, assets: DemoAssets): Promise<void> {
  const rows = [
    {
      id: 'communes-somme',
      title: 'Communes et EPCI de la Somme',
      source: 'IGN Admin Express COG 2018 (contours, via france-geojson) ; INSEE/DGCL COG 2026 (communes, EPCI) via @etalab/decoupage-administratif 6.0.0',
      licence: 'Licence Ouverte / Open Licence (Etalab)',
      synthetic: false,
      feature_count: communes,
    },
    {
      id: 'batiments-demo',
      title: 'Bâtiments publics, capteurs, mesures et météo de démonstration',
      source: 'Générés par Territoire (données synthétiques placées dans des communes réelles : bâtiments, consommations, air intérieur, station météo et son climat, années de référence du décret tertiaire)',
      licence: 'Licence Ouverte / Open Licence (Etalab)',
      synthetic: true,
      feature_count: assets.buildings.length,
    },
  ]
  await db.insertInto('dataset').values(rows).onConflict((oc) => oc.column('id').doNothing()).execute()
}

export async function listSimulatedDevices(db: Kysely<Schema>): Promise<SimulatedDevice[]> {
  const rows = await db
    .selectFrom('device as d')
    .leftJoin('building as b', 'b.id', 'd.building_id')
    .innerJoin('sensor as s', 's.device_id', 'd.id')
    .select(['d.id', 'd.senml_base_name', 'b.usage', 'b.floor_area_m2', 's.channel', 's.quantity', 's.unit'])
    .where('d.synthetic', '=', true)
    .where('d.senml_base_name', 'is not', null)
    .orderBy('d.id')
    .orderBy('s.channel')
    .execute()
  const devices = new Map<string, SimulatedDevice & { channels: SimulatedDevice['channels'][number][] }>()
  for (const row of rows) {
    let device = devices.get(row.id)
    if (!device) {
      const { usage, floorAreaM2 } = simulatedBuilding(row.id, row.usage, row.floor_area_m2)
      device = { id: row.id, senmlBaseName: row.senml_base_name!, usage, floorAreaM2, channels: [] }
      devices.set(row.id, device)
    }
    device.channels.push({ channel: row.channel, quantity: row.quantity, unit: row.unit })
  }
  return [...devices.values()]
}
