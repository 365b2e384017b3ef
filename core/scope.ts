/**
 * What a caller may see. Every read path takes one from the start and filters where the data is
 * read (docs/SECURITY.md). `all` is the operator's view; `some` sees a row when its EPCI, its
 * commune or its building is listed:
 *  - EPCI staff list their EPCI (SIRENs): everything in their communes;
 *  - energy managers list communes (INSEE codes) and/or buildings (ids);
 *  - the public lists nothing: it sees the open data only, which is read with `all`.
 * A thing of an EPCI as a whole (its indicators, its live stream) needs the EPCI listed; a thing
 * of a commune as a whole needs the commune or its EPCI.
 */
import { sql, type RawBuilder } from 'kysely'

export type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'some'; readonly epci: readonly string[]; readonly communes: readonly string[]; readonly buildings: readonly string[] }

export const ALL_TERRITORIES: Scope = Object.freeze({ kind: 'all' })

export interface ScopeLists {
  readonly epci?: readonly string[]
  readonly communes?: readonly string[]
  readonly buildings?: readonly string[]
}

export function someTerritories(lists: ScopeLists): Scope {
  const frozen = (values: readonly string[] | undefined) => Object.freeze([...new Set(values ?? [])].sort())
  return Object.freeze({ kind: 'some', epci: frozen(lists.epci), communes: frozen(lists.communes), buildings: frozen(lists.buildings) })
}

/** EPCI staff of these EPCI. */
export function epciScope(sirens: readonly string[]): Scope {
  return someTerritories({ epci: sirens })
}

/** Sees no territorial row (the public, outside the open data). */
export const NO_TERRITORY: Scope = someTerritories({})

/** Where a row stands: its EPCI, commune and building, each null when it has none. */
export interface Place {
  readonly epci: string | null
  readonly commune?: string | null
  readonly building?: string | null
}

/** Whether the scope sees a row standing there. */
export function scopeAdmits(scope: Scope, place: Place): boolean {
  if (scope.kind === 'all') return true
  return (
    (place.epci != null && scope.epci.includes(place.epci)) ||
    (place.commune != null && scope.communes.includes(place.commune)) ||
    (place.building != null && scope.buildings.includes(place.building))
  )
}

/** Whether the scope sees an EPCI as a whole. */
export function scopeSeesEpci(scope: Scope, siren: string): boolean {
  return scope.kind === 'all' || scope.epci.includes(siren)
}

/** Whether the scope sees a commune as a whole. */
export function scopeSeesCommune(scope: Scope, commune: { readonly insee: string; readonly epci: string | null }): boolean {
  return scopeAdmits(scope, { epci: commune.epci, commune: commune.insee })
}

/** SQL expressions (constants of the code, never input) giving a row's EPCI, commune and building. */
export interface PlaceColumns {
  readonly epci: string
  readonly commune?: string
  readonly building?: string
}

/** The scope as a SQL condition over a row's place: `true` for `all`, the lists bound as parameters. */
export function scopeCondition(scope: Scope, columns: PlaceColumns): RawBuilder<boolean> {
  if (scope.kind === 'all') return sql<boolean>`true`
  const parts = [sql`${sql.raw(columns.epci)} = ANY(${[...scope.epci]}::text[])`]
  if (columns.commune && scope.communes.length > 0) parts.push(sql`${sql.raw(columns.commune)} = ANY(${[...scope.communes]}::text[])`)
  if (columns.building && scope.buildings.length > 0) parts.push(sql`${sql.raw(columns.building)} = ANY(${[...scope.buildings]}::text[])`)
  return sql<boolean>`(${sql.join(parts, sql` OR `)})`
}

/** A stable text of the scope, for cache keys: `*` for all. */
export function scopeKey(scope: Scope): string {
  if (scope.kind === 'all') return '*'
  return `e:${scope.epci.join(',')};c:${scope.communes.join(',')};b:${scope.buildings.join(',')}`
}
