/**
 * The OpenAPI 3.0 description of every public endpoint of the hub, served at /openapi.json (the
 * OGC API's `service-desc`). The OGC and download parts are derived from the collection catalogue,
 * so a new collection or queryable is described without a line here; test/openapi.test.ts checks
 * that every route registered on the app is described and that the document is valid OpenAPI 3.0.
 * Every route that needs a signed-in caller carries both security schemes — the bearer credential
 * (API token, HUB_ADMIN_TOKEN or OpenID Connect JWT) or the page's session cookie — with its 401,
 * and a 403 where a role is required (api/auth/access.ts; the roles are in the text: OpenAPI 3.0
 * has no roles outside OAuth scopes). The open data, the territorial reference and the public
 * tile layers need none.
 */
import { COLLECTIONS, DEFAULT_LIMIT, MAX_LIMIT, OGC_PREFIX, queryables, type CollectionProperty } from '../ogc/index.ts'
import { TILE_SOURCES } from '../tiles/tile-source.ts'
import { SESSION_COOKIE } from '../auth/credentials.ts'
import type { OpenApiDocument, Operation, Parameter, PathItem, ResponseObject, SchemaObject } from './openapi-types.ts'

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` })
const json = (schema: SchemaObject | { $ref: string }) => ({ 'application/json': { schema } })
const ok = (description: string, content?: ResponseObject['content']): ResponseObject => ({ description, ...(content ? { content } : {}) })
/** Signed in, by either scheme. */
const SIGNED_IN = [{ bearerAuth: [] }, { sessionCookie: [] }] as const
/** The admin role (OPSN), by either scheme: 401 anonymous, 403 another role. */
const ADMIN = SIGNED_IN
/** Any signed-in staff member (admin, EPCI staff, energy manager), by either scheme: 401 anonymous; outside their scope, 404. */
const STAFF = SIGNED_IN
/** Anonymous allowed (`{}`); a credential, when sent, decides what is shown. */
const OPTIONAL_SIGN_IN = [{}, ...SIGNED_IN] as const
const unauthorized = { '401': ref('responses', 'Unauthorized') }
const forbidden = { '403': ref('responses', 'Forbidden') }
/** Of the admin routes: anonymous, or another role. */
const adminOnly = { ...unauthorized, ...forbidden }
/** The tile layers only signed-in staff see (api/tiles/tile-source.ts, `access: 'staff'`). */
const STAFF_LAYERS = TILE_SOURCES.filter((s) => s.access === 'staff').map((s) => `\`${s.id}\``)
const STAFF_LAYERS_TEXT = `Les couches ${STAFF_LAYERS.slice(0, -1).join(', ')}${STAFF_LAYERS.length > 1 ? ' et ' : ''}${STAFF_LAYERS.at(-1) ?? ''} (access : staff) demandent un agent connecté (401 sinon) et ne montrent que son périmètre ; les autres sont publiques.`
/** The OGC collections only signed-in staff read (api/ogc/collections.ts, `access: 'staff'`). */
const STAFF_COLLECTIONS = COLLECTIONS.filter((c) => c.access === 'staff').map((c) => `\`${c.id}\``)
const STAFF_COLLECTIONS_TEXT = `La collection ${STAFF_COLLECTIONS.join(', ')} (access : staff) demande un agent connecté (401 sinon) et ne montre que son périmètre ; les autres sont des données ouvertes.`
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
  const items = (c: (typeof COLLECTIONS)[number] | null, extra: readonly Parameter[]): Operation => ({
    summary: c ? `Objets de la collection ${c.id}${c.access === 'staff' ? ' (agents connectés)' : ''}` : 'Objets d’une collection',
    description: `GeoJSON, paginé : numberMatched, numberReturned, liens next/prev/self. Tout paramètre inconnu est refusé (400).${c === null || c.access === 'staff' ? ` ${STAFF_COLLECTIONS_TEXT}` : ''}`,
    operationId: c ? `getItems_${c.id.replace(/-/g, '_')}` : 'getItems',
    tags: ['OGC API – Features'],
    ...(c === null ? { security: OPTIONAL_SIGN_IN } : c.access === 'staff' ? { security: STAFF } : {}),
    parameters: [...(c ? [] : [collectionId]), ref('parameters', 'bbox'), ref('parameters', 'limit'), ref('parameters', 'offset'), ref('parameters', 'datetime'), ...extra],
    responses: { '200': ok('Les objets', geojson), ...(c === null || c.access === 'staff' ? unauthorized : {}), ...problems },
  })
  const perCollection: Record<string, PathItem> = {}
  for (const c of COLLECTIONS) {
    perCollection[`${OGC_PREFIX}/collections/${c.id}/items`] = {
      get: items(c, queryables(c).map((p) => query(p.name, `Égalité sur ${p.name} : ${p.description}`, propertySchema(p)))),
    }
  }
  return {
    [OGC_PREFIX]: { get: { summary: 'Page d’accueil de l’API OGC', operationId: 'getLandingPage', tags: ['OGC API – Features'], responses: { '200': ok('Liens vers la définition, la conformité et les collections', json(ref('schemas', 'LandingPage'))), '500': ref('responses', 'ServerError') } } },
    [`${OGC_PREFIX}/conformance`]: { get: { summary: 'Classes de conformité', operationId: 'getConformance', tags: ['OGC API – Features'], responses: { '200': ok('core, geojson, oas30', json({ type: 'object', required: ['conformsTo'], properties: { conformsTo: { type: 'array', items: { type: 'string' } } } })), '500': ref('responses', 'ServerError') } } },
    [`${OGC_PREFIX}/collections`]: { get: { summary: 'Les collections', description: `Les données ouvertes ; pour un agent connecté, aussi les collections de son périmètre. ${STAFF_COLLECTIONS_TEXT}`, operationId: 'getCollections', tags: ['OGC API – Features'], security: OPTIONAL_SIGN_IN, responses: { '200': ok('Collections avec leur étendue', json({ type: 'object', properties: { links: { type: 'array', items: ref('schemas', 'Link') }, collections: { type: 'array', items: ref('schemas', 'Collection') } } })), ...unauthorized, '500': ref('responses', 'ServerError') } } },
    [`${OGC_PREFIX}/collections/{collectionId}`]: { get: { summary: 'Une collection', description: STAFF_COLLECTIONS_TEXT, operationId: 'describeCollection', tags: ['OGC API – Features'], security: OPTIONAL_SIGN_IN, parameters: [collectionId], responses: { '200': ok('La collection, son étendue (CRS84) et ses liens', json(ref('schemas', 'Collection'))), ...unauthorized, ...problems } } },
    [`${OGC_PREFIX}/collections/{collectionId}/items`]: { get: items(null, []) },
    ...perCollection,
    [`${OGC_PREFIX}/collections/{collectionId}/items/{featureId}`]: {
      get: {
        summary: 'Un objet',
        description: STAFF_COLLECTIONS_TEXT,
        operationId: 'getFeature',
        tags: ['OGC API – Features'],
        security: OPTIONAL_SIGN_IN,
        parameters: [collectionId, path('featureId', 'Identifiant de l’objet')],
        responses: { '200': ok('L’objet', { 'application/geo+json': { schema: ref('schemas', 'Feature') } }), ...unauthorized, ...problems },
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
    description: `Diffusé par pages (transfert chunked). Accepte bbox et les filtres d’égalité de la collection (voir ses items). ${STAFF_COLLECTIONS_TEXT}`,
    operationId: `download_${format}`,
    tags: ['Téléchargements'],
    security: OPTIONAL_SIGN_IN,
    parameters: [{ ...collectionId }, ref('parameters', 'bbox'), ...(format === 'csv' ? [sep] : [])],
    responses: { '200': ok('Le fichier', format === 'csv' ? csv : geojson), ...unauthorized, ...problems },
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

/** The page's session (api/auth/access.ts), the API tokens and the audit log (api/auth/admin-routes.ts), the MQTT credentials (api/mqtt-credentials-routes.ts). */
function accessPaths(): Record<string, PathItem> {
  const setCookie = (description: string) => ({ 'Set-Cookie': { description, schema: { type: 'string' as const } } })
  const tokenId = path('id', 'Identifiant du jeton (12 chiffres hexadécimaux)', { type: 'string', pattern: '^[0-9a-f]{12}$' })
  const username = path('username', 'Nom d’utilisateur MQTT (l’identifiant du boîtier, ou le nom de l’intégration)', { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })
  const conflict = { '409': ok('Identifiant déjà pris (sans replace), ou nom d’un autre boîtier ou d’une autre intégration', { 'application/problem+json': { schema: ref('schemas', 'Problem') } }) }
  return {
    '/auth/me': {
      get: {
        summary: 'Qui appelle : rôle, nom, périmètre, expiration',
        description: 'Sans identifiant : le public (`role` : public, périmètre vide — les données ouvertes restent à tous). `oidcLogin` : l’adresse de la connexion OpenID Connect de la page, ou null.',
        operationId: 'getMe',
        tags: ['Accès'],
        security: OPTIONAL_SIGN_IN,
        responses: { '200': ok('L’appelant (Cache-Control : no-store)', json(ref('schemas', 'Me'))), ...unauthorized, '429': ref('responses', 'TooManyRequests'), '500': ref('responses', 'ServerError') },
      },
    },
    '/auth/session': {
      post: {
        summary: 'Ouvrir la session de la page : pose le cookie territoire_session',
        description: `Le jeton d’accès (tt_…, HUB_ADMIN_TOKEN ou JWT OpenID Connect) est vérifié puis gardé dans le cookie ${SESSION_COOKIE} (HttpOnly, SameSite=Strict, 12 h au plus, jamais au-delà de l’expiration du jeton). Chaque jeton refusé consomme le budget de l’adresse : au-delà, 429 avec Retry-After.`,
        operationId: 'createSession',
        tags: ['Accès'],
        requestBody: { required: true, content: json({ type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 8192, pattern: '^\\S+$', description: 'Le jeton d’accès' } } }) },
        responses: {
          '204': { description: 'Session ouverte', headers: setCookie(`${SESSION_COOKIE}=<jeton> ; HttpOnly ; SameSite=Strict`) },
          '400': ref('responses', 'BadRequest'),
          '401': ref('responses', 'Unauthorized'),
          '403': ref('responses', 'Forbidden'),
          ...tooLarge,
          '429': ref('responses', 'TooManyRequests'),
          '500': ref('responses', 'ServerError'),
        },
      },
      delete: {
        summary: 'Fermer la session de la page : efface le cookie territoire_session',
        operationId: 'deleteSession',
        tags: ['Accès'],
        responses: { '204': { description: 'Session fermée', headers: setCookie(`${SESSION_COOKIE}= ; Max-Age=0`) }, '403': ref('responses', 'Forbidden'), '429': ref('responses', 'TooManyRequests'), '500': ref('responses', 'ServerError') },
      },
    },
    '/api/tokens': {
      get: {
        summary: 'Jetons d’accès, révoqués et expirés compris (administrateur)',
        description: 'Créés en ligne de commande seulement (`territoire tokens create`) : un secret ne passe jamais par HTTP.',
        operationId: 'listTokens',
        tags: ['Administration'],
        security: ADMIN,
        responses: { '200': ok('Les jetons, sans leur secret', json({ type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: ref('schemas', 'ApiToken') } } })), ...adminOnly, '429': ref('responses', 'TooManyRequests'), '500': ref('responses', 'ServerError') },
      },
    },
    '/api/tokens/{id}': {
      delete: {
        summary: 'Révoquer un jeton d’accès (administrateur)',
        description: 'Refusé partout en quelques secondes ; inscrit au journal d’audit. Un jeton déjà révoqué : 400.',
        operationId: 'revokeToken',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [tokenId],
        responses: { '200': ok('Le jeton révoqué', json(ref('schemas', 'ApiToken'))), ...adminOnly, ...problems },
      },
    },
    '/api/audit': {
      get: {
        summary: 'Journal d’audit des actions d’administration (administrateur)',
        operationId: 'listAudit',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [
          query('limit', 'Nombre maximal (100 par défaut)', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          query('before', 'Page suivante : entrées d’identifiant inférieur', { type: 'string', pattern: '^[1-9]\\d{0,17}$' }),
          query('action', 'Une seule action, par exemple token.create', { type: 'string', pattern: '^[a-z_]+\\.[a-z_]+$' }),
        ],
        responses: { '200': ok('Les plus récentes d’abord', json({ type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: ref('schemas', 'AuditEntry') } } })), ...adminOnly, ...problems },
      },
    },
    '/api/mqtt-credentials': {
      post: {
        summary: 'Créer (ou renouveler, replace) l’identifiant MQTT d’un boîtier ou d’une intégration (administrateur)',
        description: 'Un boîtier (`device`) : ses sujets découlent de son DevEUI et de son nom de base SenML. Une intégration (`integration`) : les filtres `topics` donnés. Le mot de passe n’est montré qu’ici (Cache-Control : no-store).',
        operationId: 'createMqttCredential',
        tags: ['Administration'],
        security: ADMIN,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            description: '`device`, ou `integration` avec `topics` : l’un des deux',
            properties: {
              device: { type: 'string', description: 'Identifiant du boîtier (déjà déclaré)' },
              integration: { type: 'string', description: 'Nom de l’intégration (serveur de réseau)' },
              topics: { type: 'array', maxItems: 100, items: { type: 'string' }, description: 'Filtres de sujets MQTT où l’intégration publie' },
              replace: { type: 'boolean', default: false, description: 'Nouveau mot de passe pour un identifiant actif' },
            },
          }),
        },
        responses: { '201': ok('L’identifiant et son mot de passe', json(ref('schemas', 'CreatedMqttCredential'))), ...adminOnly, ...conflict, ...tooLarge, ...problems },
      },
      get: {
        summary: 'Identifiants MQTT actifs (administrateur)',
        operationId: 'listMqttCredentials',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [query('all', 'true : les révoqués aussi', { type: 'string', enum: ['true', 'false'] })],
        responses: { '200': ok('Les identifiants, sans mot de passe', json({ type: 'object', required: ['credentials'], properties: { credentials: { type: 'array', items: ref('schemas', 'MqttCredential') } } })), ...adminOnly, ...problems },
      },
    },
    '/api/mqtt-credentials/{username}': {
      delete: {
        summary: 'Révoquer un identifiant MQTT (administrateur)',
        operationId: 'revokeMqttCredential',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [username],
        responses: { '204': ok('Révoqué'), ...adminOnly, ...problems },
      },
    },
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
  const layer = path('layer', `Couche. ${STAFF_LAYERS_TEXT}`)
  const indicatorYear = query('year', 'Année civile (par défaut l’année en cours)', { type: 'integer', minimum: 2000, maximum: 2100 })
  return {
    ...accessPaths(),
    '/health': { get: { summary: 'État du hub', operationId: 'getHealth', tags: ['Exploitation'], responses: { '200': ok('Prêt', object), '503': ok('Indisponible, avec la cause', object) } } },
    '/metrics': { get: { summary: 'Métriques Prometheus de l’ingestion (administrateur)', operationId: 'getMetrics', tags: ['Exploitation'], security: ADMIN, responses: { '200': ok('Format texte Prometheus', { 'text/plain': { schema: { type: 'string' } } }), ...adminOnly, '429': ref('responses', 'TooManyRequests') } } },
    '/api/epci': { get: { summary: 'Les EPCI (public)', operationId: 'listEpci', tags: ['Territoire'], responses: { '200': ok('EPCI avec bbox et communes membres', json({ type: 'array', items: { type: 'object' } })), '500': ref('responses', 'ServerError') } } },
    '/api/epci/{siren}': { get: { summary: 'Un EPCI et ses communes (public)', operationId: 'getEpci', tags: ['Territoire'], parameters: [siren], responses: { '200': ok('L’EPCI', object), ...problems } } },
    '/api/epci/{siren}/buildings': { get: { summary: 'Bâtiments publics d’un EPCI (agents connectés)', operationId: 'getEpciBuildings', tags: ['Territoire'], security: STAFF, parameters: [siren], responses: { '200': ok('GeoJSON, les bâtiments du périmètre de l’appelant', { 'application/geo+json': { schema: ref('schemas', 'FeatureCollection') } }), ...unauthorized, ...problems } } },
    '/api/epci/{siren}/indicators': { get: { summary: 'Indicateurs énergie d’un EPCI pour une année civile (agents connectés)', description: INDICATOR_UNITS, operationId: 'getEpciIndicators', tags: ['Indicateurs'], security: STAFF, parameters: [siren, indicatorYear], responses: { '200': ok('Totaux par énergie (consommation dans l’unité de l’énergie, cost_eur, co2_kg) et évolution sur l’année précédente, bâtiments suivis, intensité (kWh/m²/an : déciles, quartiles, classement), couverture des capteurs (24 h), alertes ouvertes, ICONE des écoles', object), ...unauthorized, ...problems } } },
    '/api/epci/{siren}/live': {
      get: {
        summary: 'Flux en direct d’un EPCI (server-sent events, agents connectés) : nouvelles dernières valeurs des capteurs, alertes levées',
        description: 'text/event-stream : `event: reading` (data : sensor, device, building, quantity, unit, value, at) et `event: alert` (data : id, building, kind, carrier, day, reason), un commentaire toutes les 20 s, `retry` 2 s.',
        operationId: 'getEpciLive',
        tags: ['Mesures'],
        security: STAFF,
        parameters: [siren],
        responses: { '200': ok('Le flux, limité au périmètre de l’appelant', { 'text/event-stream': { schema: { type: 'string' } } }), ...unauthorized, ...problems },
      },
    },
    '/api/communes/{insee}/indicators': { get: { summary: 'Indicateurs énergie d’une commune pour une année civile (agents connectés)', description: INDICATOR_UNITS, operationId: 'getCommuneIndicators', tags: ['Indicateurs'], security: STAFF, parameters: [path('insee', 'Code INSEE de la commune', { type: 'string', pattern: '^[0-9][0-9AB][0-9]{3}$' }), indicatorYear], responses: { '200': ok('Comme pour un EPCI, sur les bâtiments de la commune', object), ...unauthorized, ...problems } } },
    '/api/buildings/{id}/indicators': {
      get: {
        summary: 'Indicateurs énergie d’un bâtiment, pour une année civile (year) ou des jours (from, to inclus) (agents connectés)',
        description: INDICATOR_UNITS,
        operationId: 'getBuildingIndicators',
        tags: ['Indicateurs'],
        security: STAFF,
        parameters: [id, indicatorYear, query('from', 'Premier jour (AAAA-MM-JJ, heure locale), avec to', { type: 'string', format: 'date' }), query('to', 'Dernier jour inclus (AAAA-MM-JJ), avec from', { type: 'string', format: 'date' })],
        responses: { '200': ok('Bâtiment (avec ses parcelles cadastrales) ; par énergie : consommation, unité, compteurs, jours mesurés, remises à zéro, coût, CO₂ ; totaux, kWh/m² (et kWh/m²/an sur une année civile), année précédente, séries mensuelle et journalière, trous de mesure, décret tertiaire, alertes ouvertes', object), ...unauthorized, ...problems },
      },
    },
    '/api/buildings/{id}/signature': {
      get: {
        summary: 'Signature énergétique d’un bâtiment (agents connectés) : consommation journalière régressée sur les DJU de la station de son EPCI',
        description: 'Par énergie : points (jour, DJU base 18 °C, consommation dans `unit`), `base_per_day` (unit/jour), `slope_per_dju` (unit/DJU), r², part du chauffage, consommation corrigée du climat sur une année civile (base × jours + pente × DJU de référence de la station).',
        operationId: 'getBuildingSignature',
        tags: ['Indicateurs'],
        security: STAFF,
        parameters: [id, indicatorYear, query('from', 'Premier jour (AAAA-MM-JJ), avec to', { type: 'string', format: 'date' }), query('to', 'Dernier jour inclus (AAAA-MM-JJ), avec from', { type: 'string', format: 'date' })],
        responses: { '200': ok('Station, DJU, signature par énergie', object), ...unauthorized, ...problems },
      },
    },
    '/api/buildings/{id}/settings': {
      patch: {
        summary: 'Réglages d’un bâtiment (administrateur, ou économe de flux du bâtiment) : surface, année et consommation de référence du décret tertiaire, horaires d’occupation',
        description: 'Rôle admin, ou energy_manager dont le périmètre comprend le bâtiment (hors de son périmètre : 404). Un agent d’EPCI reçoit 403.',
        operationId: 'updateBuildingSettings',
        tags: ['Indicateurs'],
        security: SIGNED_IN,
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
        responses: { '200': ok('Les réglages enregistrés', object), ...unauthorized, ...forbidden, ...tooLarge, ...problems },
      },
    },
    '/api/alerts': {
      get: {
        summary: 'Alertes (agents connectés) : surconsommation, sous-consommation (écart robuste à la valeur attendue du bâtiment), confinement de l’air (ICONE ≥ 4)',
        operationId: 'listAlerts',
        tags: ['Indicateurs'],
        security: STAFF,
        parameters: [
          query('epci', 'SIREN de l’EPCI', { type: 'string', pattern: '^\\d{9}$' }), query('commune', 'Code INSEE'), query('building', 'Identifiant du bâtiment'),
          query('kind', 'Type', { type: 'string', enum: ['over_consumption', 'under_consumption', 'night_base_load', 'confinement'] }),
          query('status', 'open (par défaut), closed ou all', { type: 'string', enum: ['open', 'closed', 'all'] }),
          query('limit', 'Nombre maximal (100 par défaut)', { type: 'integer', minimum: 1, maximum: 1000 }), query('before', 'Page suivante : next_before de la précédente', { type: 'integer', minimum: 1 }),
        ],
        responses: { '200': ok('Les plus récentes d’abord, dans le périmètre de l’appelant : bâtiment, énergie, jour, raison (en français), valeur, valeur attendue, écart robuste', object), ...unauthorized, ...problems },
      },
    },
    '/api/exports/operat.csv': {
      get: {
        summary: 'Export annuel pour la déclaration OPERAT (décret tertiaire, agents connectés) : une ligne par bâtiment, année et énergie',
        description: 'Colonnes : identifiant, surface (m²), énergie, consommation et unité, compteurs, jours mesurés, remises à zéro, coût (€), CO₂ (kg), station météo, DJU de l’année et de référence, consommation corrigée du climat (kWh), année et consommation de référence, objectif de l’année et de 2030 (kWh), sur la trajectoire (oui/non).',
        operationId: 'exportOperat',
        tags: ['Indicateurs'],
        security: STAFF,
        parameters: [
          query('year', 'Année civile (par défaut l’année précédente)', { type: 'integer', minimum: 2000, maximum: 2100 }),
          query('buildings', 'subject (≥ 1 000 m², par défaut) ou all', { type: 'string', enum: ['subject', 'all'] }),
          query('sep', ', (défaut) ou ; (tableur en français : virgule décimale, BOM)', { type: 'string', enum: [',', ';'] }),
        ],
        responses: { '200': ok('CSV (RFC 4180), les bâtiments du périmètre de l’appelant', { 'text/csv': { schema: { type: 'string' } } }), ...unauthorized, ...problems },
      },
    },
    '/api/datasets': { get: { summary: 'Jeux chargés, source, licence, réel ou synthétique (public)', operationId: 'listDatasets', tags: ['Territoire'], responses: { '200': ok('Les jeux', json({ type: 'array', items: { type: 'object' } })), '500': ref('responses', 'ServerError') } } },
    '/api/sensors/{id}/readings': { get: { summary: 'Mesures d’un capteur dans [from, to) (agents connectés)', operationId: 'getSensorReadings', tags: ['Mesures'], security: STAFF, parameters: [id, ...range], responses: { '200': ok('Mesures, les plus anciennes d’abord, lien next au-delà de limit', object), ...unauthorized, ...problems } } },
    '/api/devices': {
      post: {
        summary: 'Déclarer un boîtier (administrateur)',
        operationId: 'provisionDevice',
        tags: ['Administration'],
        security: ADMIN,
        requestBody: { required: true, content: json({ type: 'object' }) },
        responses: { '201': ok('Le boîtier tel qu’attribué', object), ...adminOnly, '409': ok('Identifiant ou identité réseau déjà pris', { 'application/problem+json': { schema: ref('schemas', 'Problem') } }), ...tooLarge, ...problems },
      },
    },
    '/api/devices/{id}': { get: { summary: 'Un boîtier (agents connectés)', operationId: 'getDevice', tags: ['Mesures'], security: STAFF, parameters: [id], responses: { '200': ok('Le boîtier, ses capteurs, son bâtiment, sa commune', object), ...unauthorized, ...problems } } },
    '/api/devices/{id}/readings': { get: { summary: 'Mesures d’un boîtier (agents connectés)', operationId: 'getDeviceReadings', tags: ['Mesures'], security: STAFF, parameters: [id, ...range], responses: { '200': ok('Mesures avec grandeur et unité', object), ...unauthorized, ...problems } } },
    '/api/dead-letters': {
      get: {
        summary: 'Messages refusés (administrateur)',
        operationId: 'listDeadLetters',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [query('reason', 'Raison'), query('status', 'pending, replayed ou all', { type: 'string', enum: ['pending', 'replayed', 'all'] }), query('limit', 'Nombre maximal', { type: 'integer', minimum: 1, maximum: 1000 }), query('before', 'Identifiant à partir duquel continuer', { type: 'integer', minimum: 1 })],
        responses: { '200': ok('Les plus récents d’abord, avec les comptes par raison', object), ...adminOnly, ...problems },
      },
    },
    '/api/dead-letters/{id}/payload': { get: { summary: 'Contenu d’un message refusé (administrateur)', operationId: 'getDeadLetterPayload', tags: ['Administration'], security: ADMIN, parameters: [path('id', 'Identifiant', { type: 'integer', minimum: 1 })], responses: { '200': ok('Le message tel que reçu', { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }), ...adminOnly, ...problems } } },
    '/api/dead-letters/replay': { post: { summary: 'Rejouer des messages refusés (administrateur)', operationId: 'replayDeadLetters', tags: ['Administration'], security: ADMIN, requestBody: { content: json({ type: 'object', properties: { reason: { type: 'string' }, ids: { type: 'array', items: { type: 'integer' } } } }) }, responses: { '200': ok('Bilan du rejeu', object), ...adminOnly, ...tooLarge, ...problems } } },
    '/api/imports/{kind}': {
      post: {
        summary: 'Importer un petit fichier GeoJSON (administrateur)',
        operationId: 'importLayer',
        tags: ['Administration'],
        security: ADMIN,
        parameters: [path('kind', 'Nature de la couche importée')],
        requestBody: { required: true, content: { 'application/geo+json': { schema: { type: 'object' } }, 'application/json': { schema: { type: 'object' } }, 'application/gzip': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '200': ok('Bilan de l’import', object), ...adminOnly, ...tooLarge, ...problems },
      },
    },
    '/tiles': { get: { summary: 'Les couches de tuiles vectorielles', description: `Chaque couche avec son accès (\`access\` : public ou staff). ${STAFF_LAYERS_TEXT}`, operationId: 'listTileLayers', tags: ['Tuiles'], responses: { '200': ok('Couches, leur accès et leur TileJSON', json({ type: 'array', items: { type: 'object' } })) } } },
    '/tiles/{layer}.json': { get: { summary: 'TileJSON 3.0 d’une couche', description: STAFF_LAYERS_TEXT, operationId: 'getTileJson', tags: ['Tuiles'], security: OPTIONAL_SIGN_IN, parameters: [layer], responses: { '200': ok('TileJSON', object), ...unauthorized, ...problems } } },
    '/tiles/{layer}/{z}/{x}/{y}.mvt': {
      get: {
        summary: 'Une tuile vectorielle (Mapbox Vector Tile)',
        description: STAFF_LAYERS_TEXT,
        operationId: 'getTile',
        tags: ['Tuiles'],
        security: OPTIONAL_SIGN_IN,
        parameters: [layer, path('z', 'Zoom', { type: 'integer', minimum: 0 }), path('x', 'Colonne', { type: 'integer', minimum: 0 }), path('y', 'Ligne', { type: 'integer', minimum: 0 })],
        responses: { '200': ok('La tuile (ETag fort)', { 'application/vnd.mapbox-vector-tile': { schema: { type: 'string', format: 'binary' } } }), '204': ok('Tuile vide'), '304': ok('Inchangée (If-None-Match)'), ...unauthorized, ...problems },
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
      description: 'Données ouvertes (OGC API – Features, téléchargements, catalogue DCAT-AP, sous Licence Ouverte 2.0), tuiles vectorielles, mesures des capteurs et administration. Erreurs : RFC 9457 application/problem+json. Débit limité par adresse (429 avec Retry-After) ; données ouvertes lisibles depuis tout site (CORS). ' +
        'Accès : les données ouvertes, les EPCI (/api/epci, /api/epci/{siren}), /api/datasets et les couches de tuiles publiques sont à tous ; le reste de /api demande un agent connecté (administrateur, agent d’EPCI ou économe de flux), l’administration le rôle administrateur. ' +
        'Identifiant : Authorization: Bearer <jeton d’accès tt_…, HUB_ADMIN_TOKEN ou JWT OpenID Connect>, ou le cookie territoire_session de la page (POST /auth/session). ' +
        'Connexion requise : 401 ; rôle insuffisant : 403 ; hors du périmètre de l’appelant : 404, comme s’il n’existait pas ; trop d’identifiants refusés depuis l’adresse : 429. Un en-tête Authorization invalide est refusé (401) sur toute route.',
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
      { name: 'Accès', description: 'Session de la page et identité de l’appelant. Rôles : admin (OPSN), epci_staff (agent d’EPCI), energy_manager (économe de flux), public (anonyme)' },
      { name: 'Administration', description: 'Rôle administrateur (OPSN) : jeton d’accès, HUB_ADMIN_TOKEN ou JWT OpenID Connect, ou session de la page' },
      { name: 'Exploitation' },
    ],
    paths: { ...ogcPaths(), ...downloadPaths(), ...hubPaths() },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Jeton d’accès (tt_…, créé en ligne de commande), HUB_ADMIN_TOKEN ou JWT OpenID Connect (API token, HUB_ADMIN_TOKEN or OIDC JWT)' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Session de la page, posée par POST /auth/session (HttpOnly, SameSite=Strict) ; une écriture ainsi authentifiée doit venir de la page elle-même (Origin), sinon 403' },
      },
      parameters: {
        bbox: { name: 'bbox', in: 'query', required: false, style: 'form', explode: false, description: 'Ouest,sud,est,nord en CRS84 (longitude, latitude)', schema: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } } },
        limit: { name: 'limit', in: 'query', required: false, description: `Nombre d’objets par page (défaut ${DEFAULT_LIMIT})`, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
        offset: { name: 'offset', in: 'query', required: false, description: 'Objets à sauter (suivre plutôt le lien next)', schema: { type: 'integer', minimum: 0, default: 0 } },
        datetime: { name: 'datetime', in: 'query', required: false, description: 'Instant ou intervalle début/fin (.. : ouvert), RFC 3339 ; sans effet sur une collection sans propriété temporelle', schema: { type: 'string' } },
      },
      responses: {
        BadRequest: { description: 'Paramètre invalide ou inconnu', content: problemContent },
        NotFound: { description: 'Introuvable (ou hors du périmètre de l’appelant)', content: problemContent },
        Unauthorized: { description: 'Connexion requise : identifiant absent, invalide, révoqué ou expiré (WWW-Authenticate: Bearer)', headers: { 'WWW-Authenticate': { description: 'Bearer realm="territoire"', schema: { type: 'string' } } }, content: problemContent },
        Forbidden: { description: 'Rôle insuffisant pour cette action, ou écriture authentifiée par le cookie de session venue d’une autre origine', content: problemContent },
        PayloadTooLarge: { description: 'Corps de requête au-delà de la limite de cette route', content: problemContent },
        TooManyRequests: {
          description: 'Trop de requêtes de cette adresse, ou trop de jetons refusés : réessayer après Retry-After',
          headers: { 'Retry-After': { description: 'Secondes à attendre', schema: { type: 'integer', minimum: 1 } } },
          content: problemContent,
        },
        ServerError: { description: 'Erreur interne (journalisée)', content: problemContent },
      },
      schemas: {
        Me: {
          type: 'object',
          required: ['role', 'name', 'scope', 'expiresAt', 'oidcLogin'],
          properties: {
            role: { type: 'string', enum: ['admin', 'epci_staff', 'energy_manager', 'public'] },
            name: { type: 'string', description: 'Nom à afficher : libellé du jeton, nom ou courriel de l’identité' },
            scope: {
              description: '`all`, ou les EPCI, communes et bâtiments que l’appelant voit',
              oneOf: [
                { type: 'string', enum: ['all'] },
                { type: 'object', properties: { epci: { type: 'array', items: { type: 'string' } }, communes: { type: 'array', items: { type: 'string' } }, buildings: { type: 'array', items: { type: 'string' } } } },
              ],
            },
            expiresAt: { type: 'string', format: 'date-time', nullable: true },
            oidcLogin: { type: 'string', nullable: true, description: 'Adresse de la connexion OpenID Connect, ou null' },
          },
        },
        ApiToken: {
          type: 'object',
          required: ['id', 'label', 'role', 'createdAt', 'expiresAt'],
          properties: {
            id: { type: 'string', pattern: '^[0-9a-f]{12}$' },
            label: { type: 'string' },
            role: { type: 'string', enum: ['admin', 'epci_staff', 'energy_manager'] },
            epci: { type: 'array', items: { type: 'string' } },
            communes: { type: 'array', items: { type: 'string' } },
            buildings: { type: 'array', items: { type: 'string' } },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: 'string' },
            expiresAt: { type: 'string', format: 'date-time' },
            revokedAt: { type: 'string', format: 'date-time', nullable: true },
          },
        },
        AuditEntry: {
          type: 'object',
          required: ['id', 'at', 'actor', 'action'],
          properties: { id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string', nullable: true }, detail: { type: 'object' } },
        },
        MqttCredential: {
          type: 'object',
          required: ['username', 'deviceId', 'topics'],
          properties: {
            username: { type: 'string' },
            deviceId: { type: 'string', nullable: true, description: 'Le boîtier ; null pour une intégration' },
            topics: { type: 'array', items: { type: 'string' } },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: 'string' },
            revokedAt: { type: 'string', format: 'date-time', nullable: true },
          },
        },
        CreatedMqttCredential: {
          type: 'object',
          required: ['username', 'password', 'deviceId', 'topics'],
          properties: {
            username: { type: 'string' },
            password: { type: 'string', description: 'Montré cette fois seulement' },
            deviceId: { type: 'string', nullable: true },
            topics: { type: 'array', items: { type: 'string' } },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: 'string' },
            revokedAt: { type: 'string', format: 'date-time', nullable: true },
          },
        },
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
