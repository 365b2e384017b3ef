/**
 * Who is asking: a role and a scope (core/scope.ts), resolved once per request from its
 * credentials (api/auth/). The roles, from the OPSN down (docs/SECURITY.md):
 *  - admin: the OPSN; everything, every territory;
 *  - epci_staff: one or more EPCI; reads their communes, buildings, devices, readings, alerts, exports;
 *  - energy_manager: communes and/or buildings; reads them, and writes building settings;
 *  - public: anyone without credentials; the open data and the public layers only.
 */
import { ALL_TERRITORIES, NO_TERRITORY, type Scope } from './scope.ts'

export const ROLES = ['admin', 'epci_staff', 'energy_manager', 'public'] as const
export type Role = (typeof ROLES)[number]

export interface Principal {
  readonly role: Role
  readonly scope: Scope
  /** Who, for the audit log and the logs: `token:<id>`, `oidc:<issuer sub>`, `admin-token`, `anonymous`. */
  readonly actor: string
  /** A name to show (the token's label, the identity's name or e-mail). */
  readonly name: string
  /** When the credential stops working; null: it does not expire. */
  readonly expiresAt: Date | null
}

export const ANONYMOUS: Principal = Object.freeze({ role: 'public', scope: NO_TERRITORY, actor: 'anonymous', name: 'public', expiresAt: null })

/** The break-glass operator credential (HUB_ADMIN_TOKEN). */
export const ADMIN_TOKEN_PRINCIPAL: Principal = Object.freeze({ role: 'admin', scope: ALL_TERRITORIES, actor: 'admin-token', name: 'opérateur (HUB_ADMIN_TOKEN)', expiresAt: null })

/** Signed in as staff of some kind (any role but public). */
export function isStaff(principal: Principal): boolean {
  return principal.role !== 'public'
}
