/**
 * "Where the data come from": which data are real (source, licence) and which are synthetic.
 * Required by the issue: the UI must say which data is real and which is synthetic.
 */
import type { DatasetInfo } from './api-client.ts'
import { h, setChildren } from './dom.ts'
import { formatDateTime, formatInteger } from './format.ts'

export function renderProvenance(root: HTMLElement, datasets: readonly DatasetInfo[]): void {
  const real = datasets.filter((d) => !d.synthetic)
  const synthetic = datasets.filter((d) => d.synthetic)
  setChildren(root,
    h('h2', { id: 'provenance-title' }, 'Origine des données'),
    group('Données réelles', 'badge-real', 'Réel', real),
    group('Données synthétiques (démonstration)', 'badge-synthetic', 'Synthétique', synthetic),
  )
}

/** The one-line summary under the header: titles and licences, the full sources being in the panel. */
export function renderProvenanceSummary(root: HTMLElement, datasets: readonly DatasetInfo[]): void {
  const describe = (list: readonly DatasetInfo[]): string =>
    list.map((d) => (d.synthetic ? d.title : `${d.title} (${d.licence})`)).join(' ; ')
  const real = datasets.filter((d) => !d.synthetic)
  const synthetic = datasets.filter((d) => d.synthetic)
  setChildren(
    root,
    real.length > 0 && [h('span', { class: 'badge badge-real' }, 'Réel'), ` ${describe(real)}. `],
    synthetic.length > 0 && [h('span', { class: 'badge badge-synthetic' }, 'Synthétique'), ` ${describe(synthetic)}. `],
    h('a', { href: '#provenance' }, 'Origine des données'),
  )
}

export function renderProvenanceUnavailable(root: HTMLElement): void {
  setChildren(root,
    h('h2', { id: 'provenance-title' }, 'Origine des données'),
    h(
      'p',
      {},
      'L’origine des données n’a pas pu être chargée. Pour mémoire : communes et EPCI sont des données réelles ; ',
      'bâtiments, capteurs et mesures sont synthétiques (démonstration).',
    ),
  )
}

function group(title: string, badgeClass: string, badge: string, datasets: readonly DatasetInfo[]): HTMLElement | null {
  if (datasets.length === 0) return null
  return h(
    'section',
    { class: 'provenance-group' },
    h('h3', {}, title),
    h(
      'ul',
      {},
      datasets.map((d) =>
        h(
          'li',
          {},
          h('span', { class: `badge ${badgeClass}` }, badge),
          ' ',
          h('strong', {}, d.title),
          h(
            'dl',
            { class: 'provenance-facts' },
            h('dt', {}, 'Source'),
            h('dd', {}, d.source),
            h('dt', {}, 'Licence'),
            h('dd', {}, d.licence),
            h('dt', {}, 'Objets'),
            h('dd', {}, `${formatInteger(d.featureCount)}, chargés le ${formatDateTime(d.loadedAt)}`),
          ),
        ),
      ),
    ),
  )
}
