import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateMqttPassword, hashMqttPassword, isMqttPasswordHash, verifyMqttPassword } from './mqtt-password.ts'

/** Written by Debian's mosquitto_passwd 2.0.11 (`mosquitto_passwd -b file user password`). */
const MOSQUITTO_PASSWD = {
  'Tr0ub4dor&3': '$7$101$1vTPecih/C+NAYI/$CIbe+FtH+MINBD+aZrsuyKaaZjhHq//LKs1eKJFvy/92+U+EhfKpQEBVLKKcd3Ul16qnMFfaTFyQ7/Q5JodC0w==',
  'mot de passe été': '$7$101$rYQxnErdp7ax+ipt$WsjcV1sCqVFhr23UmA2GsZKohxOWU0eNg2kVn2igfRbFyOeTdU+6GAeQKq2BL//4LmmK4+lsi6kUkpLbkCR69g==',
}

const HAS_MOSQUITTO_PASSWD = spawnSync('mosquitto_passwd', ['-h'], { stdio: 'ignore' }).error === undefined

describe('MQTT passwords in Mosquitto 2 format', () => {
  it.each(Object.entries(MOSQUITTO_PASSWD))('accepts mosquitto_passwd’s hash of %j, and only that password', async (password, hash) => {
    expect(await verifyMqttPassword(password, hash)).toBe(true)
    expect(await verifyMqttPassword(Buffer.from(password, 'utf8'), hash)).toBe(true)
    expect(await verifyMqttPassword(password + ' ', hash)).toBe(false)
    expect(await verifyMqttPassword('', hash)).toBe(false)
  })

  it('writes $7$<iterations>$<12-byte salt>$<64-byte PBKDF2-SHA512>, in standard base64', async () => {
    const hash = await hashMqttPassword('secret', 1_000)
    const [, seven, iterations, salt, key] = hash.split('$')
    expect([seven, iterations]).toEqual(['7', '1000'])
    expect(Buffer.from(salt!, 'base64')).toHaveLength(12)
    expect(Buffer.from(key!, 'base64')).toHaveLength(64)
    expect(hash).toMatch(/^\$7\$1000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/)
    expect(await verifyMqttPassword('secret', hash)).toBe(true)
    expect(await verifyMqttPassword('Secret', hash)).toBe(false)
    expect(await hashMqttPassword('secret', 1_000)).not.toBe(hash) // a new salt each time
  })

  it.runIf(HAS_MOSQUITTO_PASSWD)('agrees with the mosquitto_passwd installed here', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'territoire-passwd-'))
    try {
      const file = path.join(dir, 'passwords')
      const password = generateMqttPassword()
      expect(spawnSync('mosquitto_passwd', ['-c', '-b', file, 'device', password]).status).toBe(0)
      const hash = readFileSync(file, 'utf8').trim().split(':')[1]!
      expect(isMqttPasswordHash(hash)).toBe(true)
      expect(await verifyMqttPassword(password, hash)).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each([
    ['', 'empty'],
    ['$6$abc$def', 'Mosquitto 1.x SHA-512'],
    ['$7$101$$abc', 'no salt'],
    ['$7$0$1vTPecih/C+NAYI/$CIbe', 'no iteration'],
    ['$7$99999999$1vTPecih/C+NAYI/$CIbe+FtH+MINBD+aZrsuyKaaZjhHq//LKs1eKJFvy/92+U+EhfKpQEBVLKKcd3Ul16qnMFfaTFyQ7/Q5JodC0w==', 'absurd iterations'],
    ['$7$101$1vTPecih/C+NAYI/$CIbe+FtH', 'short key'],
    ['$7$101$1vTPecih/C+NAYI/$CIbe+FtH+MINBD+aZrsuyKaaZjhHq//LKs1eKJFvy/92+U+EhfKpQEBVLKKcd3Ul16qnMFfaTFyQ7/Q5JodC0w==\n', 'trailing newline'],
  ])('refuses the malformed hash %j (%s) without computing it', async (hash) => {
    expect(isMqttPasswordHash(hash)).toBe(false)
    expect(await verifyMqttPassword('Tr0ub4dor&3', hash)).toBe(false)
  })

  it('generates 32-character URL-safe passwords, never twice the same', () => {
    const passwords = new Set(Array.from({ length: 100 }, generateMqttPassword))
    expect(passwords.size).toBe(100)
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })
})
