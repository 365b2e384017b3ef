import { InvalidInputError } from '../core/index.ts'
import { cliActor, loadConfig, type Command } from './command.ts'
import { withDatabase } from './with-database.ts'

const USAGE =
  'territoire tokens create --role <role> [--scope <list>] --label <text> [--days <n>]\n' +
  '       territoire tokens list\n' +
  '       territoire tokens revoke <id>'

/** `epci:<SIREN>,commune:<INSEE>,building:<id>,…` into its three lists. */
function parseScope(value: string | undefined): { epci: string[]; communes: string[]; buildings: string[] } {
  const lists = { epci: [] as string[], communes: [] as string[], buildings: [] as string[] }
  if (value === undefined) return lists
  for (const item of value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const [kind, id, ...rest] = item.split(':')
    if (!id || rest.length > 0) throw new InvalidInputError(`--scope: "${item}" must read epci:<SIREN>, commune:<INSEE> or building:<id>`)
    if (kind === 'epci') lists.epci.push(id)
    else if (kind === 'commune') lists.communes.push(id)
    else if (kind === 'building') lists.buildings.push(id)
    else throw new InvalidInputError(`--scope: "${kind}" is not epci, commune or building`)
  }
  return lists
}

export const tokensCommand: Command = {
  name: 'tokens',
  summary: 'API tokens of staff and applications: `tokens create`, `tokens list`, `tokens revoke`',
  usage: USAGE,
  options: {
    role: { type: 'string', description: 'admin (the OPSN: everything), epci_staff (needs epci: scope), energy_manager (needs commune: or building: scope)' },
    scope: { type: 'string', description: 'what the token sees, comma-separated: epci:<SIREN>, commune:<INSEE>, building:<id>' },
    label: { type: 'string', description: 'who or what the token is for (shown in the list and the audit log)' },
    days: { type: 'string', description: 'days until it expires (default 90, at most 366)' },
  },
  details: () =>
    'The token is printed once, on stdout: give it to its holder, who sends it as Authorization: Bearer <token>\n' +
    'or pastes it in the page\'s sign-in. Only its SHA-256 is stored. Revoking takes effect within 10 s;\n' +
    'a revoked or expired token is refused (401). Every creation and revocation is in the audit log.\n' +
    'Uses DATABASE_URL, or the embedded database in HUB_DATA_DIR (stop the hub first; revoke through\n' +
    'DELETE /api/tokens/{id} while it runs).',
  async run({ positionals, values, env }) {
    const [action, ...rest] = positionals
    const { config, log } = loadConfig(env)
    const { createToken, listTokens, revokeToken, isTokenRole } = await import('../api/auth/index.ts')
    if (action === 'create' && rest.length === 0) {
      const role = values.role as string | undefined
      if (role === undefined || !isTokenRole(role)) throw new InvalidInputError('--role must be admin, epci_staff or energy_manager')
      const label = values.label as string | undefined
      if (label === undefined) throw new InvalidInputError('--label is required: who or what the token is for')
      const days = values.days === undefined ? 90 : Number(values.days)
      const scope = parseScope(values.scope as string | undefined)
      const { token, info } = await withDatabase(config, log, (database) => createToken(database.db, { label, role, ...scope, days, actor: cliActor(env) }))
      process.stdout.write(`${token}\n`)
      process.stderr.write(`token ${info.id} (${info.role}) for "${info.label}", expires ${info.expiresAt.toISOString()}: it is shown once, keep it now\n`)
      return 0
    }
    if (action === 'list' && rest.length === 0) {
      const tokens = await withDatabase(config, log, (database) => listTokens(database.db))
      if (tokens.length === 0) process.stdout.write('no token\n')
      const now = Date.now()
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.expiresAt.getTime() <= now ? 'expired' : 'active'
        const scope = [...t.epci.map((s) => `epci:${s}`), ...t.communes.map((s) => `commune:${s}`), ...t.buildings.map((s) => `building:${s}`)].join(',') || 'all'
        process.stdout.write(`${t.id}\t${t.role}\t${scope}\t${state}\texpires ${t.expiresAt.toISOString()}\t${t.label}\n`)
      }
      return 0
    }
    if (action === 'revoke' && rest.length === 1) {
      const info = await withDatabase(config, log, (database) => revokeToken(database.db, rest[0]!, cliActor(env)))
      process.stdout.write(`token ${info.id} ("${info.label}") revoked\n`)
      return 0
    }
    throw new InvalidInputError(`usage: ${USAGE}`)
  },
}
