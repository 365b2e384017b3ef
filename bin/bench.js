#!/usr/bin/env node
// Runs a benchmark of bench/ (TypeScript, through tsx's loader): node bin/bench.js <name> [args…]
import { register } from 'tsx/esm/api'

const [name, ...args] = process.argv.slice(2)
if (!name) {
  console.error('usage: node bin/bench.js <startup|ingest-latency> [args…]')
  process.exit(2)
}
process.argv = [process.argv[0], process.argv[1], ...args]
register()
await import(`../bench/${name}.ts`)
