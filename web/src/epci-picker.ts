/**
 * The EPCI selector: a labelled native <select> (keyboard and screen-reader support for free)
 * and a search field that narrows its options by name or SIREN.
 */
import type { EpciSummary } from './api-client.ts'
import { h } from './dom.ts'
import { formatInteger } from './format.ts'

export interface EpciPickerElements {
  readonly form: HTMLFormElement
  readonly filter: HTMLInputElement
  readonly select: HTMLSelectElement
  readonly count: HTMLElement
}

/** Case- and accent-insensitive, so "nievre" finds "Nièvre". */
function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().trim()
}

export class EpciPicker {
  private epcis: readonly EpciSummary[] = []
  private value: string | null = null

  constructor(
    private readonly elements: EpciPickerElements,
    /** The user chose an EPCI (null: the overview). */
    private readonly onChoose: (siren: string | null) => void,
  ) {
    elements.select.addEventListener('change', () => this.onChoose(elements.select.value || null))
    elements.filter.addEventListener('input', () => this.render())
    // Enter in the search field opens the first match; the select stays the place to browse.
    elements.form.addEventListener('submit', (event) => {
      event.preventDefault()
      const first = this.matches()[0]
      if (first) this.onChoose(first.siren)
    })
  }

  setEpcis(epcis: readonly EpciSummary[]): void {
    this.epcis = epcis
    this.elements.select.disabled = epcis.length === 0
    this.elements.filter.disabled = epcis.length === 0
    this.render()
  }

  /** Reflects the current route (deep link, back button) without firing onChoose. */
  setValue(siren: string | null): void {
    this.value = siren
    this.render()
  }

  private matches(): EpciSummary[] {
    const query = normalise(this.elements.filter.value)
    if (!query) return [...this.epcis]
    return this.epcis.filter((e) => normalise(e.nom).includes(query) || e.siren.includes(query.replace(/\s/g, '')))
  }

  private render(): void {
    const { select, count, filter } = this.elements
    const matches = this.matches()
    // The selected EPCI always stays in the list, so the select never shows a different one.
    const selected = this.epcis.find((e) => e.siren === this.value)
    const shown = selected && !matches.includes(selected) ? [selected, ...matches] : matches
    select.replaceChildren(
      h('option', { value: '' }, '— Vue d’ensemble (aucun EPCI) —'),
      ...shown.map((e) => h('option', { value: e.siren }, `${e.nom} (${e.siren})`)),
    )
    // An unknown SIREN in the URL has no option: show the overview entry rather than a wrong EPCI.
    select.value = selected ? selected.siren : ''
    count.textContent = filter.value.trim()
      ? matches.length === 0
        ? 'Aucun EPCI ne correspond à la recherche.'
        : `${formatInteger(matches.length)} EPCI correspondant${matches.length > 1 ? 's' : ''} — Entrée pour afficher le premier.`
      : ''
  }
}
