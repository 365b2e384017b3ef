import { errorMessage } from '../core/index.ts'
import { environmentHelp, loadConfig, reportFailure, type Command } from './command.ts'

export const startCommand: Command = {
  name: 'start',
  summary: 'Start the hub: database, migrations, broker, demo territory, ingestion, simulator, API and web app',
  usage: 'territoire start [--no-demo] [--no-simulator]',
  options: {
    'no-demo': { type: 'boolean', description: 'do not load the demo territory into an empty database (HUB_DEMO=off)' },
    'no-simulator': { type: 'boolean', description: 'do not publish simulated readings (SIMULATOR=off)' },
  },
  details: environmentHelp,
  async run({ values, env }) {
    const overrides: Record<string, string> = {}
    if (values['no-demo']) overrides.HUB_DEMO = 'off'
    if (values['no-simulator']) overrides.SIMULATOR = 'off'
    const { config, log } = loadConfig(env, overrides)
    // Loaded here, not at the top: --help and configuration errors answer without loading the engines.
    const { startHub } = await import('./hub.ts')
    const hub = await startHub(config, log)
    return new Promise<number>((resolve) => {
      let stopping = false
      const stop = (signal: string) => {
        if (stopping) return
        stopping = true
        log.info('stopping', { signal })
        hub.stop().then(
          () => resolve(0),
          (error) => resolve(reportFailure(new Error(`error while stopping: ${errorMessage(error)}`), env)),
        )
      }
      process.once('SIGINT', () => stop('SIGINT'))
      process.once('SIGTERM', () => stop('SIGTERM'))
    })
  },
}
