import { readFile } from 'node:fs/promises'
import { InvalidInputError } from '../core/index.ts'
import { cliActor, loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

export const devicesCommand: Command = {
  name: 'devices',
  summary: 'Provision devices: `devices import <file.json>` (an array of device objects, as POST /api/devices takes)',
  usage: 'territoire devices import <file.json>',
  options: {},
  details: () =>
    [
      'Each object: { "id", "name"?, "devEui"? (LoRaWAN), "senmlBaseName"? (SenML), "profile"?, "buildingId"?,',
      '               "location"? [lon, lat], "fields"? { "<field>": { "quantity", "unit", "kind"?, "min"?, "max"? } } }',
      'Importing again updates the devices (nothing is created twice); sensors are never deleted.',
      'Uses DATABASE_URL, or the embedded database in HUB_DATA_DIR (stop the hub first, or use POST /api/devices).',
    ].join('\n'),
  async run({ positionals, env }) {
    const [action, file, ...extra] = positionals
    if (action !== 'import' || !file || extra.length > 0) throw new InvalidInputError('usage: territoire devices import <file.json>')
    const { config, log } = loadConfig(env)
    const { parseDeviceSpec, provisionDevices } = await import('../ingestion/index.ts')
    let json: unknown
    try {
      json = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`)
    }
    if (!Array.isArray(json)) throw new InvalidInputError(`${file} must hold a JSON array of devices`)
    const specs = json.map((item, i) => parseDeviceSpec(item, `${file}[${i}]`))
    const { recordAudit } = await import('../sql/index.ts')
    const report = await withDatabase(config, log, async (database) => {
      const done = await provisionDevices(database.db, specs, 'upsert')
      await recordAudit(database.db, { actor: cliActor(env), action: 'devices.provision', target: specs.length === 1 ? specs[0]!.id : null, detail: { via: 'cli', file, devices: specs.length, created: done.created, updated: done.updated } })
      return done
    })
    process.stdout.write(`${specs.length} device(s): ${report.created} created, ${report.updated} updated, ${report.sensors} sensor(s)\n`)
    return 0
  },
}
