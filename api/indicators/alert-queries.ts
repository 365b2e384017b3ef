/**
 * Alerts as the API lists them: newest first, within the caller's scope, filtered by place, kind
 * and status, paged by id (`before`).
 */
import { sql, type Kysely } from 'kysely'
import { InvalidInputError, scopeCondition, type Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { identifier, insee, integer, siren } from '../params.ts'

const KINDS = ['over_consumption', 'under_consumption', 'night_base_load', 'confinement'] as const
const STATUSES = ['open', 'closed', 'all'] as const

export interface AlertFilter {
  readonly epci: string | null
  readonly commune: string | null
  readonly building: string | null
  readonly kind: (typeof KINDS)[number] | null
  readonly status: (typeof STATUSES)[number]
  readonly limit: number
  readonly before: number | null
}

const KNOWN = new Set(['epci', 'commune', 'building', 'kind', 'status', 'limit', 'before'])

export function parseAlertFilter(query: Record<string, unknown>): AlertFilter {
  for (const key of Object.keys(query)) if (!KNOWN.has(key)) throw new InvalidInputError(`unknown parameter ${key} (known: ${[...KNOWN].join(', ')})`, key)
  const oneOf = <T extends string>(name: string, values: readonly T[]): T | null => {
    const v = query[name]
    if (v === undefined) return null
    if (typeof v !== 'string' || !values.includes(v as T)) throw new InvalidInputError(`${name} must be one of ${values.join(', ')} (got "${String(v)}")`, name)
    return v as T
  }
  return {
    epci: query.epci === undefined ? null : siren(query.epci),
    commune: query.commune === undefined ? null : insee(query.commune),
    building: query.building === undefined ? null : identifier(query.building, 'building'),
    kind: oneOf('kind', KINDS),
    status: oneOf('status', STATUSES) ?? 'open',
    limit: integer(query.limit, 'limit', 1, 1000, 100),
    before: query.before === undefined ? null : integer(query.before, 'before', 1, Number.MAX_SAFE_INTEGER, 0),
  }
}

export async function listAlerts(db: Kysely<Schema>, scope: Scope, f: AlertFilter) {
  const { rows } = await sql<{ id: string; building: string; building_nom: string; commune: string; epci: string | null; carrier: string | null; kind: string; day: string; reason: string; value: number | null; expected: number | null; score: number | null; raised_at: Date; closed_at: Date | null }>`
    SELECT a.id::text, b.id AS building, b.nom AS building_nom, c.insee AS commune, c.epci_siren AS epci, a.carrier, a.kind, a.day::text AS day,
           a.reason, a.value, a.expected, a.score, a.raised_at, a.closed_at
    FROM alert a JOIN building b ON b.id = a.building_id JOIN commune c ON c.insee = b.commune_insee
    WHERE true
      AND ${scopeCondition(scope, { epci: 'c.epci_siren', commune: 'c.insee', building: 'b.id' })}
      ${f.epci === null ? sql`` : sql`AND c.epci_siren = ${f.epci}`}
      ${f.commune === null ? sql`` : sql`AND c.insee = ${f.commune}`}
      ${f.building === null ? sql`` : sql`AND b.id = ${f.building}`}
      ${f.kind === null ? sql`` : sql`AND a.kind = ${f.kind}`}
      ${f.status === 'open' ? sql`AND a.closed_at IS NULL` : f.status === 'closed' ? sql`AND a.closed_at IS NOT NULL` : sql``}
      ${f.before === null ? sql`` : sql`AND a.id < ${f.before}`}
    ORDER BY a.id DESC LIMIT ${f.limit + 1}`.execute(db)
  const page = rows.slice(0, f.limit)
  return {
    alerts: page.map((r) => ({
      id: Number(r.id), building: { id: r.building, nom: r.building_nom, commune: r.commune, epci: r.epci }, carrier: r.carrier, kind: r.kind, day: r.day,
      reason: r.reason, value: r.value, expected: r.expected, score: r.score, raised_at: r.raised_at.toISOString(), closed_at: r.closed_at?.toISOString() ?? null,
    })),
    /** The id to pass as `before` for the next page, when there is one. */
    next_before: rows.length > f.limit ? Number(page.at(-1)!.id) : null,
  }
}
