/**
 * Décret tertiaire (décret n° 2019-771, Code de la construction et de l'habitation, art. R174-22
 * and following): tertiary buildings of 1,000 m² or more must cut their final energy consumption,
 * corrected for the climate, by 40 % in 2030, 50 % in 2040 and 60 % in 2050 against a reference
 * year between 2010 and 2019 (the « valeur relative » target; the absolute-value target of the
 * arrêtés « valeurs absolues » is not computed here).
 *
 * The trajectory is the straight line from the reference year to each milestone in turn; a year's
 * climate-corrected consumption at or under it is on track.
 */
export const TERTIARY_MIN_FLOOR_AREA_M2 = 1_000
export const REFERENCE_YEARS = { first: 2010, last: 2019 } as const
export const MILESTONES = [
  { year: 2030, reduction: 0.4 },
  { year: 2040, reduction: 0.5 },
  { year: 2050, reduction: 0.6 },
] as const

export function isSubjectToDecret(floorAreaM2: number | null): boolean {
  return floorAreaM2 !== null && floorAreaM2 >= TERTIARY_MIN_FLOOR_AREA_M2
}

export function isReferenceYear(year: number): boolean {
  return Number.isInteger(year) && year >= REFERENCE_YEARS.first && year <= REFERENCE_YEARS.last
}

/** The consumption the trajectory allows in `year` (the reference before it, the 2050 target after 2050). */
export function trajectoryTarget(referenceYear: number, referenceConsumption: number, year: number): number {
  let fromYear = referenceYear
  let fromValue = referenceConsumption
  if (year <= fromYear) return referenceConsumption
  for (const m of MILESTONES) {
    const toValue = referenceConsumption * (1 - m.reduction)
    if (year <= m.year) return fromValue + ((toValue - fromValue) * (year - fromYear)) / (m.year - fromYear)
    fromYear = m.year
    fromValue = toValue
  }
  return fromValue
}

export interface TrajectoryStatus {
  readonly year: number
  readonly consumption: number
  readonly target: number
  /** (consumption − reference) / reference: −0.25 is 25 % saved. */
  readonly change: number
  readonly onTrack: boolean
  readonly milestones: readonly { readonly year: number; readonly reduction: number; readonly target: number }[]
}

export function trajectoryStatus(referenceYear: number, referenceConsumption: number, year: number, consumption: number): TrajectoryStatus {
  const target = trajectoryTarget(referenceYear, referenceConsumption, year)
  return {
    year,
    consumption,
    target,
    change: (consumption - referenceConsumption) / referenceConsumption,
    onTrack: consumption <= target,
    milestones: MILESTONES.map((m) => ({ year: m.year, reduction: m.reduction, target: referenceConsumption * (1 - m.reduction) })),
  }
}
