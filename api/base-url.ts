/**
 * Absolute URLs of the answers (OGC links, DCAT, downloads, OpenAPI, TileJSON): from `PUBLIC_URL`
 * when the hub sits behind a proxy or a public name, else from the request's own host.
 */
import type { Request } from 'express'

export interface OpenDataOptions {
  /** Public base URL (no trailing slash), e.g. https://donnees.example.fr; null: from each request. */
  readonly publicUrl: string | null
  /** Name of the publisher (the OPSN) in the DCAT catalogue. */
  readonly publisherName: string
}

export const DEFAULT_OPEN_DATA: OpenDataOptions = Object.freeze({ publicUrl: null, publisherName: 'Territoire' })

export function baseUrl(req: Request, options: OpenDataOptions): string {
  return options.publicUrl ?? `${req.protocol}://${req.get('host')}`
}
