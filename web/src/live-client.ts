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

/**
 * `onRefused`: the stream stopped for good — EventSource gives up (no reconnection) when the hub
 * answers an error status, such as a 401 once the session has ended. A dropped connection is
 * retried by EventSource itself and does not call it.
 */
export function connectLive(siren: string, onReading: (r: LiveReading) => void, onAlert: (a: LiveAlert) => void, onRefused: () => void = () => {}): LiveConnection {
  const source = new EventSource(`/api/epci/${encodeURIComponent(siren)}/live`)
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) onRefused()
  })
  source.addEventListener('reading', (event) => onReading(JSON.parse((event as MessageEvent<string>).data) as LiveReading))
  source.addEventListener('alert', (event) => onAlert(JSON.parse((event as MessageEvent<string>).data) as LiveAlert))
  return { close: () => source.close() }
}
