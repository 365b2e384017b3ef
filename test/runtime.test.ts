/** bin/runtime.js runs the bundle only while it is newer than every TypeScript source. */
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error — plain JavaScript module of the command's launcher, without type declarations
import { bundleIsFresh } from '../bin/runtime.js'

describe('the command runs the bundle only when it is up to date', () => {
  it('uses the bundle when it is newer than every source, not when a source was edited after it', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'territoire-runtime-'))
    await mkdir(path.join(root, 'cli', 'deep'), { recursive: true })
    await mkdir(path.join(root, 'dist'))
    const source = path.join(root, 'cli', 'deep', 'main.ts')
    const test = path.join(root, 'cli', 'main.test.ts')
    const bundle = path.join(root, 'dist', 'territoire.mjs')
    await writeFile(source, '')
    await writeFile(test, '')
    expect(bundleIsFresh(bundle, root, ['cli'])).toBe(false) // no bundle yet

    await writeFile(bundle, '')
    const t = Date.now() / 1000
    await utimes(source, t - 60, t - 60)
    await utimes(bundle, t - 30, t - 30)
    await utimes(test, t, t) // tests are not part of the bundle
    expect(bundleIsFresh(bundle, root, ['cli'])).toBe(true)

    await utimes(source, t, t) // a source edited after the build
    expect(bundleIsFresh(bundle, root, ['cli'])).toBe(false)
  })
})
