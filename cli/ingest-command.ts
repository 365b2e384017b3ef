import { environmentHelp, loadConfig, runUntilSignalled, type Command } from './command.ts'

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Run an ingestion worker alone (DATABASE_URL and MQTT_URL required; several share a stream with MQTT_SHARE_GROUP)',
  usage: 'territoire ingest',
  options: {},
  details: () => `Serves /health and /metrics on PORT. Give each worker its own MQTT_CLIENT_ID.\n\n${environmentHelp()}`,
  async run({ env }) {
    const { config, log } = loadConfig(env)
    const { startIngestionWorker } = await import('./ingest-worker.ts')
    const worker = await startIngestionWorker(config, log)
    return runUntilSignalled(() => worker.stop(), log, env)
  },
}
