/**
 * The project's root directory (where package.json, sql/migrations, data/ and web/dist are),
 * found from this module's location whether it runs from the sources or from the bundle in dist/.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'sql', 'migrations'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('cannot find the Territoire project root (package.json with sql/migrations)')
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findRoot()
