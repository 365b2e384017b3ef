/** French wording and number formats shared by the panel, popups and legend. */
import type { BuildingUsage } from './api-client.ts'

const integer = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 })

/** "186 188" (fr-FR groups thousands with a narrow no-break space). */
export function formatInteger(value: number): string {
  return integer.format(value)
}

export function formatPopulation(value: number | null): string {
  return value === null ? 'non renseignée' : `${formatInteger(value)} habitants`
}

/** "1 234 m²", with a no-break space so the unit never wraps alone. */
export function formatArea(m2: number | null): string {
  return m2 === null ? 'non renseignée' : `${formatInteger(m2)}\u00a0m²`
}

const NATURES: Record<string, string> = {
  CA: 'Communauté d’agglomération',
  CC: 'Communauté de communes',
  CU: 'Communauté urbaine',
  METRO: 'Métropole',
  MET69: 'Métropole de Lyon',
}

/** COG nature code spelled out; an unknown code is shown as is rather than hidden. */
export function natureLabel(nature: string): string {
  return NATURES[nature] ?? nature
}

export const USAGE_LABELS: Record<BuildingUsage, string> = {
  mairie: 'Mairie',
  ecole: 'École',
  gymnase: 'Gymnase',
  mediatheque: 'Médiathèque',
}

export function usageLabel(usage: string): string {
  return (USAGE_LABELS as Record<string, string>)[usage] ?? usage
}

/** "3 bâtiments", "1 bâtiment", "aucun bâtiment". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  if (count === 0) return `aucun ${singular}`
  return `${formatInteger(count)} ${count > 1 ? pluralForm : singular}`
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short' })

export function formatDateTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date)
}
