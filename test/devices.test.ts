/**
 * Device provisioning: POST /api/devices (admin token), `territoire devices import`, and what a
 * device reads as — attributed to the current commune by its location, its sensors from its
 * profile, its readings with quantity and unit. Unknown devices are never created.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchProcessor, DEFAULT_DECODER_OPTIONS } from '../ingestion/index.ts'
import { layerVersions, type Database } from '../sql/index.ts'
import { territoire } from './territoire-command.ts'
import { adminFetch, databaseUrl, openDatabase, serve, testApp, TEST_ADMIN_TOKEN, uniqueName, json } from './engines.ts'

let database: Database
let api: { url: string; close: () => Promise<void> }
let provisioned = 0

beforeAll(async () => {
  database = await openDatabase()
  api = await serve((await testApp(database, { onProvisioned: () => provisioned++ })).app)
})
afterAll(async () => {
  await api?.close()
  await database?.close()
})

function post(body: unknown, token: string | null = TEST_ADMIN_TOKEN) {
  return fetch(`${api.url}/api/devices`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
}

const eui = () => randomBytes(8).toString('hex').toUpperCase()

describe('POST /api/devices', () => {
  it('needs the admin token', async () => {
    const anonymous = await post({ id: uniqueName('d'), devEui: eui(), profile: 'milesight-am103' }, null)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toMatch(/problem\+json/)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await post({ id: uniqueName('d'), devEui: eui(), profile: 'milesight-am103' }, 'wrong-token-0123456789')).status).toBe(401)
  })

  it('provisions a LoRaWAN device, attributed to the commune that absorbed the former commune it stands in', async () => {
    const id = uniqueName('co2')
    const devEui = eui()
    const response = await post({ id, name: 'CO₂ salle 12', devEui, profile: 'milesight-am103', location: [1.97306, 50.10491] })
    expect(response.status).toBe(201)
    expect(response.headers.get('location')).toBe(`/api/devices/${id}`)
    const device = await json(response)
    expect(device).toMatchObject({ id, name: 'CO₂ salle 12', devEui, profile: 'milesight-am103', location: [1.97306, 50.10491] })
    // (1.97306, 50.10491) lies in the former commune 80830 (Yaucourt-Bussus), merged into 80155.
    expect(device.commune).toEqual({ insee: '80155', nom: 'Bussus-lès-Yaucourt' })
    const { rows } = await database.pool.query('SELECT c.epci_siren AS siren, e.nom FROM commune c JOIN epci e ON e.siren = c.epci_siren WHERE c.insee = $1', ['80155'])
    expect(device.epci).toEqual({ siren: rows[0].siren, nom: rows[0].nom })
    expect(device.sensors.map((s: { field: string; unit: string }) => [s.field, s.unit])).toEqual([
      ['battery', '%EL'], ['co2', 'ppm'], ['humidity', '%RH'], ['temperature', 'Cel'],
    ])
    expect(provisioned).toBeGreaterThan(0) // the ingestion was told to forget its cached lookups
    expect(await json(await adminFetch(`${api.url}/api/devices/${id}`))).toEqual(device)
  })

  it('takes its location from its building when it has none, and maps custom fields', async () => {
    const id = uniqueName('meter')
    const response = await post({
      id,
      senmlBaseName: `urn:dev:${id}:`,
      buildingId: '80021-mairie',
      fields: { index: { quantity: 'energy_index', unit: 'kWh', kind: 'counter', min: 0 } },
    })
    expect(response.status).toBe(201)
    const device = await json(response)
    expect(device.building).toEqual({ id: '80021-mairie', nom: 'Mairie d’Amiens' })
    expect(device.commune).toEqual({ insee: '80021', nom: 'Amiens' })
    expect(device.sensors).toEqual([{ id: `${id}.index`, field: 'index', quantity: 'energy_index', unit: 'kWh', kind: 'counter', min: 0, max: null }])
  })

  it('refuses what exists already (409), and bad fields with the field named (400)', async () => {
    const id = uniqueName('dup')
    const devEui = eui()
    expect((await post({ id, devEui, profile: 'milesight-em300-th' })).status).toBe(201)
    expect((await post({ id, devEui: eui(), profile: 'milesight-em300-th' })).status).toBe(409)
    const taken = await post({ id: uniqueName('other'), devEui: devEui.toLowerCase(), profile: 'milesight-em300-th' })
    expect(taken.status).toBe(409)
    expect((await json(taken)).detail).toContain(`already belongs to device ${id}`)

    for (const [body, parameter] of [
      [{ id: uniqueName('x'), devEui: '12345', profile: 'milesight-am103' }, 'devEui'],
      [{ id: uniqueName('x'), devEui: eui(), profile: 'no-such-profile' }, 'profile'],
      [{ id: uniqueName('x'), profile: 'milesight-am103' }, 'devEui'],
      [{ id: uniqueName('x'), devEui: eui(), profile: 'milesight-am103', location: [200, 50] }, 'location'],
      [{ id: 'bad id!', devEui: eui(), profile: 'milesight-am103' }, 'id'],
      [{ id: uniqueName('x'), devEui: eui(), profile: 'milesight-am103', colour: 'blue' }, 'colour'],
      [{ id: uniqueName('x'), devEui: eui(), buildingId: 'nowhere' , profile: 'milesight-am103'}, 'buildingId'],
      [{ id: uniqueName('x'), devEui: eui(), fields: { t: { quantity: 'temperature', unit: 'Cel', min: 10, max: 5 } } }, 'fields.t'],
    ] as const) {
      const response = await post(body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(await json(response)).toMatchObject({ status: 400, parameter })
    }
  })
})

describe('GET /api/devices/{id}/readings', () => {
  it('returns every stored reading of the device with its quantity, unit and time', async () => {
    const id = uniqueName('amb')
    const baseName = `urn:dev:${id}:`
    expect((await post({ id, senmlBaseName: baseName, profile: 'generic-ambiance' })).status).toBe(201)
    const t = Date.UTC(2025, 2, 3, 10) / 1000
    const processor = new BatchProcessor(database.db, { ...DEFAULT_DECODER_OPTIONS, timeZone: 'Europe/Paris' })
    const outcome = await processor.process([{
      topic: 'territoire/senml/test',
      payload: Buffer.from(JSON.stringify([{ bn: baseName, bt: t, n: 'temperature', u: 'Cel', v: 19.5 }, { n: 'co2', v: 900 }])),
      receivedAt: new Date(),
    }])
    expect(outcome.inserted).toBe(2)
    const body = await json(await adminFetch(`${api.url}/api/devices/${id}/readings?from=2025-03-03T00:00:00Z&to=2025-03-04T00:00:00Z`))
    expect(body.readings).toEqual([
      { sensor: `${id}.co2`, quantity: 'co2', unit: 'ppm', time: '2025-03-03T10:00:00.000Z', value: 900 },
      { sensor: `${id}.temperature`, quantity: 'temperature', unit: 'Cel', time: '2025-03-03T10:00:00.000Z', value: 19.5 },
    ])
    expect((await adminFetch(`${api.url}/api/devices/nobody-${id}/readings`)).status).toBe(404)
  })
})

describe('territoire devices import', () => {
  it('provisions an array of devices, and importing again updates them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-devices-'))
    const file = path.join(dir, 'devices.json')
    const ids = [uniqueName('imp'), uniqueName('imp')]
    await writeFile(file, JSON.stringify([
      { id: ids[0], devEui: eui(), profile: 'dragino-lht65', location: [2.2958, 49.8941] },
      { id: ids[1], devEui: eui(), profile: 'adeunis-pulse', buildingId: '80021-ecole-1' },
    ]))
    const sensorsVersion = async () => (await layerVersions(database.pool)).get('sensors') ?? 0
    const before = await sensorsVersion()
    const first = await territoire(['devices', 'import', file], { DATABASE_URL: databaseUrl() })
    expect(first.stdout).toBe('2 device(s): 2 created, 0 updated, 6 sensor(s)\n')
    expect(first.code).toBe(0)
    // The command runs in its own process: the live layers' caches learn of the new sensors from the stored version (and a notification).
    expect(await sensorsVersion()).toBeGreaterThan(before)
    expect((await territoire(['devices', 'import', file], { DATABASE_URL: databaseUrl() })).stdout).toBe('2 device(s): 0 created, 2 updated, 6 sensor(s)\n')
    const device = await json(await adminFetch(`${api.url}/api/devices/${ids[0]}`))
    expect(device.commune).toEqual({ insee: '80021', nom: 'Amiens' })

    await writeFile(file, JSON.stringify([{ id: uniqueName('bad'), devEui: 'zz', profile: 'dragino-lht65' }]))
    const bad = await territoire(['devices', 'import', file], { DATABASE_URL: databaseUrl() })
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^territoire: .*devices\.json\[0\]\.devEui: must be 16 hexadecimal digits$/)])
  })
})
