/**
 * What a caller may see. Every read path takes one from the start, so that access control
 * (issue 7: roles, tokens, OIDC) narrows the scope without rewriting a single query.
 * `all` is the operator's view; `epci` restricts to the territories listed.
 */
export type Scope = { readonly kind: 'all' } | { readonly kind: 'epci'; readonly sirens: readonly string[] }

export const ALL_TERRITORIES: Scope = Object.freeze({ kind: 'all' })

export function epciScope(sirens: readonly string[]): Scope {
  return Object.freeze({ kind: 'epci', sirens: Object.freeze([...sirens]) })
}

/** The EPCI a scope restricts to, or null when it sees everything. */
export function scopedSirens(scope: Scope): readonly string[] | null {
  return scope.kind === 'all' ? null : scope.sirens
}
