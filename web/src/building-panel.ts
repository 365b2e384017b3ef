/**
 * The building panel (`/epci/{siren}/batiments/{id}`): identity, the period's energy (per carrier,
 * kWh/m², €, CO₂), its daily consumption as a chart, the indoor temperature and CO₂ readings of
 * the period (31 days at most: raw readings), indoor air (ICONE), the décret tertiaire, open
 * alerts, and the data shown as CSV (French spreadsheet: `;`, decimal commas). Every chart has a
 * text summary beside it for screen readers.
 */
import { h, setChildren } from './dom.ts'
import { formatArea, formatInteger, usageLabel } from './format.ts'
import { getBuildingIndicators, getBuildingSignature, getBuildingYear, getOpenAlerts, getSensorReadings, type BuildingIndicators } from './indicators-client.ts'
import type { LiveReading } from './live-client.ts'
import { signatureChart, timeSeriesChart, trajectoryChart, type ChartSeries } from './time-series-chart.ts'

export type PeriodChoice = '7' | '30' | 'year'

/** A parcel's id (14 characters: commune, prefix, section, number) as the cadastre writes it: « 80021 000 AB 0123 ». */
export function parcelLabel(id: string): string {
  return id.length === 14 ? `${id.slice(0, 5)} ${id.slice(5, 8)} ${id.slice(8, 10)} ${id.slice(10)}` : id
}

const PERIODS: Record<PeriodChoice, string> = { '7': '7 derniers jours', '30': '30 derniers jours', year: 'Année en cours' }
const CARRIER_COLORS: Record<string, string> = { electricity: '#1f5fbf', gas: '#c0392b', heat_network: '#8e44ad', fuel_oil: '#7f5f1f', water: '#16a085' }
const DAY_MS = 86_400_000
const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 })
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 })
const dayLabel = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' })
const timeLabel = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' })
const QUANTITIES: Record<string, string> = { temperature: 'Température', co2: 'CO₂', humidity: 'Humidité', energy_index: 'Index d’énergie', gas_index: 'Index gaz', power: 'Puissance' }
const UNITS: Record<string, string> = { Cel: '°C', '%RH': '%', ppm: 'ppm', kWh: 'kWh', W: 'W', kW: 'kW', m3: 'm³' }

/** "CO₂ : 1 234 ppm", the unit as people write it. */
export function latestText(quantity: string, unit: string, value: number | null): string {
  return `${QUANTITIES[quantity] ?? quantity} : ${value === null ? 'pas encore de mesure' : `${decimal.format(value)}\u00a0${UNITS[unit] ?? unit}`}`
}

/** The local (Paris) day, YYYY-MM-DD. */
function localDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

export function periodDays(choice: PeriodChoice, now = new Date()): { from: string; to: string } {
  const to = localDay(now)
  if (choice === 'year') return { from: `${to.slice(0, 4)}-01-01`, to }
  return { from: localDay(new Date(now.getTime() - (Number(choice) - 1) * DAY_MS)), to }
}

function carrierLabel(indicators: BuildingIndicators, carrier: string): string {
  return indicators.carriers.find((c) => c.carrier === carrier)?.label ?? carrier
}

export interface BuildingPanelCallbacks {
  /** Back to the EPCI (the panel's link). */
  readonly epciPath: string
  readonly onPeriodChange: (period: PeriodChoice) => void
}

export class BuildingPanel {
  constructor(private readonly root: HTMLElement) {}

  showLoading(): void {
    this.root.setAttribute('aria-busy', 'true')
    setChildren(this.root, h('h2', { id: 'panel-title' }, 'Chargement du bâtiment…'))
  }

  /** Loads and shows a building over a period; resolves once its charts are drawn. */
  async show(id: string, period: PeriodChoice, callbacks: BuildingPanelCallbacks, signal?: AbortSignal): Promise<BuildingIndicators> {
    this.showLoading()
    const days = periodDays(period)
    const thisYear = Number(days.to.slice(0, 4))
    // The current year's period is the calendar year: its figures come with the climate-corrected year and the trajectory.
    const indicators = period === 'year' ? await getBuildingYear(id, thisYear, signal) : await getBuildingIndicators(id, days.from, days.to, signal)
    const decret = indicators.decret_tertiaire
    const width = Math.max(260, this.root.clientWidth - 24)
    const from = new Date(`${days.from}T00:00:00`)
    const to = new Date()
    const shortPeriod = period !== 'year'
    // Temperature and CO₂ from the raw readings of the period (31 days at most: at 10 minutes, 4,500 points a sensor).
    const air = shortPeriod ? indicators.sensors.filter((s) => s.quantity === 'temperature' || s.quantity === 'co2') : []
    const [readings, signature, alerts, trajectoryYears] = await Promise.all([
      Promise.all(air.map(async (s) => ({ sensor: s, readings: await getSensorReadings(s.id, from, to, signal) }))),
      // The signature over the last year (a season or more of degree-days), whatever the period shown.
      getBuildingSignature(id, period === 'year' ? days.from : localDay(new Date(Date.now() - 364 * DAY_MS)), days.to, signal).catch(() => null),
      getOpenAlerts({ building: id }, signal).catch(() => []),
      // The décret trajectory: this year and last, climate-corrected, when the building has a reference.
      decret.subject && decret.reference_year !== null
        ? Promise.all([thisYear - 1, thisYear].map((y) => (y === thisYear && period === 'year' ? Promise.resolve(indicators) : getBuildingYear(id, y, signal).catch(() => null))))
        : Promise.resolve([]),
    ])
    const trajectory = trajectoryYears.map((y) => y?.decret_tertiaire.trajectory).filter((t) => t != null)

    const b = indicators.building
    const t = indicators.totals
    const byCarrier = new Map<string, { x: number[]; y: number[] }>()
    for (const d of indicators.daily) {
      const series = byCarrier.get(d.carrier) ?? { x: [], y: [] }
      series.x.push(Date.parse(`${d.day}T12:00:00Z`) / 1000)
      series.y.push(d.consumption)
      byCarrier.set(d.carrier, series)
    }
    const energySeries: ChartSeries[] = [...byCarrier].map(([carrier, s]) => ({
      label: indicators.carriers.find((c) => c.carrier === carrier)?.label ?? carrier, x: s.x, y: s.y, color: CARRIER_COLORS[carrier] ?? '#555',
    }))
    const quantitySeries = (quantity: string, color: string) =>
      readings.filter((r) => r.sensor.quantity === quantity).map((r, i, all): ChartSeries => ({
        // The quantity's name; with several sensors, each one's id too.
        label: all.length > 1 ? `${QUANTITIES[quantity] ?? quantity} (${r.sensor.id})` : (QUANTITIES[quantity] ?? quantity), x: r.readings.map((p) => Date.parse(p.time) / 1000), y: r.readings.map((p) => p.value), color: i === 0 ? color : '#888',
      }))
    const temperature = quantitySeries('temperature', '#d35400')
    const co2 = quantitySeries('co2', '#2c3e50')
    const periodText = `du ${dayLabel.format(new Date(`${days.from}T00:00:00Z`))} au ${dayLabel.format(new Date(`${days.to}T00:00:00Z`))}`

    const select = h('select', { id: 'building-period' }, ...(Object.entries(PERIODS) as [PeriodChoice, string][]).map(([value, label]) => h('option', { value, selected: value === period }, label)))
    select.addEventListener('change', () => callbacks.onPeriodChange(select.value as PeriodChoice))

    this.root.removeAttribute('aria-busy')
    setChildren(this.root,
      h('p', {}, h('a', { href: callbacks.epciPath, 'data-back': 'epci' }, '← Retour à l’EPCI')),
      h('h2', { id: 'panel-title' }, b.nom),
      b.synthetic && h('p', { class: 'badge badge-synthetic' }, 'Donnée synthétique (démonstration)'),
      h('dl', { class: 'identity' },
        h('dt', {}, 'Usage'), h('dd', {}, usageLabel(b.usage)),
        h('dt', {}, 'Surface de plancher'), h('dd', {}, formatArea(b.floor_area_m2)),
        h('dt', {}, 'Commune'), h('dd', {}, `${b.commune_nom} (${b.commune})`),
        h('dt', {}, b.parcels.length > 1 ? 'Parcelles cadastrales' : 'Parcelle cadastrale'),
        h('dd', {}, b.parcels.length === 0 ? 'non rattachée (cadastre non importé)' : b.parcels.map(parcelLabel).join(', ')),
      ),
      h('div', { class: 'field' }, h('label', { for: 'building-period' }, 'Période'), select),
      h('h3', {}, 'Dernières mesures'),
      indicators.sensors.length === 0
        ? h('p', { class: 'muted' }, 'Aucun capteur dans ce bâtiment.')
        : h('ul', { class: 'latest' }, indicators.sensors.map((x) =>
            h('li', { 'data-sensor': x.id },
              h('span', { class: 'latest-value' }, latestText(x.quantity, x.unit, x.value)),
              h('span', { class: 'muted latest-time' }, x.at ? ` (${timeLabel.format(new Date(x.at))})` : '')))),
      h('h3', {}, 'Énergie'),
      indicators.carriers.length === 0
        ? h('p', { class: 'muted' }, 'Aucun compteur d’énergie dans ce bâtiment.')
        : h('dl', { class: 'figures' },
            h('dt', {}, 'Consommation'), h('dd', { 'data-figure': 'energy_kwh' }, `${formatInteger(t.energy_kwh)}\u00a0kWh`),
            t.energy_kwh_per_m2 !== null && [h('dt', {}, 'Par m²'), h('dd', {}, `${decimal.format(t.energy_kwh_per_m2)}\u00a0kWh/m²`)],
            h('dt', {}, 'Coût'), h('dd', {}, t.cost_eur === null ? 'tarif non configuré' : euros.format(t.cost_eur)),
            h('dt', {}, 'Émissions'), h('dd', {}, t.co2_kg === null ? 'facteur manquant' : `${formatInteger(t.co2_kg)}\u00a0kg\u00a0CO₂e`),
          ),
      energySeries.length > 0 && timeSeriesChart({ title: 'Consommation journalière', unit: 'kWh', series: energySeries, daily: true, width }),
      energySeries.length > 0 && h('p', { class: 'visually-hidden' },
        `Consommation ${periodText} : ${indicators.carriers.map((c) => `${c.label} ${formatInteger(c.consumption)} ${c.unit}`).join(', ')}.`),
      indicators.gaps.length > 0 && h('p', { class: 'muted' }, `${indicators.gaps.length} interruption(s) de relevé : leur consommation n’est attribuée à aucun jour.`),
      temperature.length > 0 && timeSeriesChart({ title: 'Température intérieure', unit: '°C', series: temperature, width }),
      co2.length > 0 && timeSeriesChart({ title: 'CO₂', unit: 'ppm', series: co2, width }),
      !shortPeriod && air.length === 0 && h('p', { class: 'muted' }, 'Température et CO₂ : choisissez une période de 30 jours au plus.'),
      h('h3', {}, 'Signature énergétique'),
      signature === null || signature.carriers.length === 0
        ? h('p', { class: 'muted' }, 'Pas de signature : aucun compteur d’énergie.')
        : signature.carriers.filter((c) => c.unit === 'kWh').flatMap((c) => c.signature === null
            ? [h('p', { class: 'muted' }, `${carrierLabel(indicators, c.carrier)} : pas de signature (${c.reason}).`)]
            : [
                signatureChart({ title: `${carrierLabel(indicators, c.carrier)} selon les degrés-jours`, unit: c.unit, points: c.points, base: c.signature.base_per_day, slope: c.signature.slope_per_dju, width }),
                h('p', {}, `Talon ${decimal.format(c.signature.base_per_day)}\u00a0kWh/jour, chauffage ${decimal.format(c.signature.slope_per_dju)}\u00a0kWh par DJU (r² ${decimal.format(c.signature.r2)})` +
                  (c.heating_share === null ? '.' : `, chauffage ${decimal.format(c.heating_share * 100)}\u00a0% de la consommation.`)),
              ]),
      h('h3', {}, 'Air intérieur'),
      h('p', {}, indicators.air.icone === null ? 'Pas de mesure de CO₂ en période d’occupation sur la période.' : `Indice de confinement ICONE : ${indicators.air.icone.index} sur 5.`),
      indicators.air.occupied_hours > 0 && h('p', {}, `${formatInteger(indicators.air.hours_below_19)} h sous 19\u00a0°C et ${formatInteger(indicators.air.hours_above_26)} h au-dessus de 26\u00a0°C sur ${formatInteger(indicators.air.occupied_hours)} h d’occupation.`),
      h('h3', {}, 'Décret tertiaire'),
      ...this.decretSection(decret, trajectory, width),
      h('h3', {}, 'Alertes'),
      alerts.length === 0 ? h('p', {}, 'Aucune alerte ouverte.') : h('ul', { class: 'alerts' }, alerts.map((a) => h('li', {}, a.reason))),
      this.exportLink(indicators, `${b.id}-${days.from}-${days.to}.csv`),
    )
    return indicators
  }

  /** The décret tertiaire: status, then the trajectory chart and its text alternative. */
  private decretSection(decret: BuildingIndicators['decret_tertiaire'], years: readonly NonNullable<BuildingIndicators['decret_tertiaire']['trajectory']>[], width: number): HTMLElement[] {
    if (!decret.subject) return [h('p', {}, 'Non assujetti (surface de plancher inférieure à 1\u202f000 m²).')]
    if (decret.reference_year === null || decret.reference_kwh === null) {
      return [h('p', {}, `Assujetti ; année de référence ${decret.reference_year ?? 'à renseigner'}${decret.reference_year !== null ? ', consommation de référence inconnue' : ''}.`)]
    }
    const source = decret.reference_source === 'declared' ? 'déclarée' : 'calculée par le hub'
    const out: HTMLElement[] = [h('p', {}, `Référence ${decret.reference_year} (${source}) : ${formatInteger(decret.reference_kwh)}\u00a0kWh corrigés du climat.`)]
    const latest = years.at(-1)
    if (!latest) {
      out.push(h('p', { class: 'muted' }, 'Pas encore de consommation corrigée du climat : il faut une signature énergétique (station météo et quelques semaines de mesures).'))
      return out
    }
    out.push(
      trajectoryChart({
        referenceYear: decret.reference_year, referenceKwh: decret.reference_kwh, milestones: latest.milestones,
        measured: years.map((y) => ({ year: y.year, kwh: y.consumption })), width,
      }),
      h('p', { 'data-figure': 'trajectory' }, ...years.map((y) => h('span', { class: 'trajectory-year' },
        `${y.year}${y.year === new Date().getFullYear() ? ' (estimée sur l’année)' : ''} : ${formatInteger(y.consumption)}\u00a0kWh pour un objectif de ${formatInteger(y.target)}\u00a0kWh, ${decimal.format(y.change * 100)}\u00a0% par rapport à ${decret.reference_year} — `,
        h('strong', {}, y.onTrack ? 'sur la trajectoire' : 'au-dessus de la trajectoire'), '. '))),
      h('p', { class: 'muted' }, `Objectifs : ${latest.milestones.map((m) => `${m.year} −${decimal.format(m.reduction * 100)}\u00a0% (${formatInteger(m.target)}\u00a0kWh)`).join(', ')}.`),
    )
    return out
  }

  /** A new latest value heard on the live stream: shown if it is one of this building's sensors. */
  updateReading(reading: LiveReading): void {
    const item = [...this.root.querySelectorAll<HTMLElement>('li[data-sensor]')].find((li) => li.dataset.sensor === reading.sensor)
    if (!item) return
    item.querySelector('.latest-value')!.textContent = latestText(reading.quantity, reading.unit, reading.value)
    item.querySelector('.latest-time')!.textContent = ` (${timeLabel.format(new Date(reading.at))})`
    item.classList.remove('updated')
    void item.offsetWidth // restart the highlight
    item.classList.add('updated')
  }

  /** The daily consumption shown, as a CSV for a French spreadsheet. */
  private exportLink(indicators: BuildingIndicators, filename: string): HTMLElement {
    const comma = (v: number) => String(v).replace('.', ',')
    const lines = ['jour;energie;unite;consommation', ...indicators.daily.map((d) => {
      const unit = indicators.carriers.find((c) => c.carrier === d.carrier)?.unit ?? ''
      return `${d.day};${d.carrier};${unit};${comma(d.consumption)}`
    })]
    const url = URL.createObjectURL(new Blob([`\uFEFF${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' }))
    return h('p', {}, h('a', { href: url, download: filename, class: 'button' }, 'Exporter les données affichées (CSV)'))
  }
}
