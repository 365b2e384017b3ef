/**
 * `territoire <command>`: the one entry point (package.json `bin`). Configuration comes from the
 * environment (cli/config.ts); every failure ends with one line on stderr and a non-zero exit
 * status, never a stack trace (LOG_LEVEL=debug adds it for developers).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { errorMessage } from '../core/index.ts'
import { PROJECT_ROOT } from '../core/project-root.ts'
import { commandHelp, EXIT_USAGE, reportFailure, type Command } from './command.ts'
import type { Environment } from './config.ts'
import { deadLettersCommand } from './dead-letters-command.ts'
import { devicesCommand } from './devices-command.ts'
import { holidaysCommand } from './holidays-command.ts'
import { importCommand } from './import-command.ts'
import { ingestCommand } from './ingest-command.ts'
import { migrateCommand } from './migrate-command.ts'
import { mqttCredentialsCommand } from './mqtt-credentials-command.ts'
import { startCommand } from './start-command.ts'
import { tokensCommand } from './tokens-command.ts'
import { weatherCommand } from './weather-command.ts'

const COMMANDS: readonly Command[] = [startCommand, ingestCommand, migrateCommand, devicesCommand, importCommand, weatherCommand, holidaysCommand, deadLettersCommand, tokensCommand, mqttCredentialsCommand]

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Territoire — smart-territory data hub',
    '',
    'Usage: territoire <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `territoire <command> --help` for its options; `territoire start --help` lists the environment variables.',
  ].join('\n')
}

export async function main(argv: readonly string[], env: Environment): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp() + '\n')
    return name === undefined ? EXIT_USAGE : 0
  }
  if (name === '--version') {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
    process.stdout.write(`${pkg.version}\n`)
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    process.stderr.write(`territoire: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})\n`)
    return EXIT_USAGE
  }
  let parsed
  try {
    parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean' } }, allowPositionals: true, strict: true })
  } catch (error) {
    process.stderr.write(`territoire ${command.name}: ${errorMessage(error)}\n`)
    return EXIT_USAGE
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command) + '\n')
    return 0
  }
  return command.run({ values: parsed.values, positionals: parsed.positionals, env })
}

/** What bin/territoire.js calls: the exit status of the command, failures already reported. */
export function run(argv: readonly string[], env: Environment): Promise<number> {
  return main(argv, env).catch((error: unknown) => reportFailure(error, env))
}
