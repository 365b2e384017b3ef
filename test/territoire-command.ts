/** Runs the `territoire` command in its own process, as an operator would, and captures what it says. */
import { spawn } from 'node:child_process'
import path from 'node:path'

export const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'territoire.js')

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** With only the variables given (plus PATH, HOME and LOG_LEVEL=warn), like a fresh shell would. */
export function territoire(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (chunk) => (stdout += chunk))
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
