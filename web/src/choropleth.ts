/**
 * Communes coloured by an indicator of the EPCI (« Communes colorées par »): five classes at the
 * quintiles of the EPCI's communes (each class holds about as many communes), a sequential palette
 * readable with colour-vision deficiencies (ColorBrewer YlOrRd), the communes without a value left
 * in the selection's colour.
 */
import type { TerritoryIndicators } from './indicators-client.ts'

export type ChoroplethIndicator = 'kwh-hab' | 'suivi'

export const CHOROPLETH_INDICATORS: Record<ChoroplethIndicator, { readonly label: string; readonly unit: string }> = {
  'kwh-hab': { label: 'Consommation des bâtiments publics par habitant', unit: 'kWh/hab.' },
  suivi: { label: 'Part des bâtiments publics suivis', unit: '%' },
}

const PALETTE = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const

export interface Choropleth {
  /** INSEE code → colour. */
  readonly colors: ReadonlyMap<string, string>
  /** The classes, lowest first: [from, to] and colour. */
  readonly classes: readonly { readonly from: number; readonly to: number; readonly color: string }[]
  readonly unit: string
}

function valueOf(indicator: ChoroplethIndicator, c: TerritoryIndicators['communes'][number]): number | null {
  if (indicator === 'kwh-hab') return c.energy_kwh_per_inhabitant
  return c.buildings > 0 ? (100 * c.monitored) / c.buildings : null
}

export function choropleth(indicators: TerritoryIndicators, indicator: ChoroplethIndicator): Choropleth {
  const values = indicators.communes.map((c) => ({ insee: c.insee, value: valueOf(indicator, c) })).filter((x): x is { insee: string; value: number } => x.value !== null)
  const sorted = values.map((x) => x.value).sort((a, b) => a - b)
  const breaks = [1, 2, 3, 4].map((q) => sorted[Math.floor((q * sorted.length) / 5)] ?? Infinity)
  const classOf = (v: number) => breaks.filter((b) => v >= b).length
  const classes = PALETTE.map((color, i) => ({ from: i === 0 ? (sorted[0] ?? 0) : breaks[i - 1]!, to: i === 4 ? (sorted.at(-1) ?? 0) : breaks[i]!, color }))
    .filter((c, i) => values.some((x) => classOf(x.value) === i) && Number.isFinite(c.from))
  return { colors: new Map(values.map((x) => [x.insee, PALETTE[classOf(x.value)]!])), classes, unit: CHOROPLETH_INDICATORS[indicator].unit }
}
