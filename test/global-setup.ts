/**
 * Engines for the whole test run. With DATABASE_URL and MQTT_URL set (CI's second pass), the
 * suite runs against those real servers (a fresh database is expected); otherwise it starts
 * the embedded ones once: PGlite + PostGIS (in memory) and Aedes on a free port. Either way it
 * migrates and loads the demo territory, which the integration tests read.
 */
import type { TestProject } from 'vitest/node'
import { createLogger } from '../core/index.ts'
import { loadDemoTerritory } from '../ingestion/demo-territory.ts'
import { startEmbeddedBroker } from '../ingestion/embedded-broker.ts'
import { startEmbeddedPostgres } from '../sql/embedded-postgres.ts'
import { connectDatabase, migrate } from '../sql/index.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    mqttUrl: string
    engines: 'embedded' | 'servers'
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn', 'test-setup')
  const stops: Array<() => Promise<void>> = []
  const servers = Boolean(process.env.DATABASE_URL && process.env.MQTT_URL)
  let databaseUrl = process.env.DATABASE_URL
  let mqttUrl = process.env.MQTT_URL
  if (!servers) {
    const postgres = await startEmbeddedPostgres({ dataDir: null, log })
    stops.push(() => postgres.stop())
    databaseUrl = postgres.url
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, log })
    stops.push(() => broker.stop())
    mqttUrl = broker.url
  }
  const database = await connectDatabase(databaseUrl!, { log, timeoutSeconds: 10 })
  try {
    await migrate(database.pool, log)
    await loadDemoTerritory(database.db, log)
  } finally {
    await database.close()
  }
  process.stdout.write(`\n[territoire tests] engines: ${servers ? `real servers (${redact(databaseUrl!)}, ${mqttUrl})` : 'embedded PGlite + Aedes'}\n`)
  project.provide('databaseUrl', databaseUrl!)
  project.provide('mqttUrl', mqttUrl!)
  project.provide('engines', servers ? 'servers' : 'embedded')
  return async () => {
    for (const stop of stops.reverse()) await stop()
  }
}

function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}
