/**
 * The open page's live connection to its EPCI (GET /api/epci/{siren}/live, server-sent events):
 * each sensor's new latest value and each alert raised. EventSource reconnects by itself (the
 * server says `retry`); the page closes it when it leaves the EPCI.
 */
export interface LiveReading {
  readonly sensor: string
  readonly device: string
  readonly building: string | null
  readonly quantity: string
  readonly unit: string
  readonly value: number
  readonly at: string
}

export interface LiveAlert {
  readonly id: number
  readonly building: string
  readonly kind: string
  readonly reason: string
}

export interface LiveConnection {
  close(): void
}

export function connectLive(siren: string, onReading: (r: LiveReading) => void, onAlert: (a: LiveAlert) => void): LiveConnection {
  const source = new EventSource(`/api/epci/${encodeURIComponent(siren)}/live`)
  source.addEventListener('reading', (event) => onReading(JSON.parse((event as MessageEvent<string>).data) as LiveReading))
  source.addEventListener('alert', (event) => onAlert(JSON.parse((event as MessageEvent<string>).data) as LiveAlert))
  return { close: () => source.close() }
}
