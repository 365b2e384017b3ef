/**
 * What an import did, per kind: features read, rows inserted / updated / removed, geometries
 * repaired, features rejected with their reasons (and the first few examples, to find them in the
 * file). The CLI prints it; the admin API answers it as JSON.
 */

/** Why a feature was not imported (the file itself was fine). */
export const REJECTION_REASONS = {
  not_a_feature: 'the element of "features" is not a GeoJSON Feature',
  no_geometry: 'the feature has no geometry',
  wrong_geometry_type: 'the geometry is not a Polygon or MultiPolygon',
  malformed_geometry: 'the coordinates are not a well-formed polygon (rings of at least 4 [lon, lat] positions)',
  unrepairable_geometry: 'nothing polygonal is left once ST_MakeValid has repaired the geometry',
  missing_property: 'a required property is absent',
  invalid_property: 'a property has a value of the wrong type or format',
  duplicate: 'a later feature of the same file has the same key: the later one is kept',
  commune_not_loaded: 'the building’s commune is not in the territory loaded (import the communes first)',
  unknown_commune: 'the outline’s code is neither a commune of the COG file nor a former code of one',
} as const

export type RejectionReason = keyof typeof REJECTION_REASONS

export interface RejectionExample {
  readonly file: string
  readonly feature: number
  readonly reason: RejectionReason
  readonly detail: string
}

export interface ImportSummary {
  readonly kind: string
  files: number
  features: number
  inserted: number
  updated: number
  /** Rows of the communes a file covers that the file no longer holds (cadastre kinds). */
  removed: number
  repaired: number
  rejected: number
  readonly rejections: Partial<Record<RejectionReason, number>>
  /** The first rejected features, with where they are. */
  readonly examples: RejectionExample[]
  /** Tile / collection layers bumped (sql/layer-versions.ts). */
  readonly layers: readonly string[]
  ms: number
}

const MAX_EXAMPLES = 20

export function emptySummary(kind: string, layers: readonly string[]): ImportSummary {
  return { kind, files: 0, features: 0, inserted: 0, updated: 0, removed: 0, repaired: 0, rejected: 0, rejections: {}, examples: [], layers, ms: 0 }
}

export function recordRejection(summary: ImportSummary, example: RejectionExample): void {
  summary.rejected++
  summary.rejections[example.reason] = (summary.rejections[example.reason] ?? 0) + 1
  if (summary.examples.length < MAX_EXAMPLES) summary.examples.push(example)
}

/**
 * Adds rejections counted elsewhere (the database, at the end of a staged file) with their first
 * examples: the summary keeps the first MAX_EXAMPLES of the file, by position.
 */
export function addRejections(summary: ImportSummary, counts: Partial<Record<RejectionReason, number>>, examples: readonly RejectionExample[]): void {
  for (const [reason, n] of Object.entries(counts) as [RejectionReason, number][]) {
    summary.rejected += n
    summary.rejections[reason] = (summary.rejections[reason] ?? 0) + n
  }
  const all = [...summary.examples, ...examples].sort((a, b) => (a.file === b.file ? a.feature - b.feature : 0))
  summary.examples.splice(0, summary.examples.length, ...all.slice(0, MAX_EXAMPLES))
}

/** Adds a committed file's figures to the kind's. */
export function mergeSummary(into: ImportSummary, file: ImportSummary): void {
  into.files += file.files
  into.features += file.features
  into.inserted += file.inserted
  into.updated += file.updated
  into.removed += file.removed
  into.repaired += file.repaired
  into.rejected += file.rejected
  for (const [reason, n] of Object.entries(file.rejections) as [RejectionReason, number][]) {
    into.rejections[reason] = (into.rejections[reason] ?? 0) + n
  }
  for (const example of file.examples) if (into.examples.length < MAX_EXAMPLES) into.examples.push(example)
}

/** The summary as an operator reads it, a few lines. */
export function formatSummary(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString('en-US')
  const lines = [
    `${s.kind}: ${n(s.features)} feature(s) in ${n(s.files)} file(s), ${(s.ms / 1000).toFixed(1)} s: ` +
      `${n(s.inserted)} inserted, ${n(s.updated)} updated, ${n(s.removed)} removed, ${n(s.repaired)} repaired, ${n(s.rejected)} rejected`,
  ]
  for (const [reason, count] of Object.entries(s.rejections)) lines.push(`  rejected ${reason}: ${n(count)} — ${REJECTION_REASONS[reason as RejectionReason]}`)
  for (const e of s.examples.slice(0, 5)) lines.push(`  e.g. ${e.file} feature ${e.feature}: ${e.reason} (${e.detail})`)
  return lines.join('\n')
}
