/**
 * Heating degree-days (DJU, « degrés-jours unifiés »), Météo-France's method: for a day of
 * minimum and maximum outdoor temperature Tn and Tx, `max(0, base − (Tn + Tx) / 2)`, base 18 °C.
 * The same base and method are those of the French energy-performance rules (décret tertiaire
 * climate correction, OPERAT). Null in, null out: a day without both temperatures has no DJU.
 */
export const DJU_BASE_CELSIUS = 18

export function degreeDays(tmin: number | null, tmax: number | null, base = DJU_BASE_CELSIUS): number | null {
  if (tmin === null || tmax === null || !Number.isFinite(tmin) || !Number.isFinite(tmax)) return null
  return Math.max(0, base - (tmin + tmax) / 2)
}
