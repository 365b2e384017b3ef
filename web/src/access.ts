/**
 * What the page asks the hub for, by who is looking (docs/SECURITY.md, roles). The hub decides —
 * it answers 401 or 404 to what is not the caller's — but the page does not ask what it knows will
 * be refused: no 401 or 404 in the console of the public view, and no broken panel.
 */
import { isStaff, type Session } from './auth-client.ts'

/**
 * How much of an EPCI the caller sees:
 *  - `full`: the admin, or staff of that EPCI — its buildings, indicators, alerts and live stream;
 *  - `own`: an energy manager — his own communes and buildings, no EPCI-wide view;
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

/** Whether the staff-only map layers (the sensors' tiles) may be asked for. */
export function seesStaffLayers(session: Session): boolean {
  return isStaff(session)
}
