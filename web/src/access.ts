/**
 * What the page asks the hub for, by who is looking (docs/SECURITY.md, roles). The hub decides —
 * it answers 401 or 404 to what is not the caller's — but the page does not ask what it knows will
 * be refused: no 401 or 404 in the console of the public view, and no broken panel.
 */
import { isStaff, type Session } from './auth-client.ts'

/**
 * How much of an EPCI the caller sees:
 *  - `full`: the admin, or staff of that EPCI — its buildings, indicators, alerts and live stream;
 *  - `own`: an energy manager — his own communes and buildings (the hub answers the EPCI's buildings
 *    row by row: those of his scope), no EPCI-wide view (indicators, live stream);
 *  - `outside`: EPCI staff of other EPCI — the public data of this one;
 *  - `public`: not signed in — the public data.
 */
export type EpciAccess = 'full' | 'own' | 'outside' | 'public'

export function epciAccess(session: Session, siren: string): EpciAccess {
  if (!isStaff(session)) return 'public'
  if (session.scope === 'all') return 'full'
  if (session.scope.epci.includes(siren)) return 'full'
  return session.role === 'energy_manager' ? 'own' : 'outside'
}

/** Whether the caller may open a commune's panel (its buildings and energy) in that EPCI. */
export function seesCommune(session: Session, siren: string, insee: string): boolean {
  const access = epciAccess(session, siren)
  if (access === 'full') return true
  return access === 'own' && session.scope !== 'all' && session.scope.communes.includes(insee)
}

/**
 * Whether to ask an EPCI's buildings for an energy manager (`own` access): the hub answers his
 * communes' and his buildings' there, and 404 when none is (the browser logs that 404 in the
 * console, so it is not asked when the page knows the answer). His communes are known by INSEE
 * code; his buildings by id only, so with any of them the EPCI is asked.
 */
export function asksOwnBuildings(session: Session, epci: { readonly siren: string; readonly communes: readonly { readonly insee: string }[] }): boolean {
  if (epciAccess(session, epci.siren) !== 'own' || session.scope === 'all') return false
  const { communes, buildings } = session.scope
  return buildings.length > 0 || epci.communes.some((c) => communes.includes(c.insee))
}

/** Whether the staff-only map layers (the sensors' tiles) may be asked for. */
export function seesStaffLayers(session: Session): boolean {
  return isStaff(session)
}
