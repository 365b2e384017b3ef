/** The energy carriers of migration 0012 (table energy_carrier): meters, tariffs and emission factors are keyed by them. */
export const ENERGY_CARRIERS: readonly string[] = ['electricity', 'gas', 'heat_network', 'fuel_oil', 'water']
