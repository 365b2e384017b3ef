/**
 * The kinds `territoire import` and POST /api/imports/{kind} take. The GeoJSON kinds stream
 * (feature-import.ts); `communes` loads the COG files of a folder (communes-importer.ts).
 */
import { cadastralBuildingsKind, lieuxDitsKind, parcelsKind, sectionsKind } from './cadastre-importer.ts'
import type { FeatureKind } from './feature-kind.ts'
import { publicBuildingsKind } from './public-buildings-importer.ts'

/** The streaming GeoJSON kinds, by name. */
export const FEATURE_KINDS: ReadonlyMap<string, FeatureKind> = new Map<string, FeatureKind>(
  [parcelsKind, cadastralBuildingsKind, sectionsKind, lieuxDitsKind, publicBuildingsKind].map((k) => [k.name, k as FeatureKind]),
)

export const COMMUNES_KIND = 'communes'

/** Every kind, in the order help texts list them. */
export const IMPORT_KINDS: readonly string[] = [...FEATURE_KINDS.keys(), COMMUNES_KIND]
