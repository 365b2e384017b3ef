/**
 * Vendor payload codecs: raw LoRaWAN application payload → flat decoded object (see `codec.ts`).
 * One codec per device model, keyed by its id (the same id as the device profile).
 */
import type { PayloadCodec } from './codec.ts'
import { adeunisComfortCo2 } from './adeunis-comfort-co2.ts'
import { adeunisPulse } from './adeunis-pulse.ts'
import { draginoLht65 } from './dragino-lht65.ts'
import { elsysErsCo2 } from './elsys-ers-co2.ts'
import { milesightAm103 } from './milesight-am103.ts'
import { milesightAm307 } from './milesight-am307.ts'
import { milesightEm300Th } from './milesight-em300-th.ts'
import { milesightEm500Co2 } from './milesight-em500-co2.ts'

export { CodecError } from './codec.ts'
export type { DecodedObject, DecodedValue, PayloadCodec } from './codec.ts'
export { adeunisComfortCo2, adeunisPulse, draginoLht65, elsysErsCo2, milesightAm103, milesightAm307, milesightEm300Th, milesightEm500Co2 }

export const CODECS: ReadonlyMap<string, PayloadCodec> = new Map(
  [milesightAm103, milesightAm307, milesightEm300Th, milesightEm500Co2, elsysErsCo2, draginoLht65, adeunisComfortCo2, adeunisPulse]
    .map((codec) => [codec.id, codec]),
)

export function findCodec(id: string): PayloadCodec | undefined {
  return CODECS.get(id)
}
