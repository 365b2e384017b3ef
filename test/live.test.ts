/**
 * The live stream of an EPCI (server-sent events) on the run's engines: a new latest value of one
 * of its sensors, and an alert raised on one of its buildings, reach an open stream; another EPCI's
 * stream hears neither; an unknown EPCI is a 404 problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveFeed } from '../api/index.ts'
import { silentLogger } from '../core/index.ts'
import { parseDeviceSpec, provisionDevices, ReadingWriter } from '../ingestion/index.ts'
import type { Database } from '../sql/index.ts'
import { adminFetch, openDatabase, serve, TEST_ADMIN_TOKEN, testApp, uniqueName } from './engines.ts'
import { openEventStream } from './event-stream.ts'

const ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }

const AMIENS = { insee: '80021', epci: '248000531' }
const OTHER_EPCI = '200071223' // CC Nièvre et Somme
const run = uniqueName('live').replace(/[^a-z0-9]/gi, '').slice(-10)
let database: Database
let api: { url: string; close: () => Promise<void> }
let live: LiveFeed

beforeAll(async () => {
  database = await openDatabase()
  live = new LiveFeed(database.db, silentLogger)
  api = await serve((await testApp(database, { live })).app)
  await database.pool.query(
    `INSERT INTO building (id, nom, usage, floor_area_m2, commune_insee, geom) VALUES ($1, $1, 'ecole', 500, $2, ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(2.30, 49.89), 4326), 0.0002)))`,
    [`b-${run}`, AMIENS.insee])
  await provisionDevices(database.db, [parseDeviceSpec({ id: `d-${run}`, senmlBaseName: `urn:dev:d-${run}:`, profile: 'generic-ambiance', buildingId: `b-${run}` })], 'create')
})
afterAll(async () => {
  live?.close()
  await api?.close()
  await database?.close()
})

describe('GET /api/epci/{siren}/live', () => {
  it('pushes a sensor’s new latest value and a new alert to the EPCI’s stream, and to no other', async () => {
    // Measured a minute before the page opened, stored after: still news (a LoRaWAN uplink arrives late).
    const at = Date.now() - 60_000
    const amiens = await openEventStream(`${api.url}/api/epci/${AMIENS.epci}/live`, ADMIN)
    const other = await openEventStream(`${api.url}/api/epci/${OTHER_EPCI}/live`, ADMIN)
    try {
      expect(amiens.response.status).toBe(200)
      expect(amiens.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      const { rows } = await database.pool.query(`SELECT sid FROM sensor WHERE device_id = $1 AND quantity = 'co2'`, [`d-${run}`])
      await new ReadingWriter(database.db, 'Europe/Paris').write([{ sid: rows[0].sid, ts: at, value: 1234 }], [])
      live.changed() // what the hub's layer-change watcher does on a new reading
      const reading = await amiens.until((e) => e.event === 'reading' && e.data.sensor === `d-${run}.co2`)
      expect(reading.data).toEqual({ sensor: `d-${run}.co2`, device: `d-${run}`, building: `b-${run}`, quantity: 'co2', unit: 'ppm', value: 1234, at: new Date(at).toISOString() })

      const { rows: alert } = await database.pool.query(
        `INSERT INTO alert (building_id, kind, day, reason, value) VALUES ($1, 'confinement', current_date, 'Confinement de test', 5) RETURNING id`, [`b-${run}`])
      live.changed()
      const raised = await amiens.until((e) => e.event === 'alert' && e.data.building === `b-${run}`)
      expect(raised.data).toMatchObject({ id: Number(alert[0].id), kind: 'confinement', carrier: null, reason: 'Confinement de test' })
      expect(other.events.filter((e) => e.data.building === `b-${run}`)).toEqual([])
    } finally {
      await amiens.close()
      await other.close()
    }
    // Closed streams are forgotten.
    for (let i = 0; i < 40 && live.streams > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(live.streams).toBe(0)
  })

  it('answers 404 problem+json for an EPCI that is not loaded, 400 for a malformed SIREN', async () => {
    for (const [path, status] of [['/api/epci/999999999/live', 404], ['/api/epci/12/live', 400]] as const) {
      const response = await adminFetch(`${api.url}${path}`)
      expect(response.status, path).toBe(status)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })
})
