/**
 * The JSON documents of OGC API – Features Part 1 (landing page, conformance, collections, item
 * collections), built from the catalogue and the query results. Links are absolute; a paged
 * answer's `next`/`prev`/`self` keep every filter of the request.
 */
import type { Collection } from './collections.ts'
import type { CollectionExtent, FeatureRow } from './feature-queries.ts'

export const OGC_PREFIX = '/ogc'
export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'
export const GEOJSON = 'application/geo+json'
export const JSON_TYPE = 'application/json'
export const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0'

export const CONFORMANCE_CLASSES = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
] as const

export interface Link {
  readonly href: string
  readonly rel: string
  readonly type: string
  readonly title?: string
}

export function landingPage(base: string) {
  const ogc = `${base}${OGC_PREFIX}`
  return {
    title: 'Territoire — données ouvertes',
    description: 'OGC API – Features : EPCI, communes, parcelles, bâtiments publics et capteurs du territoire, sous Licence Ouverte 2.0.',
    links: [
      { href: ogc, rel: 'self', type: JSON_TYPE, title: 'Cette page' },
      { href: `${base}/openapi.json`, rel: 'service-desc', type: OPENAPI_TYPE, title: 'Définition OpenAPI 3.0 de l’API' },
      { href: `${ogc}/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'Classes de conformité' },
      { href: `${ogc}/collections`, rel: 'data', type: JSON_TYPE, title: 'Collections' },
      { href: `${base}/catalog`, rel: 'describedby', type: 'application/ld+json', title: 'Catalogue DCAT-AP' },
    ] satisfies Link[],
  }
}

export function conformance() {
  return { conformsTo: [...CONFORMANCE_CLASSES] }
}

export function collectionDocument(base: string, collection: Collection, extent: CollectionExtent) {
  const url = `${base}${OGC_PREFIX}/collections/${collection.id}`
  return {
    id: collection.id,
    title: collection.title,
    description: collection.description + (extent.synthetic ? ' Contient des données synthétiques (démonstration), signalées par la propriété synthetic.' : ''),
    keywords: collection.keywords,
    attribution: collection.attribution,
    itemType: 'feature',
    crs: [CRS84],
    extent: {
      spatial: { bbox: extent.bbox ? [extent.bbox] : [], crs: CRS84 },
      ...(extent.interval ? { temporal: { interval: [extent.interval], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
    },
    links: [
      { href: url, rel: 'self', type: JSON_TYPE, title: collection.title },
      { href: `${url}/items`, rel: 'items', type: GEOJSON, title: 'Objets (GeoJSON)' },
      { href: `${base}/download/${collection.id}.csv`, rel: 'enclosure', type: 'text/csv', title: 'Téléchargement CSV' },
      { href: `${base}/download/${collection.id}.geojson`, rel: 'enclosure', type: GEOJSON, title: 'Téléchargement GeoJSON' },
      { href: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/', rel: 'license', type: 'text/html', title: 'Licence Ouverte 2.0' },
    ] satisfies Link[],
  }
}

export function featureText(row: FeatureRow): string {
  return `{"type":"Feature","id":${JSON.stringify(row.id)},"geometry":${row.geometry ?? 'null'},"properties":${row.properties}}`
}

/** The items answer as text: the features are spliced as PostgreSQL wrote them. */
export function itemsText(rows: readonly FeatureRow[], numberMatched: number, links: readonly Link[]): string {
  const head = JSON.stringify({ type: 'FeatureCollection', numberMatched, numberReturned: rows.length, timeStamp: new Date().toISOString(), links })
  return `${head.slice(0, -1)},"features":[${rows.map(featureText).join(',')}]}`
}

export function singleFeatureText(base: string, collection: Collection, row: FeatureRow): string {
  const url = `${base}${OGC_PREFIX}/collections/${collection.id}`
  const links: Link[] = [
    { href: `${url}/items/${encodeURIComponent(row.id)}`, rel: 'self', type: GEOJSON },
    { href: url, rel: 'collection', type: JSON_TYPE, title: collection.title },
  ]
  return `${featureText(row).slice(0, -1)},"links":${JSON.stringify(links)}}`
}

/** self, and next/prev when there is more, each the request's own URL with only offset changed. */
export function pagingLinks(requestUrl: URL, collection: Collection, base: string, page: { limit: number; offset: number; returned: number; matched: number }): Link[] {
  const at = (offset: number) => {
    const url = new URL(requestUrl)
    url.searchParams.set('limit', String(page.limit))
    if (offset === 0) url.searchParams.delete('offset')
    else url.searchParams.set('offset', String(offset))
    return url.toString()
  }
  const links: Link[] = [
    { href: requestUrl.toString(), rel: 'self', type: GEOJSON, title: 'Cette page' },
    { href: `${base}${OGC_PREFIX}/collections/${collection.id}`, rel: 'collection', type: JSON_TYPE, title: collection.title },
  ]
  if (page.offset + page.returned < page.matched) links.push({ href: at(page.offset + page.returned), rel: 'next', type: GEOJSON, title: 'Page suivante' })
  if (page.offset > 0) links.push({ href: at(Math.max(0, page.offset - page.limit)), rel: 'prev', type: GEOJSON, title: 'Page précédente' })
  return links
}
