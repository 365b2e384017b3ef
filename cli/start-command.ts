import { environmentHelp, loadConfig, runUntilSignalled, type Command } from './command.ts'

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
    return runUntilSignalled(() => hub.stop(), log, env)
  },
}
