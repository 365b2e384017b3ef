import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../core/index.ts'
import { checkIntegrationTopic, checkUsername, deviceTopics, passwordHashIn } from './mqtt-credentials.ts'

describe('MQTT credentials', () => {
  it('give a device the topics carrying its identity, and no other', () => {
    expect(deviceTopics({ id: 'ecole-co2', devEui: null, senmlBaseName: 'urn:dev:ecole-co2:' })).toEqual(['territoire/senml/ecole-co2'])
    expect(deviceTopics({ id: 'am103', devEui: '24E124126C123456', senmlBaseName: null })).toEqual([
      'application/+/device/24e124126c123456/event/up',
      'application/+/device/24e124126c123456/event/log',
      'v3/+/devices/eui-24e124126c123456/up',
    ])
  })

  it.each(['v3/app@ttn/devices/+/up', 'application/42/device/+/event/up', 'a/b/#'])('accept the integration topic %s', (topic) => {
    expect(checkIntegrationTopic(topic)).toBe(topic)
  })

  it.each(['#', '+/#', '+/+', '$SYS/#', 'a/#/b', 'a+', ''])('refuse the integration topic %j', (topic) => {
    expect(() => checkIntegrationTopic(topic)).toThrow(InvalidInputError)
  })

  it.each(['', '-x', 'a b', 'a/b', 'a:b', 'x'.repeat(65)])('refuse the username %j', (name) => {
    expect(() => checkUsername(name)).toThrow(InvalidInputError)
  })

  it('find a user’s hash in a password file, and nothing for a stranger or a line that is no hash', () => {
    const hash = '$7$101$1vTPecih/C+NAYI/$CIbe+FtH+MINBD+aZrsuyKaaZjhHq//LKs1eKJFvy/92+U+EhfKpQEBVLKKcd3Ul16qnMFfaTFyQ7/Q5JodC0w=='
    const file = `hub:${hash}\nhubx:${hash}\nbroken:plain\n`
    expect(passwordHashIn(file, 'hub')).toBe(hash)
    expect(passwordHashIn(file, 'hu')).toBeNull()
    expect(passwordHashIn(file, 'broken')).toBeNull()
    expect(passwordHashIn('', 'hub')).toBeNull()
  })
})
