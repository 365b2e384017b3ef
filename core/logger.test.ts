import { describe, expect, it } from 'vitest'
import { createLogger, redactSecrets } from './logger.ts'

describe('log redaction', () => {
  it('masks the credentials a line may carry by mistake, and keeps what identifies them', () => {
    const token = 'tt_0123456789ab_' + 'x'.repeat(43)
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl'
    expect(redactSecrets(`token ${token} refused`)).toBe('token tt_0123456789ab_[masqué] refused')
    expect(redactSecrets(`Authorization: Bearer ${jwt}`)).toBe('Authorization: Bearer [masqué]')
    expect(redactSecrets(`id_token=${jwt}`)).toBe('id_token=[jeton JWT masqué]')
    expect(redactSecrets('postgres://hub:s3cret@db:5432/territoire')).toBe('postgres://hub:***@db:5432/territoire')
    expect(redactSecrets('mqtt://device-1:p4ss@broker:1883')).toBe('mqtt://device-1:***@broker:1883')
    expect(redactSecrets('https://example.fr/a:b@c and 12:30')).toBe('https://example.fr/a:b@c and 12:30')
  })

  it('applies to every message and field of a logger', () => {
    const lines: string[] = []
    const log = createLogger('debug', 'test', (line) => lines.push(line))
    log.warn('refused tt_0123456789ab_' + 'y'.repeat(43), { url: 'mqtt://u:secret@h:1883', n: 3 })
    expect(lines[0]).toContain('refused tt_0123456789ab_[masqué]')
    expect(lines[0]).toContain('url=mqtt://u:***@h:1883')
    expect(lines[0]).not.toContain('secret')
    expect(lines[0]).not.toContain('y'.repeat(43))
  })
})
