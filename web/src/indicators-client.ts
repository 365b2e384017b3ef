/**
 * The indicator and readings endpoints as the building panel uses them (api/indicators/): types of
 * the fields the panel shows, each unit in its name or beside it, as the API gives it.
 */
import { getJson, OUTSIDE_SCOPE } from './api-client.ts'

export interface CarrierFigures {
  readonly carrier: string
  readonly label: string
  readonly unit: string
  readonly consumption: number
  readonly cost_eur: number | null
  readonly co2_kg: number | null
  readonly meters: number
  readonly days_measured: number
}

export interface BuildingIndicators {
  readonly building: { readonly id: string; readonly nom: string; readonly usage: string; readonly floor_area_m2: number | null; readonly commune: string; readonly commune_nom: string; readonly synthetic: boolean; readonly parcels: readonly string[] }
  readonly period: { readonly from: string; readonly to: string; readonly days: number; readonly year: number | null }
  readonly carriers: readonly CarrierFigures[]
  readonly totals: { readonly energy_kwh: number; readonly cost_eur: number | null; readonly co2_kg: number | null; readonly energy_kwh_per_m2: number | null; readonly energy_kwh_per_m2_year: number | null }
  readonly daily: readonly { readonly day: string; readonly carrier: string; readonly consumption: number }[]
  readonly gaps: readonly { readonly sensor: string; readonly from: string; readonly to: string; readonly consumption: number | null }[]
  readonly decret_tertiaire: {
    readonly subject: boolean
    readonly reference_year: number | null
    readonly reference_kwh: number | null
    readonly reference_source: 'declared' | 'computed' | null
    readonly corrected_kwh: number | null
    readonly trajectory: {
      readonly year: number
      readonly consumption: number
      readonly target: number
      readonly onTrack: boolean
      readonly change: number
      readonly milestones: readonly { readonly year: number; readonly reduction: number; readonly target: number }[]
    } | null
  }
  readonly open_alerts: number
  readonly sensors: readonly { readonly id: string; readonly quantity: string; readonly unit: string; readonly value: number | null; readonly at: string | null }[]
  readonly air: { readonly icone: { readonly index: number } | null; readonly occupied_hours: number; readonly hours_below_19: number; readonly hours_above_26: number }
}

export interface Reading {
  readonly time: string
  readonly value: number
}

/** A 404 from these staff endpoints: outside the caller's scope (the hub answers as if it did not exist). */
const NOT_VISIBLE = OUTSIDE_SCOPE

export function getBuildingIndicators(id: string, from: string, to: string, signal?: AbortSignal): Promise<BuildingIndicators> {
  return getJson(`/api/buildings/${encodeURIComponent(id)}/indicators?from=${from}&to=${to}`, 'les indicateurs du bâtiment', signal, undefined, NOT_VISIBLE)
}

/** A calendar year's indicators: with the climate-corrected year and the décret tertiaire trajectory. */
export function getBuildingYear(id: string, year: number, signal?: AbortSignal): Promise<BuildingIndicators> {
  return getJson(`/api/buildings/${encodeURIComponent(id)}/indicators?year=${year}`, 'les indicateurs du bâtiment', signal, undefined, NOT_VISIBLE)
}

export async function getSensorReadings(id: string, from: Date, to: Date, signal?: AbortSignal): Promise<Reading[]> {
  const body = await getJson<{ readings: Reading[] }>(
    `/api/sensors/${encodeURIComponent(id)}/readings?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&limit=100000`,
    'les mesures du capteur', signal)
  return body.readings
}

export interface TerritoryIndicators {
  readonly year: number
  readonly carriers: readonly (CarrierFigures & { readonly previous_year_consumption: number | null; readonly change: number | null })[]
  readonly totals: { readonly energy_kwh: number; readonly cost_eur: number | null; readonly co2_kg: number | null; readonly previous_year_energy_kwh: number | null; readonly change: number | null }
  readonly buildings: { readonly count: number; readonly monitored: number; readonly subject_to_decret_tertiaire: number }
  readonly intensity: { readonly median: number | null; readonly ranking: readonly { readonly id: string; readonly nom: string; readonly usage: string; readonly commune: string; readonly floor_area_m2: number | null; readonly energy_kwh: number; readonly energy_kwh_per_m2_year: number | null }[] }
  readonly sensors: { readonly devices: number; readonly heard_last_24h: number; readonly coverage: number | null }
  readonly open_alerts: { readonly total: number }
  readonly schools: readonly { readonly id: string; readonly nom: string; readonly icone: { readonly index: number } | null }[]
  readonly communes: readonly { readonly insee: string; readonly nom: string; readonly population: number | null; readonly buildings: number; readonly monitored: number; readonly energy_kwh: number; readonly energy_kwh_per_inhabitant: number | null }[]
}

export function getEpciIndicators(siren: string, year: number, signal?: AbortSignal): Promise<TerritoryIndicators> {
  return getJson(`/api/epci/${encodeURIComponent(siren)}/indicators?year=${year}`, 'les indicateurs de l’EPCI', signal, undefined, NOT_VISIBLE)
}

export function getCommuneIndicators(insee: string, year: number, signal?: AbortSignal): Promise<TerritoryIndicators & { readonly commune: { readonly insee: string; readonly nom: string; readonly epci: string | null } }> {
  return getJson(`/api/communes/${encodeURIComponent(insee)}/indicators?year=${year}`, 'les indicateurs de la commune', signal, undefined, NOT_VISIBLE)
}

export interface SignatureResponse {
  readonly station: { readonly id: string; readonly nom: string; readonly reference_dju: number | null } | null
  readonly carriers: readonly {
    readonly carrier: string
    readonly unit: string
    readonly points: readonly { readonly day: string; readonly dju: number; readonly consumption: number }[]
    readonly signature: { readonly base_per_day: number; readonly slope_per_dju: number; readonly r2: number; readonly weather_dependent: boolean } | null
    readonly reason: string | null
    readonly heating_share: number | null
  }[]
}

export function getBuildingSignature(id: string, from: string, to: string, signal?: AbortSignal): Promise<SignatureResponse> {
  return getJson(`/api/buildings/${encodeURIComponent(id)}/signature?from=${from}&to=${to}`, 'la signature énergétique du bâtiment', signal, undefined, NOT_VISIBLE)
}

export interface AlertItem {
  readonly id: number
  readonly building: { readonly id: string; readonly nom: string }
  readonly kind: string
  readonly day: string
  readonly reason: string
}

export async function getOpenAlerts(filter: { epci?: string; building?: string }, signal?: AbortSignal): Promise<AlertItem[]> {
  const query = filter.building ? `building=${encodeURIComponent(filter.building)}` : `epci=${encodeURIComponent(filter.epci ?? '')}`
  return (await getJson<{ alerts: AlertItem[] }>(`/api/alerts?${query}&status=open&limit=1000`, 'les alertes', signal, undefined, NOT_VISIBLE)).alerts
}
