/**
 * The hub's HTTP API as the page uses it: typed responses, and one error type that carries
 * a French message ready to show (the API's problem+json details are in English, for operators).
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'

/** [west, south, east, north] in WGS 84 degrees. */
export type Bbox = [number, number, number, number]

export interface EpciSummary {
  readonly siren: string
  readonly nom: string
  /** COG nature: "CA", "CC", "CU", "METRO", "MET69". */
  readonly nature: string
  readonly population: number | null
  readonly membersTotal: number
  /** Fewer than membersTotal when the EPCI extends beyond the loaded territory (the département). */
  readonly membersLoaded: number
  readonly bbox: Bbox | null
}

export interface CommuneSummary {
  readonly insee: string
  readonly nom: string
  readonly population: number | null
}

export interface EpciDetail extends EpciSummary {
  readonly communes: readonly CommuneSummary[]
}

export type BuildingUsage = 'mairie' | 'ecole' | 'gymnase' | 'mediatheque'

export interface BuildingProperties {
  readonly id: string
  readonly nom: string
  readonly usage: BuildingUsage | string
  readonly floor_area_m2: number | null
  readonly construction_year: number | null
  readonly commune_insee: string
  readonly commune: string
  readonly synthetic: boolean
  /** Live status: its sensors, those silent for 2 hours or never heard, its open alerts. */
  readonly sensors?: number
  readonly silent_sensors?: number
  readonly open_alerts?: number
  /** kWh/m² since 1 January, from the EPCI's indicators (added by the page, for the map's colours). */
  readonly intensity?: number | null
}

export type BuildingCollection = FeatureCollection<Polygon | MultiPolygon, BuildingProperties>

export interface DatasetInfo {
  readonly id: string
  readonly title: string
  readonly source: string
  readonly licence: string
  readonly synthetic: boolean
  readonly featureCount: number
  readonly loadedAt: string
}

/** A failed API call, with a message for the page's users and the HTTP status (0: no answer). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly detail?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function listEpci(signal?: AbortSignal): Promise<EpciSummary[]> {
  return getJson('/api/epci', 'la liste des EPCI', signal)
}

export function getEpci(siren: string, signal?: AbortSignal): Promise<EpciDetail> {
  return getJson(`/api/epci/${encodeURIComponent(siren)}`, `l’EPCI ${siren}`, signal, siren)
}

/** Staff only (an unknown SIREN is caught before, from the public list: a 404 here is the scope's). */
export function getEpciBuildings(siren: string, signal?: AbortSignal): Promise<BuildingCollection> {
  return getJson(`/api/epci/${encodeURIComponent(siren)}/buildings`, `les bâtiments de l’EPCI ${siren}`, signal, undefined, OUTSIDE_SCOPE)
}

export function listDatasets(signal?: AbortSignal): Promise<DatasetInfo[]> {
  return getJson('/api/datasets', 'l’origine des données', signal)
}

/** A staff endpoint's 404: the hub answers so for what exists but is not the caller's (as if it did not exist). */
export const OUTSIDE_SCOPE = 'Ce que vous demandez est hors de votre périmètre, ou n’existe pas. Demandez à l’OPSN d’étendre votre accès si vous en avez besoin.'

/** A 401 while signed in: the session expired or its token was revoked. */
export const SESSION_LOST = 'Votre session a expiré ou a été révoquée : vous voyez maintenant la vue publique. Connectez-vous à nouveau pour voir les bâtiments, les capteurs et les indicateurs.'

let onUnauthorized: () => void = () => {}

/**
 * Who to tell when the hub answers 401 (the page never asks a staff endpoint without a session,
 * so a 401 means the session ended): main.ts goes back to the public view.
 */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler
}

export function unknownEpciMessage(siren: string): string {
  return `Aucun EPCI ne correspond au SIREN « ${siren} ». Choisissez un EPCI dans la liste.`
}

/**
 * GET a JSON resource. `what` names it in French for the error message; `siren`, when given,
 * turns a 404/400 into "no such EPCI", the one client error a user can cause (by a deep link);
 * `notFound`, a 404 into that message (a building's or a commune's deep link).
 */
export async function getJson<T>(url: string, what: string, signal?: AbortSignal, siren?: string, notFound?: string): Promise<T> {
  let response: Response
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) })
  } catch (error) {
    if (signal?.aborted) throw error
    throw new ApiError(
      `Le serveur Territoire ne répond pas : impossible de charger ${what}. Vérifiez votre connexion ou réessayez dans un instant.`,
      0,
    )
  }
  if (!response.ok) {
    const detail = await problemDetail(response)
    // A proxy in front of a stopped hub answers 502/503/504: for the user, the hub is down.
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      throw new ApiError(`Le serveur Territoire est indisponible : impossible de charger ${what}. Réessayez dans un instant.`, response.status, detail)
    }
    if (response.status === 401) {
      onUnauthorized()
      throw new ApiError(SESSION_LOST, 401, detail)
    }
    if (siren !== undefined && (response.status === 404 || response.status === 400)) {
      throw new ApiError(unknownEpciMessage(siren), response.status, detail)
    }
    if (notFound !== undefined && response.status === 404) throw new ApiError(notFound, 404, detail)
    throw new ApiError(`Le serveur n’a pas pu fournir ${what} (erreur ${response.status}). Réessayez dans un instant.`, response.status, detail)
  }
  try {
    return (await response.json()) as T
  } catch {
    throw new ApiError(`Réponse illisible du serveur pour ${what}.`, response.status)
  }
}

async function problemDetail(response: Response): Promise<string | undefined> {
  try {
    const problem = (await response.json()) as { detail?: unknown }
    return typeof problem.detail === 'string' ? problem.detail : undefined
  } catch {
    return undefined
  }
}
