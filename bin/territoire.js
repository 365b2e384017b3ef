#!/usr/bin/env node
// The `territoire` command. The sources are TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../cli/main.ts')
// The environment enters here, once; cli/config.ts parses it.
process.exitCode = await run(process.argv.slice(2), process.env)
