/**
 * A commune's panel (`/epci/{siren}/communes/{insee}`): its public buildings' energy this year and
 * the buildings ranked by intensity (kWh/m² since 1 January, most intensive first), each linking to
 * its panel — a table, readable by screen readers and with the keyboard.
 */
import { h, setChildren } from './dom.ts'
import { formatArea, formatInteger, usageLabel } from './format.ts'
import { getCommuneIndicators } from './indicators-client.ts'
import { pathForBuilding } from './router.ts'

export class CommunePanel {
  constructor(private readonly root: HTMLElement) {}

  async show(siren: string, insee: string, epciPath: string, signal?: AbortSignal): Promise<string> {
    this.root.setAttribute('aria-busy', 'true')
    setChildren(this.root, h('h2', { id: 'panel-title' }, 'Chargement de la commune…'))
    const year = new Date().getFullYear()
    const x = await getCommuneIndicators(insee, year, signal)
    const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 })
    this.root.removeAttribute('aria-busy')
    setChildren(this.root,
      h('p', {}, h('a', { href: epciPath, 'data-back': 'epci' }, '← Retour à l’EPCI')),
      h('h2', { id: 'panel-title' }, `${x.commune.nom} (${x.commune.insee})`),
      h('dl', { class: 'figures' },
        h('dt', {}, `Consommation ${year}`), h('dd', {}, `${formatInteger(x.totals.energy_kwh)}\u00a0kWh`),
        h('dt', {}, 'Bâtiments suivis'), h('dd', {}, `${formatInteger(x.buildings.monitored)} sur ${formatInteger(x.buildings.count)}`),
        h('dt', {}, 'Alertes ouvertes'), h('dd', {}, formatInteger(x.open_alerts.total)),
      ),
      h('h3', { id: 'ranking-title' }, 'Bâtiments classés par intensité'),
      x.intensity.ranking.length === 0
        ? h('p', { class: 'muted' }, 'Aucun bâtiment de la commune n’a de consommation mesurée cette année.')
        : h('table', { class: 'ranking', 'aria-labelledby': 'ranking-title' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rang'), h('th', { scope: 'col' }, 'Bâtiment'), h('th', { scope: 'col' }, 'kWh/m²'), h('th', { scope: 'col' }, 'kWh'))),
            h('tbody', {}, x.intensity.ranking.map((r, i) => h('tr', { 'data-building': r.id },
              h('td', {}, String(i + 1)),
              h('th', { scope: 'row' }, h('a', { href: pathForBuilding(siren, r.id), 'data-building': r.id }, r.nom),
                h('span', { class: 'muted' }, ` — ${usageLabel(r.usage)}, ${formatArea(r.floor_area_m2)}`)),
              h('td', {}, r.energy_kwh_per_m2_year === null ? '—' : decimal.format(r.energy_kwh_per_m2_year)),
              h('td', {}, formatInteger(r.energy_kwh)))))),
      h('p', { class: 'muted' }, 'Intensité : énergie depuis le 1er janvier rapportée à la surface de plancher.'),
    )
    return x.commune.nom
  }
}
