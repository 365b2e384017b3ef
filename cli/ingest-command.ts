import { errorMessage } from '../core/index.ts'
import { environmentHelp, loadConfig, reportFailure, type Command } from './command.ts'

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
    return new Promise<number>((resolve) => {
      let stopping = false
      const stop = (signal: string) => {
        if (stopping) return
        stopping = true
        log.info('stopping', { signal })
        worker.stop().then(
          () => resolve(0),
          (error) => resolve(reportFailure(new Error(`error while stopping: ${errorMessage(error)}`), env)),
        )
      }
      process.once('SIGINT', () => stop('SIGINT'))
      process.once('SIGTERM', () => stop('SIGTERM'))
    })
  },
}
