import { readFile, rename, writeFile } from 'node:fs/promises'
import { InvalidInputError } from '../core/index.ts'
import { cliActor, loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

const USAGE = [
  'territoire mqtt-credentials create --device <id> [--replace]',
  '       territoire mqtt-credentials create --integration <name> --topic <filter> [--topic <filter>…] [--replace]',
  '       territoire mqtt-credentials list [--all]',
  '       territoire mqtt-credentials revoke <username>',
  '       territoire mqtt-credentials export --password-file <path> --acl-file <path> [--ingestion-user <name>] [--ingestion-password-stdin]',
].join('\n')

export const mqttCredentialsCommand: Command = {
  name: 'mqtt-credentials',
  summary: 'Per-device MQTT credentials: `create`, `list`, `revoke`, and `export` as Mosquitto password and ACL files',
  usage: USAGE,
  options: {
    device: { type: 'string', description: 'create: the credential of this provisioned device (its username is the device id)' },
    integration: { type: 'string', description: 'create: the credential of a network-server integration, by this username' },
    topic: { type: 'string', multiple: true, description: 'create --integration: a topic filter it may publish to (repeat for several)' },
    replace: { type: 'boolean', description: 'create: give an existing credential a new password (rotation)' },
    all: { type: 'boolean', description: 'list: revoked credentials too' },
    'password-file': { type: 'string', description: 'export: where to write Mosquitto\'s password_file' },
    'acl-file': { type: 'string', description: 'export: where to write Mosquitto\'s acl_file' },
    'ingestion-user': { type: 'string', description: 'export: the hub ingestion\'s username (default territoire-ingestion)' },
    'ingestion-password-stdin': { type: 'boolean', description: 'export: read the ingestion\'s password from stdin (else kept from the existing password file, or generated)' },
  },
  details: () =>
    [
      'A device may publish only to the topics carrying its identity: territoire/senml/<id> with a SenML base name; with a',
      'DevEUI, application/+/device/<deveui>/event/{up,log} (ChirpStack v4) and v3/+/devices/eui-<deveui>/up (The Things Stack).',
      'An integration publishes to the filters given, e.g. --topic "v3/my-app@ttn/devices/+/up". `create` prints the password',
      'once. The embedded broker reads the credentials from the database (a revocation applies within 5 s); for Mosquitto,',
      '`export` the files again and reload it (kill -HUP) after every change — docs/SECURITY.md, "Devices on MQTT".',
      'Uses DATABASE_URL, or the embedded database in HUB_DATA_DIR (stop the hub first, or use the API).',
    ].join('\n'),
  async run({ positionals, values, env }) {
    const [action, ...rest] = positionals
    const credentials = await import('../ingestion/mqtt-credentials.ts')
    const actor = cliActor(env)
    const text = (name: string): string | undefined => values[name] as string | undefined
    const allowed = (names: readonly string[]) => {
      const extra = Object.keys(values).filter((name) => values[name] !== undefined && !names.includes(name))
      if (extra.length > 0) throw new InvalidInputError(`mqtt-credentials ${action}: --${extra[0]} does not apply here (usage: ${USAGE.split('\n')[0]} …)`)
    }

    switch (action) {
      case 'create': {
        allowed(['device', 'integration', 'topic', 'replace'])
        if (rest.length > 0) throw new InvalidInputError(`usage: ${USAGE}`)
        const device = text('device')
        const integration = text('integration')
        const topics = (values.topic as string[] | undefined) ?? []
        if ((device === undefined) === (integration === undefined)) throw new InvalidInputError('create needs --device <id> or --integration <name> (one of them)')
        if (device !== undefined && topics.length > 0) throw new InvalidInputError('--topic is for --integration: a device\'s topics follow from its DevEUI and SenML base name')
        const { config, log } = loadConfig(env)
        const replace = values.replace === true
        const created = await withDatabase(config, log, (database) =>
          device !== undefined
            ? credentials.createDeviceCredential(database.db, device, { actor, replace })
            : credentials.createIntegrationCredential(database.db, integration!, topics, { actor, replace }))
        process.stdout.write([
          `username: ${created.username}`,
          `password: ${created.password}`,
          `may publish to: ${created.topics.join(' ')}`,
          'The password is shown only now: give it to the device or the network server. For Mosquitto, export the files again and reload it.',
        ].join('\n') + '\n')
        return 0
      }
      case 'list': {
        allowed(['all'])
        if (rest.length > 0) throw new InvalidInputError(`usage: ${USAGE}`)
        const { config, log } = loadConfig(env)
        const list = await withDatabase(config, log, (database) => credentials.listCredentials(database.db, { includeRevoked: values.all === true }))
        if (list.length === 0) process.stdout.write('no MQTT credential\n')
        for (const c of list) {
          const owner = c.deviceId === null ? 'integration' : `device ${c.deviceId}`
          const state = c.revokedAt === null ? 'active' : `revoked ${c.revokedAt.toISOString()}`
          process.stdout.write(`${c.username}\t${owner}\t${state}\t${c.createdAt.toISOString()} by ${c.createdBy}\t${c.topics.join(' ')}\n`)
        }
        return 0
      }
      case 'revoke': {
        allowed([])
        const [username, ...extra] = rest
        if (username === undefined || extra.length > 0) throw new InvalidInputError('usage: territoire mqtt-credentials revoke <username>')
        const { config, log } = loadConfig(env)
        await withDatabase(config, log, (database) => credentials.revokeCredential(database.db, username, actor))
        process.stdout.write(`revoked ${username}: the embedded broker refuses it within 5 s; for Mosquitto, export the files again and reload it\n`)
        return 0
      }
      case 'export': {
        allowed(['password-file', 'acl-file', 'ingestion-user', 'ingestion-password-stdin'])
        const passwordFile = text('password-file')
        const aclFile = text('acl-file')
        if (rest.length > 0 || passwordFile === undefined || aclFile === undefined) throw new InvalidInputError('export needs --password-file <path> and --acl-file <path>')
        const username = credentials.checkUsername(text('ingestion-user') ?? 'territoire-ingestion')
        const { config, log } = loadConfig(env)
        const { CHOSEN_PASSWORD_ITERATIONS, generateMqttPassword, hashMqttPassword } = await import('../ingestion/mqtt-password.ts')

        // The ingestion's password: given on stdin, else the one already in the file, else a new one.
        let generated: string | null = null
        let passwordHash: string | null = null
        if (values['ingestion-password-stdin'] === true) {
          const password = (await readStdin()).replace(/\r?\n$/, '')
          if (password.length < 16) throw new InvalidInputError('the ingestion password on stdin must be at least 16 characters')
          passwordHash = await hashMqttPassword(password, CHOSEN_PASSWORD_ITERATIONS)
        } else {
          const existing = await readFile(passwordFile, 'utf8').catch(() => '')
          passwordHash = credentials.passwordHashIn(existing, username)
          if (passwordHash === null) {
            generated = generateMqttPassword()
            passwordHash = await hashMqttPassword(generated)
          }
        }
        const files = await withDatabase(config, log, (database) =>
          credentials.renderMosquittoFiles(database.db, { username, passwordHash: passwordHash!, read: config.ingestion.topics }, { actor, simulator: config.simulator.enabled }))
        await writeAtomically(passwordFile, files.passwordFile)
        await writeAtomically(aclFile, files.aclFile)
        process.stdout.write(`wrote ${passwordFile} and ${aclFile}: ${files.credentials} credential(s) and the ingestion user ${username}\n`)
        if (generated !== null) {
          process.stdout.write(`ingestion password (shown only now; the next exports keep it): ${generated}\n` +
            `set MQTT_URL=mqtt://${username}:${generated}@<mosquitto host>:1883 for the hub\n`)
        }
        process.stdout.write('reload Mosquitto to apply them: kill -HUP <pid>, or docker-compose kill -s HUP mosquitto\n')
        return 0
      }
      default:
        throw new InvalidInputError(`usage: ${USAGE}`)
    }
  },
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Written whole or not at all (Mosquitto may reload at any moment), readable by the owner and its
 * group only: the broker's user must be one of them (docs/SECURITY.md).
 */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, content, { mode: 0o640 })
  await rename(temporary, file)
}
