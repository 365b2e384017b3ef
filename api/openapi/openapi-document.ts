/**
 * The OpenAPI 3.0 description of every public endpoint of the hub, served at /openapi.json (the
 * OGC API's `service-desc`). The OGC and download parts are derived from the collection catalogue,
 * so a new collection or queryable is described without a line here; test/openapi.test.ts checks
 * that every route registered on the app is described and that the document is valid OpenAPI 3.0.
 * Write endpoints (and the dead letter, which may hold anything a device sent) carry the bearer
 * security scheme.
 */
import { COLLECTIONS, DEFAULT_LIMIT, MAX_LIMIT, OGC_PREFIX, queryables, type CollectionProperty } from '../ogc/index.ts'
import type { OpenApiDocument, Operation, Parameter, PathItem, ResponseObject, SchemaObject } from './openapi-types.ts'

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` })
const json = (schema: SchemaObject | { $ref: string }) => ({ 'application/json': { schema } })
const ok = (description: string, content?: ResponseObject['content']): ResponseObject => ({ description, ...(content ? { content } : {}) })
const ADMIN = [{ bearerAuth: [] }] as const
const problems = { '400': ref('responses', 'BadRequest'), '404': ref('responses', 'NotFound'), '429': ref('responses', 'TooManyRequests'), '500': ref('responses', 'ServerError') }
/** Of the routes that take a body: past its limit (docs/SECURITY.md). */
const tooLarge = { '413': ref('responses', 'PayloadTooLarge') }

/** How the indicator endpoints give their units (api/indicators/indicator-queries.ts). */
const INDICATOR_UNITS =
  'Calculés à partir des agrégats (jamais des mesures brutes). Unités : `consumption` dans l’unité donnée à côté (`unit` : kWh, m3) ; ' +
  '`energy_kwh` (kWh, énergies en kWh seulement, l’eau à part) ; `cost_eur` (€, null sans tarif configuré) ; `co2_kg` (kg CO2e, facteurs et sources dans `co2_source`) ; ' +
  '`energy_kwh_per_m2` (kWh/m² sur la période) et `energy_kwh_per_m2_year` (kWh/m²/an, sur une année civile). Jours locaux (HUB_TIMEZONE).'

function path(name: string, description: string, schema: SchemaObject = { type: 'string' }): Parameter {
  return { name, in: 'path', required: true, description, schema }
}

function query(name: string, description: string, schema: SchemaObject = { type: 'string' }): Parameter {
  return { name, in: 'query', required: false, description, schema }
}

function propertySchema(p: CollectionProperty): SchemaObject {
  const type = p.type === 'date-time' ? 'string' : p.type
  return { type, description: p.description, ...(p.type === 'date-time' ? { format: 'date-time' } : {}) }
}

const collectionIds = COLLECTIONS.map((c) => c.id)
const collectionId = path('collectionId', 'Identifiant de la collection', { type: 'string', enum: collectionIds })

function ogcPaths(): Record<string, PathItem> {
  const geojson = { 'application/geo+json': { schema: ref('schemas', 'FeatureCollection') } }
  const items = (id: string | null, extra: readonly Parameter[]): Operation => ({
    summary: id ? `Objets de la collection ${id}` : 'Objets d’une collection',
    description: 'GeoJSON, paginé : numberMatched, numberReturned, liens next/prev/self. Tout paramètre inconnu est refusé (400).',
    operationId: id ? `getItems_${id.replace(/-/g, '_')}` : 'getItems',
    tags: ['OGC API – Features'],
    parameters: [...(id ? [] : [collectionId]), ref('parameters', 'bbox'), ref('parameters', 'limit'), ref('parameters', 'offset'), ref('parameters', 'datetime'), ...extra],
    responses: { '200': ok('Les objets', geojson), ...problems },
  })
  const perCollection: Record<string, PathItem> = {}
  for (const c of COLLECTIONS) {
    perCollection[`${OGC_PREFIX}/collections/${c.id}/items`] = {
      get: items(c.id, queryables(c).map((p) => query(p.name, `Égalité sur ${p.name} : ${p.description}`, propertySchema(p)))),
    }
  }
  return {
    [OGC_PREFIX]: { get: { summary: 'Page d’accueil de l’API OGC', operationId: 'getLandingPage', tags: ['OGC API – Features'], responses: { '200': ok('Liens vers la définition, la conformité et les collections', json(ref('schemas', 'LandingPage'))), '500': ref('responses', 'ServerError') } } },
    [`${OGC_PREFIX}/conformance`]: { get: { summary: 'Classes de conformité', operationId: 'getConformance', tags: ['OGC API – Features'], responses: { '200': ok('core, geojson, oas30', json({ type: 'object', required: ['conformsTo'], properties: { conformsTo: { type: 'array', items: { type: 'string' } } } })), '500': ref('responses', 'ServerError') } } },
    [`${OGC_PREFIX}/collections`]: { get: { summary: 'Les collections', operationId: 'getCollections', tags: ['OGC API – Features'], responses: { '200': ok('Collections avec leur étendue', json({ type: 'object', properties: { links: { type: 'array', items: ref('schemas', 'Link') }, collections: { type: 'array', items: ref('schemas', 'Collection') } } })), '500': ref('responses', 'ServerError') } } },
    [`${OGC_PREFIX}/collections/{collectionId}`]: { get: { summary: 'Une collection', operationId: 'describeCollection', tags: ['OGC API – Features'], parameters: [collectionId], responses: { '200': ok('La collection, son étendue (CRS84) et ses liens', json(ref('schemas', 'Collection'))), ...problems } } },
    [`${OGC_PREFIX}/collections/{collectionId}/items`]: { get: items(null, []) },
    ...perCollection,
    [`${OGC_PREFIX}/collections/{collectionId}/items/{featureId}`]: {
      get: {
        summary: 'Un objet',
        operationId: 'getFeature',
        tags: ['OGC API – Features'],
        parameters: [collectionId, path('featureId', 'Identifiant de l’objet')],
        responses: { '200': ok('L’objet', { 'application/geo+json': { schema: ref('schemas', 'Feature') } }), ...problems },
      },
    },
  }
}

function downloadPaths(): Record<string, PathItem> {
  const sep = query('sep', 'Séparateur : , (défaut, point décimal) ou ; (tableurs français : virgule décimale et BOM)', { type: 'string', enum: [',', ';'], default: ',' })
  const days = [
    query('sensor', 'Identifiant d’un capteur (sinon : tous les capteurs)'),
    query('building', 'Identifiant d’un bâtiment : agrégats par grandeur sur ses capteurs'),
    query('from', 'Premier jour inclus (AAAA-MM-JJ, jour local)', { type: 'string', format: 'date' }),
    query('to', 'Jour exclu (AAAA-MM-JJ)', { type: 'string', format: 'date' }),
  ]
  const csv = { 'text/csv': { schema: { type: 'string' as const } } }
  const geojson = { 'application/geo+json': { schema: ref('schemas', 'FeatureCollection') } }
  const download = (format: 'csv' | 'geojson'): Operation => ({
    summary: `Téléchargement complet d’une collection (${format === 'csv' ? 'CSV' : 'GeoJSON'})`,
    description: 'Diffusé par pages (transfert chunked). Accepte bbox et les filtres d’égalité de la collection (voir ses items).',
    operationId: `download_${format}`,
    tags: ['Téléchargements'],
    parameters: [{ ...collectionId }, ref('parameters', 'bbox'), ...(format === 'csv' ? [sep] : [])],
    responses: { '200': ok('Le fichier', format === 'csv' ? csv : geojson), ...problems },
  })
  const daily = (format: 'csv' | 'geojson'): Operation => ({
    summary: `Agrégats journaliers des mesures (${format === 'csv' ? 'CSV' : 'GeoJSON'})`,
    description: 'Par capteur (n, moyenne, min, max, somme, première et dernière valeur, augmentation des compteurs) ou par bâtiment (par grandeur).',
    operationId: `downloadDailyReadings_${format}`,
    tags: ['Téléchargements'],
    parameters: [...days, ...(format === 'csv' ? [sep] : [])],
    responses: { '200': ok('Le fichier', format === 'csv' ? csv : geojson), ...problems },
  })
  return {
    '/download/{collectionId}.csv': { get: download('csv') },
    '/download/{collectionId}.geojson': { get: download('geojson') },
    '/download/readings/daily.csv': { get: daily('csv') },
    '/download/readings/daily.geojson': { get: daily('geojson') },
  }
}

function hubPaths(): Record<string, PathItem> {
  const id = path('id', 'Identifiant')
  const siren = path('siren', 'SIREN de l’EPCI (9 chiffres)', { type: 'string', pattern: '^\\d{9}$' })
  const range = [
    query('from', 'Début inclus (ISO 8601 avec fuseau) ; défaut : to − 24 h', { type: 'string', format: 'date-time' }),
    query('to', 'Fin exclue (ISO 8601 avec fuseau) ; défaut : maintenant', { type: 'string', format: 'date-time' }),
    query('limit', 'Nombre maximal de mesures', { type: 'integer', minimum: 1, maximum: 100_000, default: 10_000 }),
  ]
  const object = json({ type: 'object' })
  const indicatorYear = query('year', 'Année civile (par défaut l’année en cours)', { type: 'integer', minimum: 2000, maximum: 2100 })
  return {
    '/health': { get: { summary: 'État du hub', operationId: 'getHealth', tags: ['Exploitation'], responses: { '200': ok('Prêt', object), '503': ok('Indisponible, avec la cause', object) } } },
    '/metrics': { get: { summary: 'Métriques Prometheus de l’ingestion', operationId: 'getMetrics', tags: ['Exploitation'], responses: { '200': ok('Format texte Prometheus', { 'text/plain': { schema: { type: 'string' } } }) } } },
    '/api/epci': { get: { summary: 'Les EPCI', operationId: 'listEpci', tags: ['Territoire'], responses: { '200': ok('EPCI avec bbox et communes membres', json({ type: 'array', items: { type: 'object' } })), '500': ref('responses', 'ServerError') } } },
    '/api/epci/{siren}': { get: { summary: 'Un EPCI et ses communes', operationId: 'getEpci', tags: ['Territoire'], parameters: [siren], responses: { '200': ok('L’EPCI', object), ...problems } } },
    '/api/epci/{siren}/buildings': { get: { summary: 'Bâtiments publics d’un EPCI', operationId: 'getEpciBuildings', tags: ['Territoire'], parameters: [siren], responses: { '200': ok('GeoJSON', { 'application/geo+json': { schema: ref('schemas', 'FeatureCollection') } }), ...problems } } },
    '/api/epci/{siren}/indicators': { get: { summary: 'Indicateurs énergie d’un EPCI pour une année civile', description: INDICATOR_UNITS, operationId: 'getEpciIndicators', tags: ['Indicateurs'], parameters: [siren, indicatorYear], responses: { '200': ok('Totaux par énergie (consommation dans l’unité de l’énergie, cost_eur, co2_kg) et évolution sur l’année précédente, bâtiments suivis, intensité (kWh/m²/an : déciles, quartiles, classement), couverture des capteurs (24 h), alertes ouvertes, ICONE des écoles', object), ...problems } } },
    '/api/epci/{siren}/live': {
      get: {
        summary: 'Flux en direct d’un EPCI (server-sent events) : nouvelles dernières valeurs des capteurs, alertes levées',
        description: 'text/event-stream : `event: reading` (data : sensor, device, building, quantity, unit, value, at) et `event: alert` (data : id, building, kind, carrier, day, reason), un commentaire toutes les 20 s, `retry` 2 s.',
        operationId: 'getEpciLive',
        tags: ['Mesures'],
        parameters: [siren],
        responses: { '200': ok('Le flux', { 'text/event-stream': { schema: { type: 'string' } } }), ...problems },
      },
    },
    '/api/communes/{insee}/indicators': { get: { summary: 'Indicateurs énergie d’une commune pour une année civile', description: INDICATOR_UNITS, operationId: 'getCommuneIndicators', tags: ['Indicateurs'], parameters: [path('insee', 'Code INSEE de la commune', { type: 'string', pattern: '^[0-9][0-9AB][0-9]{3}$' }), indicatorYear], responses: { '200': ok('Comme pour un EPCI, sur les bâtiments de la commune', object), ...problems } } },
    '/api/buildings/{id}/indicators': {
      get: {
        summary: 'Indicateurs énergie d’un bâtiment, pour une année civile (year) ou des jours (from, to inclus)',
        description: INDICATOR_UNITS,
        operationId: 'getBuildingIndicators',
        tags: ['Indicateurs'],
        parameters: [id, indicatorYear, query('from', 'Premier jour (AAAA-MM-JJ, heure locale), avec to', { type: 'string', format: 'date' }), query('to', 'Dernier jour inclus (AAAA-MM-JJ), avec from', { type: 'string', format: 'date' })],
        responses: { '200': ok('Bâtiment (avec ses parcelles cadastrales) ; par énergie : consommation, unité, compteurs, jours mesurés, remises à zéro, coût, CO₂ ; totaux, kWh/m² (et kWh/m²/an sur une année civile), année précédente, séries mensuelle et journalière, trous de mesure, décret tertiaire, alertes ouvertes', object), ...problems },
      },
    },
    '/api/buildings/{id}/signature': {
      get: {
        summary: 'Signature énergétique d’un bâtiment : consommation journalière régressée sur les DJU de la station de son EPCI',
        description: 'Par énergie : points (jour, DJU base 18 °C, consommation dans `unit`), `base_per_day` (unit/jour), `slope_per_dju` (unit/DJU), r², part du chauffage, consommation corrigée du climat sur une année civile (base × jours + pente × DJU de référence de la station).',
        operationId: 'getBuildingSignature',
        tags: ['Indicateurs'],
        parameters: [id, indicatorYear, query('from', 'Premier jour (AAAA-MM-JJ), avec to', { type: 'string', format: 'date' }), query('to', 'Dernier jour inclus (AAAA-MM-JJ), avec from', { type: 'string', format: 'date' })],
        responses: { '200': ok('Station, DJU, signature par énergie', object), ...problems },
      },
    },
    '/api/buildings/{id}/settings': {
      patch: {
        summary: 'Réglages d’un bâtiment (jeton d’administration) : surface, année et consommation de référence du décret tertiaire, horaires d’occupation',
        operationId: 'updateBuildingSettings',
        tags: ['Indicateurs'],
        security: ADMIN,
        parameters: [id],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            properties: {
              floor_area_m2: { type: 'number', minimum: 0, nullable: true, description: 'Surface (m², > 0)' },
              reference_year: { type: 'integer', minimum: 2010, maximum: 2019, nullable: true, description: 'Année de référence (décret tertiaire)' },
              reference_kwh: { type: 'number', minimum: 0, nullable: true, description: 'Consommation de référence corrigée du climat (kWh, > 0), telle que déclarée' },
              schedule: { type: 'array', nullable: true, description: 'Horaires propres (null : ceux de l’usage)', items: { type: 'object', properties: { weekday: { type: 'integer', minimum: 1, maximum: 7 }, opens: { type: 'string', pattern: '^\\d{2}:\\d{2}$' }, closes: { type: 'string', pattern: '^\\d{2}:\\d{2}$' } } } },
            },
          }),
        },
        responses: { '200': ok('Les réglages enregistrés', object), '401': ref('responses', 'Unauthorized'), ...tooLarge, ...problems },
      },
    },
    '/api/alerts': {
      get: {
        summary: 'Alertes : surconsommation, sous-consommation (écart robuste à la valeur attendue du bâtiment), confinement de l’air (ICONE ≥ 4)',
        operationId: 'listAlerts',
        tags: ['Indicateurs'],
        parameters: [
          query('epci', 'SIREN de l’EPCI', { type: 'string', pattern: '^\\d{9}$' }), query('commune', 'Code INSEE'), query('building', 'Identifiant du bâtiment'),
          query('kind', 'Type', { type: 'string', enum: ['over_consumption', 'under_consumption', 'night_base_load', 'confinement'] }),
          query('status', 'open (par défaut), closed ou all', { type: 'string', enum: ['open', 'closed', 'all'] }),
          query('limit', 'Nombre maximal (100 par défaut)', { type: 'integer', minimum: 1, maximum: 1000 }), query('before', 'Page suivante : next_before de la précédente', { type: 'integer', minimum: 1 }),
        ],
        responses: { '200': ok('Les plus récentes d’abord : bâtiment, énergie, jour, raison (en français), valeur, valeur attendue, écart robuste', object), ...problems },
      },
    },
    '/api/exports/operat.csv': {
      get: {
        summary: 'Export annuel pour la déclaration OPERAT (décret tertiaire) : une ligne par bâtiment, année et énergie',
        description: 'Colonnes : identifiant, surface (m²), énergie, consommation et unité, compteurs, jours mesurés, remises à zéro, coût (€), CO₂ (kg), station météo, DJU de l’année et de référence, consommation corrigée du climat (kWh), année et consommation de référence, objectif de l’année et de 2030 (kWh), sur la trajectoire (oui/non).',
        operationId: 'exportOperat',
        tags: ['Indicateurs'],
        parameters: [
          query('year', 'Année civile (par défaut l’année précédente)', { type: 'integer', minimum: 2000, maximum: 2100 }),
          query('buildings', 'subject (≥ 1 000 m², par défaut) ou all', { type: 'string', enum: ['subject', 'all'] }),
          query('sep', ', (défaut) ou ; (tableur en français : virgule décimale, BOM)', { type: 'string', enum: [',', ';'] }),
        ],
        responses: { '200': ok('CSV (RFC 4180)', { 'text/csv': { schema: { type: 'string' } } }), ...problems },
      },
    },
    '/api/datasets': { get: { summary: 'Jeux chargés, source, licence, réel ou synthétique', operationId: 'listDatasets', tags: ['Territoire'], responses: { '200': ok('Les jeux', json({ type: 'array', items: { type: 'object' } })), '500': ref('responses', 'ServerError') } } },
    '/api/sensors/{id}/readings': { get: { summary: 'Mesures d’un capteur dans [from, to)', operationId: 'getSensorReadings', tags: ['Mesures'], parameters: [id, ...range], responses: { '200': ok('Mesures, les plus anciennes d’abord, lien next au-delà de limit', object), ...problems } } },
    '/api/devices': {
      post: {
        summary: 'Déclarer un boîtier (jeton d’administration)',
        operationId: 'provisionDevice',
        tags: ['Administration'],
        security: ADMIN,
        requestBody: { required: true, content: json({ type: 'object' }) },
        responses: { '201': ok('Le boîtier tel qu’attribué', object), '401': ref('responses', 'Unauthorized'), '409': ok('Identifiant ou identité réseau déjà pris', { 'application/problem+json': { schema: ref('schemas', 'Problem') } }), ...tooLarge, ...problems },
      },
    },
    '/api/devices/{id}': { get: { summary: 'Un boîtier', operationId: 'getDevice', tags: ['Mesures'], parameters: [id], responses: { '200': ok('Le boîtier, ses capteurs, son bâtiment, sa commune', object), ...problems } } },
    '/api/devices/{id}/readings': { get: { summary: 'Mesures d’un boîtier', operationId: 'getDeviceReadings', tags: ['Mesures'], parameters: [id, ...range], responses: { '200': ok('Mesures avec grandeur et unité', object), ...problems } } },
    '/api/dead-letters': {
      get: {
        summary: 'Messages refusés (jeton d’administration)',
        operationId: 'listDeadLetters',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [query('reason', 'Raison'), query('status', 'pending, replayed ou all', { type: 'string', enum: ['pending', 'replayed', 'all'] }), query('limit', 'Nombre maximal', { type: 'integer', minimum: 1, maximum: 1000 }), query('before', 'Identifiant à partir duquel continuer', { type: 'integer', minimum: 1 })],
        responses: { '200': ok('Les plus récents d’abord, avec les comptes par raison', object), '401': ref('responses', 'Unauthorized'), ...problems },
      },
    },
    '/api/dead-letters/{id}/payload': { get: { summary: 'Contenu d’un message refusé (jeton d’administration)', operationId: 'getDeadLetterPayload', tags: ['Administration'], security: ADMIN, parameters: [path('id', 'Identifiant', { type: 'integer', minimum: 1 })], responses: { '200': ok('Le message tel que reçu', { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }), '401': ref('responses', 'Unauthorized'), ...problems } } },
    '/api/dead-letters/replay': { post: { summary: 'Rejouer des messages refusés (jeton d’administration)', operationId: 'replayDeadLetters', tags: ['Administration'], security: ADMIN, requestBody: { content: json({ type: 'object', properties: { reason: { type: 'string' }, ids: { type: 'array', items: { type: 'integer' } } } }) }, responses: { '200': ok('Bilan du rejeu', object), '401': ref('responses', 'Unauthorized'), ...tooLarge, ...problems } } },
    '/api/imports/{kind}': {
      post: {
        summary: 'Importer un petit fichier GeoJSON (jeton d’administration)',
        operationId: 'importLayer',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [path('kind', 'Nature de la couche importée')],
        requestBody: { required: true, content: { 'application/geo+json': { schema: { type: 'object' } }, 'application/json': { schema: { type: 'object' } }, 'application/gzip': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '200': ok('Bilan de l’import', object), '401': ref('responses', 'Unauthorized'), ...tooLarge, ...problems },
      },
    },
    '/tiles': { get: { summary: 'Les couches de tuiles vectorielles', operationId: 'listTileLayers', tags: ['Tuiles'], responses: { '200': ok('Couches et leur TileJSON', json({ type: 'array', items: { type: 'object' } })) } } },
    '/tiles/{layer}.json': { get: { summary: 'TileJSON 3.0 d’une couche', operationId: 'getTileJson', tags: ['Tuiles'], parameters: [path('layer', 'Couche')], responses: { '200': ok('TileJSON', object), ...problems } } },
    '/tiles/{layer}/{z}/{x}/{y}.mvt': {
      get: {
        summary: 'Une tuile vectorielle (Mapbox Vector Tile)',
        operationId: 'getTile',
        tags: ['Tuiles'],
        parameters: [path('layer', 'Couche'), path('z', 'Zoom', { type: 'integer', minimum: 0 }), path('x', 'Colonne', { type: 'integer', minimum: 0 }), path('y', 'Ligne', { type: 'integer', minimum: 0 })],
        responses: { '200': ok('La tuile (ETag fort)', { 'application/vnd.mapbox-vector-tile': { schema: { type: 'string', format: 'binary' } } }), '204': ok('Tuile vide'), '304': ok('Inchangée (If-None-Match)'), ...problems },
      },
    },
    '/catalog': { get: { summary: 'Catalogue DCAT-AP des données ouvertes (JSON-LD)', operationId: 'getCatalog', tags: ['Données ouvertes'], responses: { '200': ok('dcat:Catalog, contexte en ligne', { 'application/ld+json': { schema: { type: 'object' } } }), '500': ref('responses', 'ServerError') } } },
    '/openapi.json': { get: { summary: 'Ce document (OpenAPI 3.0)', operationId: 'getOpenApi', tags: ['Données ouvertes'], responses: { '200': ok('OpenAPI 3.0', { 'application/vnd.oai.openapi+json;version=3.0': { schema: { type: 'object' } } }) } } },
  }
}

const problemContent = { 'application/problem+json': { schema: ref('schemas', 'Problem') } }

export function openApiDocument(base: string): OpenApiDocument {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Territoire — API du hub de données territorial',
      version: '1.0.0',
      description: 'Données ouvertes (OGC API – Features, téléchargements, catalogue DCAT-AP, sous Licence Ouverte 2.0), tuiles vectorielles, mesures des capteurs et administration. Erreurs : RFC 9457 application/problem+json. Débit limité par adresse (429 avec Retry-After) ; données ouvertes lisibles depuis tout site (CORS).',
      license: { name: 'Licence Ouverte 2.0 (données)', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/' },
    },
    servers: [{ url: base }],
    tags: [
      { name: 'OGC API – Features', description: 'OGC API – Features Part 1 : Core, GeoJSON, OpenAPI 3.0' },
      { name: 'Téléchargements', description: 'Fichiers complets CSV (RFC 4180) et GeoJSON' },
      { name: 'Données ouvertes' },
      { name: 'Territoire' },
      { name: 'Indicateurs', description: 'Énergie et air intérieur, à partir des agrégats' },
      { name: 'Mesures' },
      { name: 'Tuiles' },
      { name: 'Administration', description: 'Jeton Bearer HUB_ADMIN_TOKEN' },
      { name: 'Exploitation' },
    ],
    paths: { ...ogcPaths(), ...downloadPaths(), ...hubPaths() },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'HUB_ADMIN_TOKEN' } },
      parameters: {
        bbox: { name: 'bbox', in: 'query', required: false, style: 'form', explode: false, description: 'Ouest,sud,est,nord en CRS84 (longitude, latitude)', schema: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } } },
        limit: { name: 'limit', in: 'query', required: false, description: `Nombre d’objets par page (défaut ${DEFAULT_LIMIT})`, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
        offset: { name: 'offset', in: 'query', required: false, description: 'Objets à sauter (suivre plutôt le lien next)', schema: { type: 'integer', minimum: 0, default: 0 } },
        datetime: { name: 'datetime', in: 'query', required: false, description: 'Instant ou intervalle début/fin (.. : ouvert), RFC 3339 ; sans effet sur une collection sans propriété temporelle', schema: { type: 'string' } },
      },
      responses: {
        BadRequest: { description: 'Paramètre invalide ou inconnu', content: problemContent },
        NotFound: { description: 'Introuvable (ou hors du périmètre de l’appelant)', content: problemContent },
        Unauthorized: { description: 'Jeton absent ou invalide', content: problemContent },
        PayloadTooLarge: { description: 'Corps de requête au-delà de la limite de cette route', content: problemContent },
        TooManyRequests: {
          description: 'Trop de requêtes de cette adresse, ou trop de jetons refusés : réessayer après Retry-After',
          headers: { 'Retry-After': { description: 'Secondes à attendre', schema: { type: 'integer', minimum: 1 } } },
          content: problemContent,
        },
        ServerError: { description: 'Erreur interne (journalisée)', content: problemContent },
      },
      schemas: {
        Problem: { type: 'object', required: ['type', 'title', 'status'], properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' } } },
        Link: { type: 'object', required: ['href', 'rel'], properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' } } },
        LandingPage: { type: 'object', required: ['links'], properties: { title: { type: 'string' }, description: { type: 'string' }, links: { type: 'array', items: ref('schemas', 'Link') } } },
        Collection: {
          type: 'object',
          required: ['id', 'links'],
          properties: {
            id: { type: 'string', enum: collectionIds },
            title: { type: 'string' },
            description: { type: 'string' },
            itemType: { type: 'string' },
            crs: { type: 'array', items: { type: 'string' } },
            extent: { type: 'object' },
            links: { type: 'array', items: ref('schemas', 'Link') },
          },
        },
        Feature: { type: 'object', required: ['type', 'geometry', 'properties'], properties: { type: { type: 'string', enum: ['Feature'] }, id: { type: 'string' }, geometry: { type: 'object', nullable: true }, properties: { type: 'object', nullable: true }, links: { type: 'array', items: ref('schemas', 'Link') } } },
        FeatureCollection: {
          type: 'object',
          required: ['type', 'features'],
          properties: {
            type: { type: 'string', enum: ['FeatureCollection'] },
            features: { type: 'array', items: ref('schemas', 'Feature') },
            links: { type: 'array', items: ref('schemas', 'Link') },
            timeStamp: { type: 'string', format: 'date-time' },
            numberMatched: { type: 'integer', minimum: 0 },
            numberReturned: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
  }
}
