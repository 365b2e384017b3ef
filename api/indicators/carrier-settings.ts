/**
 * Writes the configured tariffs and emission factors (ENERGY_PRICES_EUR, ENERGY_CO2_KG) into
 * energy_carrier at start: the indicators read them from there, so a change applies to every
 * figure computed afterwards, past years included (costs and CO₂ are computed at request time).
 */
import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../sql/index.ts'

export async function applyCarrierSettings(db: Kysely<Schema>, settings: { readonly prices: Readonly<Record<string, number>>; readonly co2: Readonly<Record<string, number>> }): Promise<void> {
  for (const [carrier, price] of Object.entries(settings.prices)) {
    await sql`UPDATE energy_carrier SET price_eur_per_unit = ${price} WHERE id = ${carrier}`.execute(db)
  }
  for (const [carrier, factor] of Object.entries(settings.co2)) {
    await sql`UPDATE energy_carrier SET co2_kg_per_unit = ${factor}, co2_source = 'configuration (ENERGY_CO2_KG)' WHERE id = ${carrier}`.execute(db)
  }
}
