/**
 * One-line, human-readable logs for operators: `time LEVEL component message key=value…`.
 * Written to stderr so that command output on stdout stays machine-readable.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export type LogFields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  child(component: string): Logger
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export const LOG_LEVELS = Object.keys(RANK) as LogLevel[]

/**
 * The safety net under every log line: credentials that may end up in a message or a field by
 * mistake — an API token's secret (its id is kept), a JWT, a bearer header, a URL's password —
 * are masked. The code never logs them on purpose; this keeps a slip from reaching the logs.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer\s+)\S+/gi, '$1[masqué]')
    .replace(/\b(tt_[0-9a-f]{12}_)[A-Za-z0-9_-]{43}/g, '$1[masqué]')
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[jeton JWT masqué]')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@')
}

function formatValue(value: string | number | boolean | null): string {
  const text = typeof value === 'string' ? redactSecrets(value) : String(value)
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text
}

function formatLine(level: Exclude<LogLevel, 'silent'>, component: string, message: string, fields?: LogFields): string {
  const parts = [new Date().toISOString(), level.toUpperCase().padEnd(5), component, redactSecrets(message.replace(/\s*\n\s*/g, ' '))]
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`)
  }
  return parts.join(' ')
}

export function createLogger(
  level: LogLevel,
  component = 'hub',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const threshold = RANK[level]
  const emit = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (RANK[at] >= threshold) write(formatLine(at, component, message, fields))
  }
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (name) => createLogger(level, name, write),
  }
}

export const silentLogger: Logger = createLogger('silent')

/** The message of anything thrown, on one line, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return errorMessage(error.errors[0])
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    const message = error.message || code || error.name
    return message.replace(/\s*\n\s*/g, ' ')
  }
  return String(error)
}
