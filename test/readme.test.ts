/** The README's configuration table stays true: every variable the hub reads is documented. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TOPICS, VARIABLES } from '../cli/config.ts'
import { DEVICE_PROFILES, REJECTION_MEANINGS } from '../sensors/index.ts'

const readme = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8')

describe('README', () => {
  it('starts with the two commands', () => {
    const firstBlock = readme.split('```')[1] ?? ''
    expect(firstBlock).toContain('npm install && npm start')
    expect(firstBlock).toContain('npm test')
  })

  it.each(VARIABLES.map((v) => [v.name, v.fallback, v.meaning]))('documents %s with its default', (name, fallback, meaning) => {
    expect(readme).toContain(`| \`${name}\` | ${fallback} | ${meaning} |`)
  })
})

describe('docs/ingestion.md', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '..', 'docs', 'ingestion.md'), 'utf8')

  it.each(Object.entries(REJECTION_MEANINGS))('documents the dead-letter reason %s', (reason, meaning) => {
    expect(doc).toContain(`| \`${reason}\` | ${meaning} |`)
  })

  it.each([...DEVICE_PROFILES.keys()])('documents the profile %s', (id) => {
    expect(doc).toContain(`| \`${id}\` |`)
  })

  it('documents the default subscriptions', () => {
    for (const topic of DEFAULT_TOPICS) expect(doc).toContain(`| \`${topic}\` |`)
  })
})
