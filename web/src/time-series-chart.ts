/**
 * Time-series charts with uPlot: canvas drawing, tens of thousands of points without slowing the
 * page (the reason it was chosen, ARCHITECTURE.md), drag to zoom, double-click to reset. French
 * axes (24 h clock, comma decimals); the unit in the title. The chart is an image for assistive
 * technologies, with a text summary beside it (the caller gives it) and the data as CSV.
 */
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { h } from './dom.ts'

export interface ChartSeries {
  readonly label: string
  /** Seconds since the epoch, ascending. */
  readonly x: readonly number[]
  readonly y: readonly (number | null)[]
  readonly color: string
}

const number = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 })
const dayFormat = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit' })
const timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const fullFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' })

/** One x axis for all series (their union), each series aligned on it (null where it has no point). */
function aligned(series: readonly ChartSeries[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b)
  const index = new Map(xs.map((x, i) => [x, i]))
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null)
    s.x.forEach((x, i) => (y[index.get(x)!] = s.y[i]!))
    return y
  })
  return [xs, ...ys] as uPlot.AlignedData
}

export function timeSeriesChart(options: { title: string; unit: string; series: readonly ChartSeries[]; daily?: boolean; width: number }): HTMLElement {
  const figure = h('figure', { class: 'chart', role: 'img', 'aria-label': `${options.title} (${options.unit})` })
  const plot = new uPlot(
    {
      width: options.width,
      height: 180,
      title: `${options.title} (${options.unit})`,
      // Bars of consumption start at 0 (a shortened axis would exaggerate the differences); readings fit their range.
      scales: { x: { time: true }, y: options.daily ? { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } : {} },
      cursor: { drag: { x: true, y: false } },
      legend: { show: true },
      axes: [
        { values: (_u, splits) => splits.map((s) => (options.daily ? dayFormat : timeFormat).format(new Date(s * 1000))) },
        { values: (_u, splits) => splits.map((v) => number.format(v)), size: 60 },
      ],
      series: [
        { label: 'Date', value: (_u, v) => (v === null ? '—' : options.daily ? dayFormat.format(new Date(v * 1000)) : fullFormat.format(new Date(v * 1000))) },
        ...options.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${number.format(v)} ${options.unit}`),
          ...(options.daily ? { paths: uPlot.paths.bars!({ size: [0.8, 40] }), fill: `${s.color}55` } : {}),
        })),
      ],
    },
    aligned(options.series),
    figure,
  )
  figure.dataset.points = String(options.series.reduce((a, s) => a + s.x.length, 0))
  void plot
  return figure
}

/**
 * An energy signature: each day's consumption against its degree-days (points), and the fitted
 * line base + slope × DJU. x is not time here.
 */
export function signatureChart(options: { title: string; unit: string; points: readonly { dju: number; consumption: number }[]; base: number; slope: number; width: number }): HTMLElement {
  const figure = h('figure', { class: 'chart', role: 'img', 'aria-label': `${options.title} (${options.unit} par jour selon les DJU)` })
  const sorted = [...options.points].sort((a, b) => a.dju - b.dju)
  const xs = sorted.map((p) => p.dju)
  const plot = new uPlot(
    {
      width: options.width,
      height: 180,
      title: options.title,
      scales: { x: { time: false } },
      axes: [
        { label: 'DJU du jour', values: (_u, splits) => splits.map((v) => number.format(v)) },
        { label: `${options.unit}/jour`, values: (_u, splits) => splits.map((v) => number.format(v)), size: 60 },
      ],
      series: [
        { label: 'DJU', value: (_u, v) => (v === null ? '—' : number.format(v)) },
        { label: 'Jours mesurés', stroke: '#1f5fbf', paths: () => null, points: { show: true, size: 5, fill: '#1f5fbf' }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${number.format(v)} ${options.unit}`) },
        { label: 'Signature', stroke: '#c0392b', width: 1.5, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${number.format(v)} ${options.unit}`) },
      ],
    },
    [xs, sorted.map((p) => p.consumption), xs.map((x) => options.base + options.slope * x)] as uPlot.AlignedData,
    figure,
  )
  figure.dataset.points = String(sorted.length)
  void plot
  return figure
}

/**
 * The décret tertiaire trajectory: the straight lines from the reference year's consumption to
 * −40 % (2030), −50 % (2040) and −60 % (2050), and the climate-corrected consumption of the years
 * the hub measured. x is the year.
 */
export function trajectoryChart(options: {
  readonly referenceYear: number
  readonly referenceKwh: number
  readonly milestones: readonly { readonly year: number; readonly target: number }[]
  readonly measured: readonly { readonly year: number; readonly kwh: number }[]
  readonly width: number
}): HTMLElement {
  const title = 'Trajectoire du décret tertiaire (kWh corrigés du climat)'
  const figure = h('figure', { class: 'chart', role: 'img', 'aria-label': title })
  const line = new Map<number, number>([[options.referenceYear, options.referenceKwh], ...options.milestones.map((m) => [m.year, m.target] as [number, number])])
  const years = [...new Set([...line.keys(), ...options.measured.map((m) => m.year)])].sort((a, b) => a - b)
  const measured = new Map(options.measured.map((m) => [m.year, m.kwh]))
  const kwh = (v: number | null) => (v === null ? '—' : `${number.format(v)} kWh`)
  const plot = new uPlot(
    {
      width: options.width,
      height: 200,
      title,
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max * 1.08] } },
      axes: [
        { values: (_u, splits) => splits.map((v) => String(v)), incrs: [1, 5, 10] },
        { values: (_u, splits) => splits.map((v) => number.format(v)), size: 70 },
      ],
      series: [
        { label: 'Année', value: (_u, v) => (v === null ? '—' : String(v)) },
        { label: 'Trajectoire', stroke: '#2e7d32', width: 2, spanGaps: true, dash: [6, 4], points: { show: true, size: 6 }, value: (_u: uPlot, v: number | null) => kwh(v) },
        { label: 'Consommation corrigée', stroke: '#1f5fbf', paths: () => null, points: { show: true, size: 9, fill: '#1f5fbf' }, value: (_u: uPlot, v: number | null) => kwh(v) },
      ],
    },
    [years, years.map((y) => line.get(y) ?? null), years.map((y) => measured.get(y) ?? null)] as uPlot.AlignedData,
    figure,
  )
  figure.dataset.points = String(options.measured.length)
  void plot
  return figure
}
