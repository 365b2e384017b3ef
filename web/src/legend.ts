/** The map legend, in HTML next to the map (the style uses no glyphs, so no text on the map). */
import type { BuildingUsage } from './api-client.ts'
import { h } from './dom.ts'
import { USAGE_LABELS } from './format.ts'
import { INTENSITY_CLASSES, STATUS_CLASSES, type BuildingColoring } from './buildings-3d.ts'
import { CHOROPLETH_INDICATORS, type Choropleth, type ChoroplethIndicator } from './choropleth.ts'
import { COLORS, SENSOR_THRESHOLDS, USAGE_COLORS } from './map-style.ts'

/** The layers a user turns on and off; `onToggle` hears each change. */
export interface LayerToggles {
  readonly buildings3d: boolean
  /** What colours the buildings with the 3D layer on. */
  readonly buildingColoring: BuildingColoring
  readonly cadastre: boolean
  readonly sensors: boolean
  /** The indicator the communes are coloured by, or null. */
  readonly communes: ChoroplethIndicator | null
}

export const NO_LAYERS: LayerToggles = { buildings3d: false, buildingColoring: 'intensity', cadastre: false, sensors: false, communes: null }

/**
 * The legend and « Couches ». `staff` false (the public view): the public layers only — communes,
 * EPCI, cadastre — without the buildings, sensors and indicators a sign-in would add.
 */
export function renderLegend(root: HTMLElement, toggles: LayerToggles = NO_LAYERS, onToggle: (toggles: LayerToggles) => void = () => {}, staff = true): void {
  const usages = Object.keys(USAGE_LABELS) as BuildingUsage[]
  // A <details>: users can fold it away when it hides part of the map. Folded at first on
  // narrow screens, where it would cover half of it.
  const details = h(
    'details',
    { open: matchMedia('(min-width: 48.01rem)').matches },
    h('summary', { class: 'legend-title' }, 'Légende'),
    h(
      'ul',
      {},
      item(swatch(COLORS.selectedCommune, COLORS.communeOutline), 'Commune de l’EPCI choisi'),
      item(swatch(COLORS.otherCommune, COLORS.communeOutline), 'Autre commune'),
      item(line(COLORS.selectedEpci), 'Contour de l’EPCI choisi'),
      staff && item(swatch('transparent', COLORS.alert, true), 'Bâtiment avec une alerte ouverte'),
    ),
    staff && [
      h('p', { class: 'legend-subtitle' }, 'Bâtiments publics (synthétiques)'),
      h('ul', { class: 'legend-usages' }, usages.map((usage) => item(swatch(USAGE_COLORS[usage], '#1a1a1a', true), USAGE_LABELS[usage]))),
    ],
  )
  let state = toggles
  const toggle = (key: 'buildings3d' | 'cadastre' | 'sensors', id: string, label: string, legend: HTMLElement | null) => {
    const checkbox = h('input', { type: 'checkbox', id, checked: toggles[key] })
    if (legend) legend.hidden = !toggles[key]
    checkbox.addEventListener('change', () => {
      if (legend) legend.hidden = !checkbox.checked
      state = { ...state, [key]: checkbox.checked }
      onToggle(state)
    })
    return h('div', { class: 'layer-toggle' }, checkbox, h('label', { for: id }, ` ${label}`), legend)
  }
  const intensityClasses = h('ul', { class: 'legend-classes', hidden: toggles.buildingColoring !== 'intensity' },
    INTENSITY_CLASSES.map((c, i) => item(swatch(`rgb(${c.color.join(',')})`, '#1a1a1a'),
      `${c.label} : ${i === 0 ? `≤ ${c.max}` : c.max === Infinity ? `> ${INTENSITY_CLASSES[i - 1]!.max}` : `${INTENSITY_CLASSES[i - 1]!.max + 1} à ${c.max}`} kWh/m²`)),
    item(swatch('rgb(154,165,177)', '#1a1a1a'), 'sans donnée'))
  const statusClasses = h('ul', { class: 'legend-classes', hidden: toggles.buildingColoring !== 'status' },
    Object.values(STATUS_CLASSES).map((c) => item(swatch(`rgb(${c.color.join(',')})`, '#1a1a1a'), c.label)))
  const coloring = h('select', { id: 'buildings-coloring' },
    h('option', { value: 'intensity', selected: toggles.buildingColoring === 'intensity' }, 'intensité énergétique (kWh/m² depuis le 1er janvier)'),
    h('option', { value: 'status', selected: toggles.buildingColoring === 'status' }, 'état en direct (alertes, capteurs muets)'))
  coloring.addEventListener('change', () => {
    const value = coloring.value as BuildingColoring
    intensityClasses.hidden = value !== 'intensity'
    statusClasses.hidden = value !== 'status'
    state = { ...state, buildingColoring: value }
    onToggle(state)
  })
  const classes = h('div', {}, h('label', { for: 'buildings-coloring' }, 'Couleur selon '), coloring, intensityClasses, statusClasses)
  const sensorLegend = h('ul', { class: 'legend-classes' },
    SENSOR_THRESHOLDS.co2.map((t) => item(swatch(t.color, '#ffffff', true), `CO₂ ${t.label}`)),
    SENSOR_THRESHOLDS.temperature.map((t) => item(swatch(t.color, '#ffffff', true), `Température ${t.label}`)),
    item(swatch('#9aa5b1', '#ffffff', true), 'muet depuis 2 h, ou jamais entendu'),
    item(swatch('#5d6d7e', '#ffffff', true), 'autre mesure (compteur…)'))
  const select = h('select', { id: 'choropleth' },
    h('option', { value: '', selected: toggles.communes === null }, 'aucun indicateur'),
    (Object.entries(CHOROPLETH_INDICATORS) as [ChoroplethIndicator, { label: string }][]).map(([value, c]) => h('option', { value, selected: toggles.communes === value }, c.label)))
  select.addEventListener('change', () => {
    state = { ...state, communes: (select.value || null) as ChoroplethIndicator | null }
    onToggle(state)
  })
  const layers = h('fieldset', { class: 'layer-toggles' },
    h('legend', {}, 'Couches'),
    staff && [
      h('div', { class: 'layer-toggle' }, h('label', { for: 'choropleth' }, 'Communes colorées par '), select, h('ul', { class: 'legend-classes', id: 'choropleth-legend' })),
      toggle('buildings3d', 'layer-buildings-3d', 'Bâtiments en 3D', classes),
      toggle('sensors', 'layer-sensors', 'Capteurs, dernière valeur', sensorLegend),
    ],
    toggle('cadastre', 'layer-cadastre', 'Parcelles et bâti cadastral (zoom rue)', null),
    !staff && h('p', { class: 'legend-note' }, 'Bâtiments, capteurs et indicateurs : après connexion.'))
  root.replaceChildren(layers, details)
}

function item(symbol: HTMLElement, label: string): HTMLElement {
  return h('li', {}, symbol, label)
}

function swatch(fill: string, border: string, round = false): HTMLElement {
  const element = h('span', { class: round ? 'swatch swatch-round' : 'swatch', 'aria-hidden': 'true' })
  element.style.background = fill
  element.style.borderColor = border
  return element
}

function line(color: string): HTMLElement {
  const element = h('span', { class: 'swatch swatch-line', 'aria-hidden': 'true' })
  element.style.borderColor = color
  return element
}

/** The choropleth's classes in the legend (none: empty). */
export function renderChoroplethLegend(c: Choropleth | null): void {
  const list = document.getElementById('choropleth-legend')
  if (!list) return
  const number = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 })
  list.replaceChildren(...(c?.classes ?? []).map((k) => item(swatch(k.color, '#6b7480'), `${number.format(k.from)} à ${number.format(k.to)} ${c!.unit}`)))
}
