/** The map legend, in HTML next to the map (the style uses no glyphs, so no text on the map). */
import type { BuildingUsage } from './api-client.ts'
import { h } from './dom.ts'
import { USAGE_LABELS } from './format.ts'
import { INTENSITY_CLASSES } from './buildings-3d.ts'
import { COLORS, USAGE_COLORS } from './map-style.ts'

/** The layers a user turns on and off; `onToggle` hears each change. */
export interface LayerToggles {
  readonly buildings3d: boolean
}

export function renderLegend(root: HTMLElement, toggles: LayerToggles = { buildings3d: false }, onToggle: (toggles: LayerToggles) => void = () => {}): void {
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
    ),
    h('p', { class: 'legend-subtitle' }, 'Bâtiments publics (synthétiques)'),
    h('ul', { class: 'legend-usages' }, usages.map((usage) => item(swatch(USAGE_COLORS[usage], '#1a1a1a', true), USAGE_LABELS[usage]))),
  )
  const checkbox = h('input', { type: 'checkbox', id: 'layer-buildings-3d', checked: toggles.buildings3d })
  const classes = h('ul', { class: 'legend-classes', hidden: !toggles.buildings3d },
    INTENSITY_CLASSES.map((c, i) => item(swatch(`rgb(${c.color.join(',')})`, '#1a1a1a'),
      `${c.label} : ${i === 0 ? `≤ ${c.max}` : c.max === Infinity ? `> ${INTENSITY_CLASSES[i - 1]!.max}` : `${INTENSITY_CLASSES[i - 1]!.max + 1} à ${c.max}`} kWh/m²`)),
    item(swatch('rgb(154,165,177)', '#1a1a1a'), 'sans donnée'))
  checkbox.addEventListener('change', () => {
    classes.hidden = !checkbox.checked
    onToggle({ buildings3d: checkbox.checked })
  })
  const layers = h('fieldset', { class: 'layer-toggles' },
    h('legend', {}, 'Couches'),
    h('div', {}, checkbox, h('label', { for: 'layer-buildings-3d' }, ' Bâtiments en 3D, par intensité énergétique (kWh/m² depuis le 1er janvier)')),
    classes)
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
