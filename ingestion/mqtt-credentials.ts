/**
 * Per-device and per-integration MQTT credentials (migration 0013's mqtt_credential): created,
 * listed, revoked, and rendered as Mosquitto's password_file and acl_file. A password is shown
 * once, when created, and kept as its `$7$` hash (mqtt-password.ts). Each change is audited in its
 * own transaction; the audit detail never holds a password.
 *
 * What a credential may publish to:
 * - a device: exactly the topics that carry its identity, so that it cannot publish as another
 *   device — its SenML topic `territoire/senml/<device id>` (where the simulator publishes too),
 *   and with a DevEUI its ChirpStack v4 events `application/+/device/<deveui>/event/{up,log}` and
 *   its The Things Stack v3 uplink `v3/+/devices/eui-<deveui>/up` (TTS's default device id) —
 *   and on those, the ingestion refuses a payload that is another device's (topic-binding.ts);
 * - an integration (a LoRaWAN network server publishing for an application): the topic filters the
 *   administrator gives, e.g. `v3/my-app@ttn/devices/+/up`.
 * Credentials publish only: none may subscribe (no downlinks today).
 */
import type { Kysely } from 'kysely'
import { ConflictError, InvalidInputError, NotFoundError } from '../core/index.ts'
import { recordAudit, type Schema } from '../sql/index.ts'
import { senmlTopic } from '../sensors/index.ts'
import { generateMqttPassword, hashMqttPassword, isMqttPasswordHash } from './mqtt-password.ts'
import { isValidTopicFilter } from './mqtt-topic-filter.ts'

/** As the table's CHECK: a device id is always a valid username. */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export interface MqttCredential {
  readonly username: string
  /** The device it belongs to; null for an integration. */
  readonly deviceId: string | null
  readonly topics: readonly string[]
  readonly createdAt: Date
  readonly createdBy: string
  readonly revokedAt: Date | null
}

/** A credential just created: the only time its password is known. */
export interface CreatedCredential extends MqttCredential {
  readonly password: string
}

/** The topics carrying a device's identity (see the module comment). */
export function deviceTopics(device: { readonly id: string; readonly devEui: string | null; readonly senmlBaseName: string | null }): string[] {
  const topics: string[] = []
  if (device.senmlBaseName !== null) topics.push(senmlTopic(device.id))
  if (device.devEui !== null) {
    const eui = device.devEui.toLowerCase()
    topics.push(`application/+/device/${eui}/event/up`, `application/+/device/${eui}/event/log`, `v3/+/devices/eui-${eui}/up`)
  }
  return topics
}

/**
 * An integration's topic filter, checked: a valid MQTT filter, not a `$` topic, and naming
 * something — `#`, `+/#` and the like would let it publish as anyone.
 */
export function checkIntegrationTopic(filter: string): string {
  if (!isValidTopicFilter(filter)) throw new InvalidInputError(`--topic "${filter}" is not a valid MQTT topic filter (# only last, + a whole level)`, 'topic')
  if (filter.startsWith('$')) throw new InvalidInputError(`--topic "${filter}": topics starting with $ are the broker's`, 'topic')
  if (filter.split('/').every((level) => level === '+' || level === '#')) {
    throw new InvalidInputError(`--topic "${filter}" is only wildcards: name the application, e.g. v3/my-app@ttn/devices/+/up`, 'topic')
  }
  return filter
}

export function checkUsername(username: string): string {
  if (!USERNAME.test(username)) throw new InvalidInputError(`"${username}" is not a valid username (letters, digits, dot, dash, underscore; at most 64; starting with a letter or digit)`, 'username')
  return username
}

export interface CreateOptions {
  /** Who asks (the audit log's actor). */
  readonly actor: string
  /** Give an existing, active credential a new password (and, for a device, its current topics): a rotation. */
  readonly replace?: boolean
}

/** A device's credential, named after the device; its topics follow from its network identity. */
export async function createDeviceCredential(db: Kysely<Schema>, deviceId: string, options: CreateOptions): Promise<CreatedCredential> {
  const device = await db.selectFrom('device').select(['id', 'dev_eui', 'senml_base_name']).where('id', '=', deviceId).executeTakeFirst()
  if (device === undefined) throw new NotFoundError(`no device "${deviceId}": provision it first (territoire devices import)`)
  const topics = deviceTopics({ id: device.id, devEui: device.dev_eui, senmlBaseName: device.senml_base_name })
  return store(db, { username: checkUsername(device.id), deviceId: device.id, topics }, options)
}

/** An integration's credential: a network server publishing for the devices of an application. */
export async function createIntegrationCredential(db: Kysely<Schema>, name: string, topics: readonly string[], options: CreateOptions): Promise<CreatedCredential> {
  if (topics.length === 0) throw new InvalidInputError('an integration needs at least one --topic it may publish to (e.g. v3/my-app@ttn/devices/+/up)', 'topic')
  const checked = [...new Set(topics.map(checkIntegrationTopic))]
  return store(db, { username: checkUsername(name), deviceId: null, topics: checked }, options)
}

async function store(
  db: Kysely<Schema>,
  credential: { readonly username: string; readonly deviceId: string | null; readonly topics: readonly string[] },
  options: CreateOptions,
): Promise<CreatedCredential> {
  const password = generateMqttPassword()
  const passwordHash = await hashMqttPassword(password)
  const row = await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('mqtt_credential').select(['device_id', 'revoked_at']).where('username', '=', credential.username).forUpdate().executeTakeFirst()
    if (existing !== undefined && existing.revoked_at === null && !options.replace) {
      throw new ConflictError(`"${credential.username}" already has an active MQTT credential: rotate its password with --replace, or revoke it first`)
    }
    if (existing !== undefined && existing.device_id !== credential.deviceId) {
      const what = existing.device_id === null ? 'an integration' : `device "${existing.device_id}"`
      throw new ConflictError(`the username "${credential.username}" belongs to ${what}`)
    }
    const values = {
      username: credential.username,
      password_hash: passwordHash,
      device_id: credential.deviceId,
      topics: [...credential.topics],
      created_by: options.actor,
      created_at: new Date(),
      revoked_at: null,
    }
    const stored = await trx
      .insertInto('mqtt_credential')
      .values(values)
      .onConflict((oc) => oc.column('username').doUpdateSet({ password_hash: passwordHash, topics: values.topics, created_by: options.actor, created_at: values.created_at, revoked_at: null }))
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(trx, {
      actor: options.actor,
      action: 'mqtt_credential.create',
      target: credential.username,
      detail: { device: credential.deviceId, topics: credential.topics, ...(existing !== undefined ? { replaced: true } : {}) },
    })
    return stored
  })
  return { ...toCredential(row), password }
}

export async function listCredentials(db: Kysely<Schema>, options: { readonly includeRevoked?: boolean } = {}): Promise<MqttCredential[]> {
  const rows = await db
    .selectFrom('mqtt_credential')
    .selectAll()
    .$if(!options.includeRevoked, (q) => q.where('revoked_at', 'is', null))
    .orderBy('username')
    .execute()
  return rows.map(toCredential)
}

/** Revokes an active credential: refused by the embedded broker within seconds, by Mosquitto once the files are exported again and reloaded. */
export async function revokeCredential(db: Kysely<Schema>, username: string, actor: string): Promise<MqttCredential> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('mqtt_credential')
      .set({ revoked_at: new Date() })
      .where('username', '=', username)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (row === undefined) throw new NotFoundError(`no active MQTT credential "${username}" (territoire mqtt-credentials list)`)
    await recordAudit(trx, { actor, action: 'mqtt_credential.revoke', target: username, detail: { device: row.device_id } })
    return toCredential(row)
  })
}

/** The hub's own ingestion in Mosquitto's files: it reads what it subscribes to, and publishes for the simulator. */
export interface IngestionUser {
  readonly username: string
  readonly passwordHash: string
  /** Topic filters it subscribes to (MQTT_TOPICS); a shared subscription's filter is the same. */
  readonly read: readonly string[]
}

export interface MosquittoFiles {
  readonly passwordFile: string
  readonly aclFile: string
  /** Active credentials written (the ingestion user aside). */
  readonly credentials: number
}

/**
 * Mosquitto's password_file (`user:$7$…` lines) and acl_file (`user <name>` then `topic write
 * <filter>` lines) for the active credentials and the hub's ingestion user. A revoked credential
 * is simply absent: Mosquitto then refuses it as unknown. The ingestion user also writes the
 * synthetic devices' SenML topics when `simulator` is set (the demo simulator connects as it).
 */
export async function renderMosquittoFiles(
  db: Kysely<Schema>,
  ingestion: IngestionUser,
  options: { readonly actor: string; readonly simulator: boolean },
): Promise<MosquittoFiles> {
  checkUsername(ingestion.username)
  if (!isMqttPasswordHash(ingestion.passwordHash)) throw new InvalidInputError(`the ingestion user's password hash is not a Mosquitto 2 $7$ hash`)
  const rows = await db.selectFrom('mqtt_credential').select(['username', 'password_hash', 'topics']).where('revoked_at', 'is', null).orderBy('username').execute()
  if (rows.some((r) => r.username === ingestion.username)) {
    throw new ConflictError(`"${ingestion.username}" is a device or integration credential: choose another --ingestion-user`)
  }
  const simulated = options.simulator
    ? await db.selectFrom('device').select('id').where('synthetic', '=', true).where('senml_base_name', 'is not', null).orderBy('id').execute()
    : []

  const header = (what: string) => `# ${what}, written by \`territoire mqtt-credentials export\` from the database: do not edit, export again.\n`
  const passwordLines = [`${ingestion.username}:${ingestion.passwordHash}`, ...rows.map((r) => `${r.username}:${r.password_hash}`)]
  const acl = [
    header('Mosquitto acl_file'),
    '# The hub: reads what the ingestion subscribes to' + (simulated.length > 0 ? ', publishes for the simulated devices.' : '.'),
    `user ${ingestion.username}`,
    ...ingestion.read.map((filter) => `topic read ${filter}`),
    ...simulated.map((d) => `topic write ${senmlTopic(d.id)}`),
  ]
  for (const row of rows) acl.push('', `user ${row.username}`, ...row.topics.map((filter) => `topic write ${filter}`))

  await recordAudit(db, {
    actor: options.actor,
    action: 'mqtt_credential.export',
    target: null,
    detail: { credentials: rows.length, ingestionUser: ingestion.username, simulatedDevices: simulated.length },
  })
  return { passwordFile: passwordLines.join('\n') + '\n', aclFile: acl.join('\n') + '\n', credentials: rows.length }
}

/** A user's hash in an existing password_file, or null: an export keeps the ingestion's password unless told a new one. */
export function passwordHashIn(passwordFile: string, username: string): string | null {
  for (const line of passwordFile.split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && line.slice(0, colon) === username) {
      const hash = line.slice(colon + 1).trim()
      return isMqttPasswordHash(hash) ? hash : null
    }
  }
  return null
}

function toCredential(row: { username: string; device_id: string | null; topics: string[]; created_at: Date | string; created_by: string; revoked_at: Date | string | null }): MqttCredential {
  return {
    username: row.username,
    deviceId: row.device_id,
    topics: row.topics,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  }
}
