/**
 * The `territoire` command as an operator meets it: help for every command, and every bad
 * configuration answered with one line on stderr and a non-zero exit status — no stack trace.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseUrl, freePort, mqttUrl, uniqueName } from './engines.ts'
import { territoire, type Run } from './territoire-command.ts'

/** The error lines: what an operator reads (warnings are log lines, not errors). */
function errorLines(run: Run): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('territoire:'))
}

function expectOneLineFailure(run: Run, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code)
  expect(errorLines(run)).toEqual([expect.stringMatching(pattern)])
  expect(run.stderr).not.toMatch(/^\s+at /m) // never a stack trace
}

let busy: net.Server
let busyPort: number

beforeAll(async () => {
  busy = net.createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  busyPort = (busy.address() as net.AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())))


describe('territoire CLI', () => {
  it('lists its commands, and each command has --help', async () => {
    const help = await territoire(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/start\s+Start the hub/)
    expect(help.stdout).toMatch(/migrate\s+Apply the pending database migrations/)
    const start = await territoire(['start', '--help'])
    expect(start.code).toBe(0)
    for (const variable of ['DATABASE_URL', 'MQTT_URL', 'PORT', 'MQTT_PORT', 'HUB_DATA_DIR']) expect(start.stdout).toContain(variable)
    expect((await territoire(['migrate', '--help'])).stdout).toContain('Usage: territoire migrate')
  })

  it('refuses an unknown command or option on one line', async () => {
    expectOneLineFailure(await territoire(['frobnicate']), 2, /^territoire: unknown command "frobnicate"/)
    const run = await territoire(['start', '--colour'])
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })

  it.each([
    [{ PORT: 'abc' }, /^territoire: configuration error: PORT must be an integer between 1 and 65535 \(got "abc"\)$/],
    [{ DATABASE_URL: 'mysql://db/territoire' }, /^territoire: configuration error: DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//],
    [{ MQTT_URL: 'broker:1883' }, /^territoire: configuration error: MQTT_URL must start with mqtt:\/\//],
    [{ HUB_DEMO: 'perhaps' }, /^territoire: configuration error: HUB_DEMO must be on or off/],
  ])('reports bad configuration %o on one line, exit 2', async (env, pattern) => {
    expectOneLineFailure(await territoire(['start'], env), 2, pattern)
  })

  it('reports each bad variable on its own line', async () => {
    const run = await territoire(['start'], { PORT: '0', LOG_LEVEL: 'chatty' })
    expect(run.code).toBe(2)
    expect(errorLines(run)).toEqual([expect.stringMatching(/PORT/), expect.stringMatching(/LOG_LEVEL/)])
  })

  it('gives up on an unreachable database after the bounded retry, on one line', async () => {
    const run = await territoire(['start'], { DATABASE_URL: 'postgres://hub:secret@127.0.0.1:1/territoire', CONNECT_TIMEOUT_S: '1', PORT: String(await freePort()) })
    expectOneLineFailure(run, 1, /^territoire: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/territoire after 1 s: .*ECONNREFUSED/)
    expect(run.stderr).not.toContain('secret')
  })

  it('reports a port already in use on one line, before starting anything', async () => {
    const run = await territoire(['start'], { PORT: String(busyPort), DATABASE_URL: databaseUrl(), MQTT_URL: mqttUrl() })
    expectOneLineFailure(run, 1, new RegExp(`^territoire: PORT ${busyPort} is already in use on 127\\.0\\.0\\.1`))
  })

  it('gives up on an unreachable broker after the bounded retry, on one line', async () => {
    const run = await territoire(['start', '--no-demo', '--no-simulator'], {
      PORT: String(await freePort()),
      DATABASE_URL: databaseUrl(),
      MQTT_URL: 'mqtt://127.0.0.1:1',
      CONNECT_TIMEOUT_S: '2',
    })
    expectOneLineFailure(run, 1, /^territoire: cannot connect to the MQTT broker at 127\.0\.0\.1:1 after 2 s: .*ECONNREFUSED/)
  })

  it('refuses a data directory used by another running hub', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-cli-'))
    await writeFile(path.join(dir, 'hub.pid'), String(process.pid)) // this test process: alive
    const run = await territoire(['start'], { HUB_DATA_DIR: dir, PORT: String(await freePort()), MQTT_PORT: String(await freePort()) })
    expectOneLineFailure(run, 1, new RegExp(`^territoire: HUB_DATA_DIR ${dir} is in use by another Territoire \\(pid ${process.pid}\\)`))
  })

  it('migrates an up-to-date database and says so', async () => {
    const run = await territoire(['migrate'], { DATABASE_URL: databaseUrl() })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^database up to date \(\d+ migrations\)$/m)
  })
})

describe('territoire mqtt-credentials', () => {
  const env = () => ({ DATABASE_URL: databaseUrl() })

  it('refuses bad input on one line', { timeout: 180_000 }, async () => {
    expectOneLineFailure(await territoire(['mqtt-credentials', 'frobnicate'], env()), 2, /^territoire: usage: territoire mqtt-credentials create/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'create'], env()), 2, /^territoire: create needs --device <id> or --integration <name>/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'create', '--integration', 'x', '--topic', '#'], env()), 2, /^territoire: --topic "#" is only wildcards/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'create', '--integration', 'x', '--topic', 'a/#/b'], env()), 2, /^territoire: --topic "a\/#\/b" is not a valid MQTT topic filter/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'create', '--integration', 'bad name', '--topic', 'a/b'], env()), 2, /^territoire: "bad name" is not a valid username/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'create', '--device', uniqueName('nobody')], env()), 1, /^territoire: no device "nobody-.*": provision it first/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'list', '--device', 'x'], env()), 2, /^territoire: mqtt-credentials list: --device does not apply here/)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'export', '--acl-file', '/tmp/x'], env()), 2, /^territoire: export needs --password-file <path> and --acl-file <path>/)
  })

  it('creates an integration credential shown once, lists, exports and revokes it', { timeout: 180_000 }, async () => {
    const name = uniqueName('cli-ns')
    const created = await territoire(['mqtt-credentials', 'create', '--integration', name, '--topic', `v3/${name}@ttn/devices/+/up`, '--topic', `application/${name}/device/+/event/up`], env())
    expect(created.code).toBe(0)
    const password = /^password: (\S+)$/m.exec(created.stdout)?.[1]
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(created.stdout).toContain('shown only now')
    expectOneLineFailure(await territoire(['mqtt-credentials', 'create', '--integration', name, '--topic', 'a/b'], env()), 1, /already has an active MQTT credential/)

    const list = await territoire(['mqtt-credentials', 'list'], env())
    expect(list.stdout).toMatch(new RegExp(`^${name}\tintegration\tactive\t.*\tv3/${name}@ttn/devices/\\+/up application/${name}/device/\\+/event/up$`, 'm'))
    expect(list.stdout).not.toContain(password)

    const dir = await mkdtemp(path.join(os.tmpdir(), 'territoire-cli-'))
    const files = ['--password-file', path.join(dir, 'passwords'), '--acl-file', path.join(dir, 'acl')]
    const exported = await territoire(['mqtt-credentials', 'export', ...files, '--ingestion-user', 'hub-ingestion'], env())
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/^ingestion password \(shown only now; the next exports keep it\): \S{32}$/m)
    const passwords = await readFile(path.join(dir, 'passwords'), 'utf8')
    expect(passwords).toMatch(new RegExp(`^${name}:\\$7\\$1000\\$`, 'm'))
    expect(passwords).toMatch(/^hub-ingestion:\$7\$/m)
    expect(passwords).not.toContain(password)
    const acl = await readFile(path.join(dir, 'acl'), 'utf8')
    expect(acl).toContain(`user ${name}\ntopic write v3/${name}@ttn/devices/+/up\ntopic write application/${name}/device/+/event/up\n`)
    expect(acl).toContain('user hub-ingestion\ntopic read v3/+/devices/+/up\n')

    const again = await territoire(['mqtt-credentials', 'export', ...files, '--ingestion-user', 'hub-ingestion'], env())
    expect(again.stdout).not.toContain('ingestion password')
    const ingestionLine = (text: string) => text.split('\n').find((line) => line.startsWith('hub-ingestion:'))
    expect(ingestionLine(await readFile(path.join(dir, 'passwords'), 'utf8'))).toBe(ingestionLine(passwords))

    expect((await territoire(['mqtt-credentials', 'revoke', name], env())).code).toBe(0)
    expectOneLineFailure(await territoire(['mqtt-credentials', 'revoke', name], env()), 1, new RegExp(`^territoire: no active MQTT credential "${name}"`))
    await territoire(['mqtt-credentials', 'export', ...files, '--ingestion-user', 'hub-ingestion'], env())
    expect(await readFile(path.join(dir, 'passwords'), 'utf8')).not.toContain(`${name}:`)
  })
})
