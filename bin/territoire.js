#!/usr/bin/env node
// The `territoire` command: the bundled build when it is up to date, else the TypeScript sources
// (bin/runtime.js says why).
import { loadRun } from './runtime.js'

const run = await loadRun()
// The environment enters here, once; cli/config.ts parses it.
process.exitCode = await run(process.argv.slice(2), process.env)
