/** The README's configuration table stays true: every variable the hub reads is documented. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { VARIABLES } from '../cli/config.ts'

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
