/**
 * The side panel: the selected EPCI's identity card, its demo buildings (also a keyboard way
 * to reach them on the map) and its communes; or, with nothing selected, the list of EPCI. What
 * it holds depends on who looks (access.ts): the public view says what a sign-in would add, an
 * energy manager sees his own communes and the buildings of his scope, EPCI staff the public data
 * of other EPCI.
 */
import type { EpciAccess } from './access.ts'
import type { BuildingCollection, BuildingUsage, EpciDetail, EpciSummary } from './api-client.ts'
import { h, setChildren } from './dom.ts'
import { USAGE_LABELS, formatInteger, formatPopulation, natureLabel, plural, usageLabel } from './format.ts'
import type { TerritoryIndicators } from './indicators-client.ts'
import { pathForBuilding, pathForCommune, pathForSiren } from './router.ts'
import { signInNotice } from './session-bar.ts'

export interface EpciPanelCallbacks {
  /** A building chosen in the list: show it on the map. */
  readonly onBuildingChosen: (id: string) => void
  /** « Se connecter » in the public view's notice: open the sign-in dialog. */
  readonly onSignIn: (opener: HTMLElement) => void
}

/** What the panel shows of an EPCI beyond its public card, by access (access.ts). */
export type EpciView =
  | { readonly access: 'full'; readonly buildings: BuildingCollection; readonly indicators: TerritoryIndicators | null }
  /** `buildings`: those of his scope in this EPCI (his communes' and his own), as the hub answers them. */
  | { readonly access: 'own'; readonly communes: readonly string[]; readonly buildings: BuildingCollection }
  | { readonly access: 'outside' | 'public' }

/** What a panel could not show: a building's or a commune's. */
export type RestrictedKind = 'building' | 'commune'

const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true })

export class EpciPanel {
  constructor(
    private readonly root: HTMLElement,
    private readonly callbacks: EpciPanelCallbacks,
  ) {}

  showLoading(summary: EpciSummary | undefined): void {
    this.root.setAttribute('aria-busy', 'true')
    setChildren(this.root,
      h('h2', { id: 'panel-title' }, summary?.nom ?? 'Chargement…'),
      h('p', { class: 'muted' }, 'Chargement des données de l’EPCI…'),
    )
  }

  /** Nothing selected: an invitation to choose, and the EPCI as links (deep links that also work without the select). */
  showOverview(epcis: readonly EpciSummary[], listFailed = false, publicView = false): void {
    this.root.removeAttribute('aria-busy')
    const communes = epcis.reduce((sum, e) => sum + e.membersLoaded, 0)
    setChildren(this.root,
      h('h2', { id: 'panel-title' }, 'Vue d’ensemble du territoire'),
      publicView && signInNotice(this.callbacks.onSignIn),
      epcis.length === 0
        ? h(
            'p',
            {},
            listFailed
              ? 'La liste des EPCI n’a pas pu être chargée. Rechargez la page quand le serveur sera de nouveau joignable.'
              : 'Aucun EPCI n’est disponible pour le moment.',
          )
        : h(
            'p',
            {},
            `${plural(epcis.length, 'EPCI', 'EPCI')} et ${plural(communes, 'commune')} chargés. `,
            'Choisissez un EPCI dans la liste en haut de la page, ou ci-dessous.',
          ),
      epcis.length > 0 &&
        h(
          'ul',
          { class: 'epci-links' },
          epcis.map((e) =>
            h(
              'li',
              {},
              h('a', { href: pathForSiren(e.siren), 'data-siren': e.siren }, e.nom),
              h('span', { class: 'muted' }, ` — ${natureLabel(e.nature)}, ${plural(e.membersLoaded, 'commune')}`),
            ),
          ),
        ),
    )
  }

  showEpci(epci: EpciDetail, view: EpciView): void {
    this.root.removeAttribute('aria-busy')
    const partial = epci.membersLoaded < epci.membersTotal
    const linked = (insee: string): boolean => view.access === 'full' || (view.access === 'own' && view.communes.includes(insee))
    setChildren(this.root,
      h('h2', { id: 'panel-title' }, epci.nom),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Nature'),
        h('dd', {}, natureLabel(epci.nature)),
        h('dt', {}, 'SIREN'),
        h('dd', {}, epci.siren),
        h('dt', {}, 'Population'),
        h('dd', {}, formatPopulation(epci.population)),
        h('dt', {}, 'Communes'),
        h(
          'dd',
          {},
          partial
            ? `${formatInteger(epci.membersLoaded)} affichées sur ${formatInteger(epci.membersTotal)} membres`
            : `${formatInteger(epci.membersTotal)} (toutes affichées)`,
        ),
        view.access === 'full' && [
          h('dt', {}, 'Bâtiments publics'),
          h('dd', {}, `${plural(view.buildings.features.length, 'bâtiment')} de démonstration`),
        ],
      ),
      partial &&
        h(
          'p',
          { class: 'notice', role: 'note' },
          h('strong', {}, 'EPCI en partie hors du territoire chargé. '),
          `Cet EPCI s’étend au-delà du département : seules ${formatInteger(epci.membersLoaded)} de ses `,
          `${formatInteger(epci.membersTotal)} communes membres sont affichées sur la carte et dans la liste. `,
          'La population indiquée est celle de l’EPCI entier.',
        ),
      view.access === 'full' && [this.indicatorsSection(view.indicators), this.buildingsSection(view.buildings, epci.siren)],
      view.access === 'own' && this.ownSection(view, epci),
      view.access === 'outside' && outsideNotice(),
      view.access === 'public' && signInNotice(this.callbacks.onSignIn),
      this.communesSection(epci, linked),
    )
  }

  /**
   * A building's or a commune's panel the caller may not see: not signed in (the sign-in button),
   * or outside his scope. Never an error page: a message and the way back to the EPCI.
   */
  showRestricted(kind: RestrictedKind, access: EpciAccess, epciPath: string): void {
    this.root.removeAttribute('aria-busy')
    const what = kind === 'building' ? 'Le détail d’un bâtiment (consommations, capteurs, alertes)' : 'Le détail d’une commune (ses bâtiments et leur énergie)'
    setChildren(this.root,
      h('p', {}, h('a', { href: epciPath, 'data-back': 'epci' }, '← Retour à l’EPCI')),
      access === 'public'
        ? [
            h('h2', { id: 'panel-title' }, 'Connexion nécessaire'),
            h('p', {}, `${what} est réservé aux agents des collectivités et aux économes de flux.`),
            signInNotice(this.callbacks.onSignIn),
          ]
        : [
            h('h2', { id: 'panel-title' }, 'Hors de votre périmètre'),
            h('p', { id: 'outside-scope' }, outsideText(kind)),
          ],
    )
  }

  /** An energy manager's communes and buildings in this EPCI (he has no EPCI-wide view). */
  private ownSection(view: Extract<EpciView, { access: 'own' }>, epci: EpciDetail): HTMLElement {
    const communes = epci.communes.filter((c) => view.communes.includes(c.insee)).sort((a, b) => collator.compare(a.nom, b.nom))
    const buildings = view.buildings.features.length
    return h(
      'section',
      { 'aria-labelledby': 'own-title', id: 'own-scope' },
      h('h3', { id: 'own-title' }, 'Votre périmètre dans cet EPCI'),
      communes.length === 0 && buildings === 0
        ? h('p', {}, 'Aucune commune ni aucun bâtiment de cet EPCI n’est dans votre périmètre. Les indicateurs de l’EPCI entier sont réservés à ses agents.')
        : [
            h('p', { class: 'muted' }, 'Les indicateurs de l’EPCI entier sont réservés à ses agents : voici vos communes et vos bâtiments.'),
            communes.length > 0 && h('ul', { class: 'epci-links' }, communes.map((c) =>
              h('li', {}, h('a', { href: pathForCommune(epci.siren, c.insee), 'data-commune': c.insee }, c.nom), h('span', { class: 'muted' }, ` — commune, ${c.insee}`)))),
            buildings > 0
              ? this.buildingsSection(view.buildings, epci.siren, 'own')
              : h('p', { class: 'muted' }, 'Aucun bâtiment de votre périmètre n’est chargé dans cet EPCI.'),
          ],
    )
  }

  /** The buildings: all the EPCI's (`epci`), or those of an energy manager's scope in it (`own`, a list open at once). */
  private buildingsSection(buildings: BuildingCollection, siren: string, whose: 'epci' | 'own' = 'epci'): HTMLElement {
    const features = [...buildings.features].sort(
      (a, b) => collator.compare(a.properties.commune, b.properties.commune) || collator.compare(a.properties.nom, b.properties.nom),
    )
    if (features.length === 0) {
      return h(
        'section',
        { 'aria-labelledby': 'buildings-title' },
        h('h3', { id: 'buildings-title' }, 'Bâtiments publics'),
        h('p', { class: 'muted' }, 'Aucun bâtiment de démonstration n’est chargé pour cet EPCI.'),
      )
    }
    const counts = new Map<string, number>()
    for (const f of features) counts.set(f.properties.usage, (counts.get(f.properties.usage) ?? 0) + 1)
    const order = Object.keys(USAGE_LABELS) as BuildingUsage[]
    const usages = [...counts.keys()].sort((a, b) => rank(order, a) - rank(order, b))
    return h(
      'section',
      { 'aria-labelledby': 'buildings-title' },
      whose === 'epci'
        ? h('h3', { id: 'buildings-title' }, `Bâtiments publics (${formatInteger(features.length)})`)
        : h('h4', { id: 'buildings-title' }, `Vos bâtiments (${formatInteger(features.length)})`),
      h('p', { class: 'badge badge-synthetic' }, 'Données synthétiques (démonstration)'),
      h(
        'ul',
        { class: 'usage-counts' },
        usages.map((usage) => h('li', {}, `${usageLabel(usage)} : ${formatInteger(counts.get(usage) ?? 0)}`)),
      ),
      h(
        'details',
        { open: whose === 'own' },
        h('summary', {}, 'Liste des bâtiments (afficher sur la carte)'),
        h(
          'ul',
          { class: 'building-list' },
          features.map((f) => {
            const button = h(
              'button',
              { type: 'button', class: 'link-button' },
              f.properties.nom,
              h('span', { class: 'muted' }, ` — ${usageLabel(f.properties.usage)}, ${f.properties.commune}`),
            )
            button.addEventListener('click', () => this.callbacks.onBuildingChosen(f.properties.id))
            return h('li', {}, button, ' ', h('a', { href: pathForBuilding(siren, f.properties.id), 'data-building': f.properties.id, 'aria-label': `Détail de ${f.properties.nom}` }, 'détail'))
          }),
        ),
      ),
    )
  }

  /** The EPCI's energy this year (rollups: api/indicators), or why it is missing. */
  private indicatorsSection(x: TerritoryIndicators | null): HTMLElement {
    const title = h('h3', { id: 'indicators-title' }, `Énergie ${x?.year ?? ''}`.trim())
    if (x === null) return h('section', { 'aria-labelledby': 'indicators-title' }, title, h('p', { class: 'muted' }, 'Les indicateurs n’ont pas pu être chargés.'))
    const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' })
    const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 })
    const icones = x.schools.filter((s) => s.icone !== null)
    return h(
      'section',
      { 'aria-labelledby': 'indicators-title', id: 'epci-indicators' },
      title,
      h('dl', { class: 'figures' },
        h('dt', {}, 'Consommation'), h('dd', { 'data-figure': 'energy_kwh' }, `${formatInteger(x.totals.energy_kwh)}\u00a0kWh`,
          x.totals.change === null ? '' : ` (${percent.format(x.totals.change)} sur un an)`),
        h('dt', {}, 'Coût'), h('dd', {}, x.totals.cost_eur === null ? 'tarif non configuré' : euros.format(x.totals.cost_eur)),
        h('dt', {}, 'Émissions'), h('dd', {}, x.totals.co2_kg === null ? 'facteur manquant' : `${formatInteger(x.totals.co2_kg)}\u00a0kg\u00a0CO₂e`),
        h('dt', {}, 'Bâtiments suivis'), h('dd', {}, `${formatInteger(x.buildings.monitored)} sur ${formatInteger(x.buildings.count)}`),
        h('dt', {}, 'Capteurs actifs (24 h)'), h('dd', {}, x.sensors.coverage === null ? 'aucun capteur' : `${percent.format(x.sensors.coverage).replace('+', '')} (${formatInteger(x.sensors.heard_last_24h)} sur ${formatInteger(x.sensors.devices)})`),
        h('dt', {}, 'Alertes ouvertes'), h('dd', {}, formatInteger(x.open_alerts.total)),
        x.intensity.median !== null && [h('dt', {}, 'Intensité médiane'), h('dd', {}, `${formatInteger(x.intensity.median)}\u00a0kWh/m² ${x.year === new Date().getFullYear() ? 'depuis le 1er janvier' : 'sur l’année'}`)],
      ),
      icones.length > 0 && h('details', {}, h('summary', {}, `ICONE des écoles (${formatInteger(icones.length)})`),
        h('ul', {}, icones.map((s) => h('li', {}, `${s.nom} : ${s.icone!.index} sur 5`)))),
    )
  }

  private communesSection(epci: EpciDetail, linked: (insee: string) => boolean): HTMLElement {
    const communes = [...epci.communes].sort((a, b) => collator.compare(a.nom, b.nom) || a.insee.localeCompare(b.insee))
    return h(
      'section',
      { 'aria-labelledby': 'communes-title' },
      h('h3', { id: 'communes-title' }, `Communes affichées (${formatInteger(communes.length)})`),
      h(
        'table',
        { class: 'commune-table' },
        h('caption', { class: 'visually-hidden' }, `Communes de ${epci.nom} chargées dans Territoire`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Commune'), h('th', { scope: 'col' }, 'Code INSEE'))),
        h(
          'tbody',
          {},
          communes.map((c) => h('tr', {}, h('th', { scope: 'row' }, linked(c.insee) ? h('a', { href: pathForCommune(epci.siren, c.insee), 'data-commune': c.insee }, c.nom) : c.nom), h('td', {}, c.insee))),
        ),
      ),
    )
  }
}

/** EPCI staff on another EPCI: its public data only. */
function outsideNotice(): HTMLElement {
  return h('p', { class: 'notice', id: 'outside-scope', role: 'note' },
    h('strong', {}, 'Hors de votre périmètre. '),
    'Cet EPCI n’est pas dans votre périmètre : seules ses données publiques (communes) sont affichées.')
}

export function outsideText(kind: RestrictedKind): string {
  return kind === 'building'
    ? 'Ce bâtiment est hors de votre périmètre (ou n’existe pas) : vous ne pouvez pas voir son détail. Demandez à l’OPSN d’étendre votre accès si vous en avez besoin.'
    : 'Cette commune est hors de votre périmètre (ou n’existe pas) : vous ne pouvez pas voir ses bâtiments. Demandez à l’OPSN d’étendre votre accès si vous en avez besoin.'
}

function rank(order: readonly string[], usage: string): number {
  const i = order.indexOf(usage)
  return i === -1 ? order.length : i
}
