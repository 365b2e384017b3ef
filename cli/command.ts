/**
 * What every `territoire` command shares: its shape, the configuration loading, and the rule
 * that a failure is one line on stderr with a non-zero exit status.
 */
import { createLogger, errorMessage, HubError, InvalidInputError, type Logger } from '../core/index.ts'
import { ConfigError, parseConfig, unknownVariables, VARIABLES, type Environment, type HubConfig } from './config.ts'

export interface CommandArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>
  readonly positionals: readonly string[]
  readonly env: Environment
}

export interface Command {
  readonly name: string
  readonly summary: string
  readonly usage: string
  /** `multiple`: the option may be repeated; its value is then an array. */
  readonly options: Readonly<Record<string, { type: 'boolean' | 'string'; multiple?: boolean; description: string }>>
  /** Extra help text after the options. */
  readonly details?: () => string
  run(args: CommandArgs): Promise<number>
}

/** Who runs a command, for the audit log: the system user (sudo's caller first). */
export function cliActor(env: Environment): string {
  return `cli:${env.SUDO_USER ?? env.USER ?? env.LOGNAME ?? 'unknown'}`
}

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export function commandHelp(command: Command): string {
  const lines = [command.summary, '', `Usage: ${command.usage}`, '', 'Options:']
  for (const [name, option] of Object.entries(command.options)) lines.push(`  --${name.padEnd(16)} ${option.description}`)
  lines.push(`  --${'help'.padEnd(16)} show this help`)
  if (command.details) lines.push('', command.details())
  return lines.join('\n')
}

export function environmentHelp(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length))
  return ['Environment:', ...VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.meaning} [default: ${v.fallback}]`)].join('\n')
}

/** Reads and validates the configuration, warning about unknown variables. */
export function loadConfig(env: Environment, overrides: Environment = {}): { config: HubConfig; log: Logger } {
  const config = parseConfig({ ...env, ...overrides })
  const log = createLogger(config.logLevel)
  for (const name of unknownVariables(env)) log.warn('unknown configuration variable ignored', { name })
  return { config, log }
}

/** Prints a failure as its one line (one per configuration problem) and returns the exit status. */
export function reportFailure(error: unknown, env: Environment): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`territoire: configuration error: ${problem}\n`)
    return EXIT_USAGE
  }
  process.stderr.write(`territoire: ${errorMessage(error)}\n`)
  if (error instanceof InvalidInputError) return EXIT_USAGE
  if (!(error instanceof HubError) && env.LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  return EXIT_FAILURE
}

/** Keeps a long-running command alive until SIGINT or SIGTERM, then stops it: exit 0, or a one-line failure. */
export function runUntilSignalled(stop: () => Promise<void>, log: Logger, env: Environment): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false
    const onSignal = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info('stopping', { signal })
      stop().then(
        () => resolve(0),
        (error) => resolve(reportFailure(new Error(`error while stopping: ${errorMessage(error)}`), env)),
      )
    }
    process.once('SIGINT', () => onSignal('SIGINT'))
    process.once('SIGTERM', () => onSignal('SIGTERM'))
  })
}
