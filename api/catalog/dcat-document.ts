/**
 * The DCAT-AP catalogue (JSON-LD, context inline: harvesters and tests never fetch anything):
 * one dcat:Dataset per collection and one for the daily readings, each with its French title and
 * description, Licence Ouverte 2.0, the publisher (HUB_PUBLISHER_NAME), its spatial coverage (a
 * bounding box as WKT and GeoJSON literals, and the data.gouv.fr zone `fr:epci:<siren>` of each
 * EPCI covered), its temporal coverage where it has one, dct:modified, and its distributions:
 * the CSV and GeoJSON downloads and the OGC API items. Harvestable by data.gouv.fr's DCAT harvester.
 */
import { OGC_PREFIX, type Bbox } from '../ogc/index.ts'
import type { CatalogFacts, DatasetFacts } from './catalog-queries.ts'

/** Licence Ouverte / Open Licence 2.0 (Etalab), the licence of French public open data. */
export const LICENCE_OUVERTE_2 = 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/'
const FILE_TYPE = 'http://publications.europa.eu/resource/authority/file-type/'
const MEDIA_TYPE = 'https://www.iana.org/assignments/media-types/'
const OGC_API_FEATURES = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core'
const GEOJSON_LITERAL = 'https://www.iana.org/assignments/media-types/application/vnd.geo+json'

export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  locn: 'http://www.w3.org/ns/locn#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  'dct:modified': { '@type': 'xsd:dateTime' },
  'dcat:startDate': { '@type': 'xsd:date' },
  'dcat:endDate': { '@type': 'xsd:date' },
  'dcat:bbox': { '@type': 'gsp:wktLiteral' },
  'locn:geometry': { '@type': GEOJSON_LITERAL },
  'dct:license': { '@type': '@id' },
  'dct:format': { '@type': '@id' },
  'dcat:mediaType': { '@type': '@id' },
  'dct:conformsTo': { '@type': '@id' },
  'dct:language': { '@type': '@id' },
  'dcat:accessURL': { '@type': '@id' },
  'dcat:downloadURL': { '@type': '@id' },
  'dcat:endpointURL': { '@type': '@id' },
  'dcat:endpointDescription': { '@type': '@id' },
  'dcat:landingPage': { '@type': '@id' },
  'foaf:homepage': { '@type': '@id' },
} as const

const fr = (text: string) => ({ '@value': text, '@language': 'fr' })

function wkt([w, s, e, n]: Bbox): string {
  return `POLYGON((${w} ${s}, ${e} ${s}, ${e} ${n}, ${w} ${n}, ${w} ${s}))`
}

function geojsonPolygon([w, s, e, n]: Bbox): string {
  return JSON.stringify({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] })
}

function spatial(facts: DatasetFacts) {
  return [
    ...(facts.extent.bbox ? [{ '@type': 'dct:Location', 'dcat:bbox': wkt(facts.extent.bbox), 'locn:geometry': geojsonPolygon(facts.extent.bbox) }] : []),
    ...facts.epci.map((e) => ({
      '@id': `https://www.data.gouv.fr/api/1/spatial/zone/fr:epci:${e.siren}`,
      '@type': 'dct:Location',
      'dct:identifier': `fr:epci:${e.siren}`,
      'skos:prefLabel': fr(e.nom),
    })),
  ]
}

function distribution(id: string, title: string, format: 'CSV' | 'GEOJSON', mediaType: string, url: string, download: boolean) {
  return {
    '@id': id,
    '@type': 'dcat:Distribution',
    'dct:title': fr(title),
    'dct:format': `${FILE_TYPE}${format}`,
    'dcat:mediaType': `${MEDIA_TYPE}${mediaType}`,
    'dcat:accessURL': url,
    ...(download ? { 'dcat:downloadURL': url } : { 'dct:conformsTo': OGC_API_FEATURES }),
    'dct:license': LICENCE_OUVERTE_2,
  }
}

export function dcatCatalog(base: string, publisherName: string, facts: CatalogFacts) {
  const catalogId = `${base}/catalog`
  const publisher = { '@id': `${catalogId}#publisher`, '@type': 'foaf:Agent', 'foaf:name': publisherName }
  const common = { 'dct:license': LICENCE_OUVERTE_2, 'dct:publisher': { '@id': publisher['@id'] }, 'dct:language': 'http://publications.europa.eu/resource/authority/language/FRA' }

  const datasets = facts.datasets.map((d) => {
    const c = d.collection
    const id = `${catalogId}#${c.id}`
    const synthetic = d.extent.synthetic ? ' Contient des données synthétiques de démonstration (propriété synthetic).' : ''
    return {
      '@id': id,
      '@type': 'dcat:Dataset',
      'dct:identifier': c.id,
      'dct:title': fr(c.title),
      'dct:description': fr(`${c.description}${synthetic} Source : ${c.attribution}.`),
      'dcat:keyword': c.keywords.map(fr),
      ...common,
      'dct:spatial': spatial(d),
      ...(d.extent.interval && (d.extent.interval[0] || d.extent.interval[1])
        ? { 'dct:temporal': { '@type': 'dct:PeriodOfTime', ...(d.extent.interval[0] ? { 'dcat:startDate': d.extent.interval[0].slice(0, 10) } : {}), ...(d.extent.interval[1] ? { 'dcat:endDate': d.extent.interval[1].slice(0, 10) } : {}) } }
        : {}),
      ...(d.modified ? { 'dct:modified': d.modified } : {}),
      'dcat:landingPage': `${base}${OGC_PREFIX}/collections/${c.id}`,
      'dcat:distribution': [
        distribution(`${id}-csv`, `${c.title} (CSV)`, 'CSV', 'text/csv', `${base}/download/${c.id}.csv`, true),
        distribution(`${id}-geojson`, `${c.title} (GeoJSON)`, 'GEOJSON', 'application/geo+json', `${base}/download/${c.id}.geojson`, true),
        distribution(`${id}-ogc`, `${c.title} (OGC API – Features)`, 'GEOJSON', 'application/geo+json', `${base}${OGC_PREFIX}/collections/${c.id}/items`, false),
      ],
    }
  })

  const r = facts.readings
  const readingsId = `${catalogId}#readings-daily`
  const readings = {
    '@id': readingsId,
    '@type': 'dcat:Dataset',
    'dct:identifier': 'readings-daily',
    'dct:title': fr('Mesures des capteurs : agrégats journaliers'),
    'dct:description': fr(
      'Par capteur et par jour local (Europe/Paris) : nombre de mesures, moyenne, minimum, maximum, somme, première et dernière valeur, ' +
        'et pour les compteurs l’augmentation du jour. Par bâtiment (paramètre building) : agrégats par grandeur sur ses capteurs. ' +
        `Période choisie avec from et to (jours AAAA-MM-JJ).${r.sensors.extent.synthetic ? ' Contient des données synthétiques de démonstration.' : ''}`,
    ),
    'dcat:keyword': ['capteurs', 'mesures', 'énergie', 'qualité de l’air', 'séries temporelles'].map(fr),
    ...common,
    'dct:spatial': spatial(r.sensors),
    ...(r.first && r.last ? { 'dct:temporal': { '@type': 'dct:PeriodOfTime', 'dcat:startDate': r.first, 'dcat:endDate': r.last } } : {}),
    ...(r.modified ? { 'dct:modified': r.modified } : {}),
    'dcat:distribution': [
      distribution(`${readingsId}-csv`, 'Agrégats journaliers de tous les capteurs (CSV)', 'CSV', 'text/csv', `${base}/download/readings/daily.csv`, true),
      distribution(`${readingsId}-geojson`, 'Agrégats journaliers de tous les capteurs (GeoJSON)', 'GEOJSON', 'application/geo+json', `${base}/download/readings/daily.geojson`, true),
    ],
  }

  const modified = [...facts.datasets.map((d) => d.modified), r.modified].filter((m): m is string => m !== null).sort().at(-1)
  return {
    '@context': DCAT_CONTEXT,
    '@id': catalogId,
    '@type': 'dcat:Catalog',
    'dct:title': fr(`Données ouvertes du territoire — ${publisherName}`),
    'dct:description': fr('Limites administratives, cadastre, bâtiments publics et mesures des capteurs publiés par le hub de données territorial, sous Licence Ouverte 2.0.'),
    ...common,
    'dct:publisher': publisher,
    'dct:license': { '@id': LICENCE_OUVERTE_2, '@type': 'dct:LicenseDocument', 'dct:title': fr('Licence Ouverte / Open Licence version 2.0') },
    'foaf:homepage': `${base}${OGC_PREFIX}`,
    ...(modified ? { 'dct:modified': modified } : {}),
    'dcat:service': {
      '@id': `${base}${OGC_PREFIX}`,
      '@type': 'dcat:DataService',
      'dct:title': fr('API OGC – Features du territoire'),
      'dcat:endpointURL': `${base}${OGC_PREFIX}`,
      'dcat:endpointDescription': `${base}/openapi.json`,
      'dct:conformsTo': OGC_API_FEATURES,
      'dct:license': LICENCE_OUVERTE_2,
      'dcat:servesDataset': facts.datasets.map((d) => ({ '@id': `${catalogId}#${d.collection.id}` })),
    },
    'dcat:dataset': [...datasets, readings],
  }
}
