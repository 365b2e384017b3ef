/**
 * The annual export an OPERAT declaration (décret tertiaire, ADEME's platform) is filled from: one
 * row per building, year and energy carrier, with the consumption measured, the days and meters
 * behind it, the climate correction (the building's energy signature and the station's reference
 * DJU) and the building's trajectory. Buildings subject to the décret (≥ 1,000 m²) by default;
 * `buildings=all` for every building of the scope. CSV, RFC 4180, or the French spreadsheet dialect.
 */
import { sql, type Kysely } from 'kysely'
import { InvalidInputError, scopeCondition, type Scope } from '../../core/index.ts'
import type { Schema } from '../../sql/index.ts'
import { csvLine, type CsvDialect } from '../downloads/index.ts'
import { shown } from '../params.ts'
import { buildingSignature, stationOf, type Station } from './building-signature.ts'
import { isSubjectToDecret, TERTIARY_MIN_FLOOR_AREA_M2, trajectoryStatus } from './decret-tertiaire.ts'
import { yearPeriod } from './indicator-period.ts'

export const OPERAT_COLUMNS = [
  'identifiant_batiment', 'nom', 'usage', 'commune_insee', 'commune', 'epci_siren', 'surface_m2', 'assujetti_decret_tertiaire',
  'annee', 'energie', 'energie_libelle', 'unite', 'consommation', 'compteurs', 'jours_mesures', 'remises_a_zero',
  'cout_eur', 'co2_kg', 'station_meteo', 'dju_annee', 'dju_reference', 'consommation_corrigee_kwh',
  'annee_reference', 'consommation_reference_corrigee_kwh', 'source_reference', 'consommation_batiment_corrigee_kwh',
  'objectif_annee_kwh', 'objectif_2030_kwh', 'sur_la_trajectoire',
] as const

export function parseOperatBuildings(value: unknown): 'subject' | 'all' {
  if (value === undefined || value === 'subject') return 'subject'
  if (value === 'all') return 'all'
  throw new InvalidInputError(`buildings must be subject (≥ ${TERTIARY_MIN_FLOOR_AREA_M2} m², the default) or all (got "${shown(value)}")`, 'buildings')
}

/** The export's lines, header first, one building at a time. */
export async function* operatLines(db: Kysely<Schema>, scope: Scope, year: number, which: 'subject' | 'all', dialect: CsvDialect): AsyncGenerator<string> {
  yield dialect.preamble + csvLine([...OPERAT_COLUMNS], dialect)
  const { rows: buildings } = await sql<{ id: string; nom: string; usage: string; insee: string; commune: string; epci: string | null; floor_area_m2: number | null; reference_year: number | null; reference_kwh: number | null }>`
    SELECT b.id, b.nom, b.usage, c.insee, c.nom AS commune, c.epci_siren AS epci, b.floor_area_m2, b.reference_year, b.reference_kwh
    FROM building b JOIN commune c ON c.insee = b.commune_insee
    WHERE EXISTS (SELECT 1 FROM device d JOIN sensor s ON s.device_id = d.id WHERE d.building_id = b.id AND s.carrier IS NOT NULL)
      ${which === 'subject' ? sql`AND b.floor_area_m2 >= ${TERTIARY_MIN_FLOOR_AREA_M2}` : sql``}
      AND ${scopeCondition(scope, { epci: 'c.epci_siren', commune: 'c.insee', building: 'b.id' })}
    ORDER BY c.insee, b.id`.execute(db)
  const period = yearPeriod(year)
  const stations = new Map<string | null, Station | null>()
  for (const b of buildings) {
    if (!stations.has(b.epci)) stations.set(b.epci, await stationOf(db, b.epci))
    const station = stations.get(b.epci)!
    const { rows: carriers } = await sql<{ carrier: string; label: string; unit: string; price: number | null; factor: number | null; consumption: number; meters: number; days: number; resets: number }>`
      SELECT s.carrier, k.label, k.unit, k.price_eur_per_unit AS price, k.co2_kg_per_unit AS factor,
             coalesce(sum(e.consumption), 0)::float8 AS consumption, count(DISTINCT s.sid)::int AS meters, count(DISTINCT e.day)::int AS days, coalesce(sum(e.resets), 0)::int AS resets
      FROM device d JOIN sensor s ON s.device_id = d.id JOIN energy_carrier k ON k.id = s.carrier
      LEFT JOIN energy_daily e ON e.sid = s.sid AND e.day BETWEEN ${period.from}::date AND ${period.to}::date
      WHERE d.building_id = ${b.id}
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1`.execute(db)
    const signature = await buildingSignature(db, b.id, station, period)
    let reference = b.reference_kwh
    let source = reference === null ? '' : 'déclarée'
    if (reference === null && b.reference_year !== null) {
      reference = (await buildingSignature(db, b.id, station, yearPeriod(b.reference_year))).corrected_energy_kwh
      if (reference !== null) source = 'calculée'
    }
    const corrected = signature.corrected_energy_kwh
    const trajectory = b.reference_year !== null && reference !== null && corrected !== null ? trajectoryStatus(b.reference_year, reference, year, corrected) : null
    for (const c of carriers) {
      const s = signature.carriers.find((x) => x.carrier === c.carrier)
      yield csvLine([
        b.id, b.nom, b.usage, b.insee, b.commune, b.epci, b.floor_area_m2, isSubjectToDecret(b.floor_area_m2) ? 'oui' : 'non',
        year, c.carrier, c.label, c.unit, c.consumption, c.meters, c.days, c.resets,
        c.price === null ? null : c.consumption * c.price, c.factor === null ? null : c.consumption * c.factor,
        station?.id ?? null, signature.dju?.total ?? null, station?.reference_dju ?? null, s?.corrected_consumption ?? null,
        b.reference_year, reference, source || null, corrected,
        trajectory?.target ?? null, trajectory?.milestones[0]?.target ?? null, trajectory === null ? null : trajectory.onTrack ? 'oui' : 'non',
      ], dialect)
    }
  }
}
