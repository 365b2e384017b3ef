import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig, redactUrl, unknownVariables, VARIABLES } from './config.ts'

function problems(env: Record<string, string>): readonly string[] {
  try {
    parseConfig(env, '/srv/territoire')
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('configuration', () => {
  it('defaults to the embedded engines, the demo and the simulator', () => {
    const config = parseConfig({}, '/srv/territoire')
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 3000 },
      databaseUrl: null,
      mqttUrl: null,
      embeddedBroker: { host: '127.0.0.1', port: 1883, allowAnonymous: false },
      dataDir: '/srv/territoire/data/local',
      demo: true,
      simulator: { enabled: true, intervalSeconds: 60 },
      ingestion: {
        topics: ['v3/+/devices/+/up', 'application/+/device/+/event/up', 'application/+/device/+/event/log', 'territoire/senml/#'],
        clientId: 'territoire-ingestion',
        shareGroup: null,
        batchSize: 5000,
        concurrency: 2,
      },
      adminToken: null,
      timeZone: 'Europe/Paris',
      logLevel: 'info',
    })
    expect(Object.isFrozen(config) && Object.isFrozen(config.http)).toBe(true)
  })

  it('reads the servers, ports and switches it is given', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://hub:secret@db:5432/territoire',
      MQTT_URL: 'mqtt://broker:1883',
      PORT: '8080',
      HUB_DEMO: 'off',
      MQTT_TOPICS: 'a/+/up, b/#',
      HUB_DATA_DIR: '/var/lib/territoire',
    })
    expect(config.databaseUrl).toBe('postgres://hub:secret@db:5432/territoire')
    expect(config.mqttUrl).toBe('mqtt://broker:1883')
    expect(config.http.port).toBe(8080)
    expect(config.demo).toBe(false)
    expect(config.simulator.enabled).toBe(false) // follows HUB_DEMO unless set
    expect(config.ingestion.topics).toEqual(['a/+/up', 'b/#'])
    expect(config.dataDir).toBe('/var/lib/territoire')
  })

  it('reports every invalid value, each on one line, naming the variable', () => {
    const found = problems({
      PORT: 'abc',
      DATABASE_URL: 'mysql://db/x',
      MQTT_URL: 'not a url',
      HUB_DEMO: 'maybe',
      MQTT_TOPICS: 'a/#/b',
      LOG_LEVEL: 'loud',
      HUB_TIMEZONE: 'Mars/Olympus',
      SIMULATOR_INTERVAL_S: '0',
    })
    expect(found).toHaveLength(8)
    for (const [problem, variable] of found.map((p, i) => [p, ['PORT', 'DATABASE_URL', 'MQTT_URL', 'HUB_DEMO', 'SIMULATOR_INTERVAL_S', 'MQTT_TOPICS', 'HUB_TIMEZONE', 'LOG_LEVEL'][i]])) {
      expect(problem).toContain(variable)
      expect(problem).not.toContain('\n')
    }
  })

  it.each([['0'], ['65536'], ['3000.5'], ['-1'], [' 80x']])('refuses PORT=%s', (port) => {
    expect(problems({ PORT: port })).toEqual([expect.stringContaining('PORT must be an integer between 1 and 65535')])
  })

  it('reads tariffs and emission factors per carrier, refusing unknown carriers and bad numbers', () => {
    const config = parseConfig({ ENERGY_PRICES_EUR: 'electricity=0.2016, gas=0.105', ENERGY_CO2_KG: 'heat_network=0.089' }, '/srv/territoire')
    expect(config.energy).toEqual({ prices: { electricity: 0.2016, gas: 0.105 }, co2: { heat_network: 0.089 } })
    expect(problems({ ENERGY_PRICES_EUR: 'electrcity=0.2,gas=0,105' })).toEqual([
      'ENERGY_PRICES_EUR: unknown carrier "electrcity" (known: electricity, gas, heat_network, fuel_oil, water)',
      'ENERGY_PRICES_EUR: "105" is not carrier=number (a decimal comma? write 0.105, with a point)',
    ])
  })

  it('never shows a password in what it reports or logs', () => {
    expect(redactUrl('postgres://hub:s3cret@db:5432/territoire')).toBe('postgres://hub:***@db:5432/territoire')
    expect(problems({ DATABASE_URL: 'postgres://hub:s3cret@/territoire' }).join(' ')).not.toContain('s3cret')
  })

  it('needs an external broker for shared subscriptions, and a long enough admin token', () => {
    expect(problems({ MQTT_SHARE_GROUP: 'ingest' })).toEqual([expect.stringContaining('MQTT_SHARE_GROUP needs MQTT_URL')])
    expect(problems({ MQTT_SHARE_GROUP: 'in gest', MQTT_URL: 'mqtt://b' })).toEqual([expect.stringContaining('MQTT_SHARE_GROUP must be')])
    expect(parseConfig({ MQTT_SHARE_GROUP: 'ingest', MQTT_URL: 'mqtt://b' }).ingestion.shareGroup).toBe('ingest')
    expect(problems({ HUB_ADMIN_TOKEN: 'short' })).toEqual(['HUB_ADMIN_TOKEN must be at least 16 characters'])
  })

  it('asks for MQTT credentials on the embedded broker unless MQTT_ALLOW_ANONYMOUS is on', () => {
    expect(parseConfig({}).embeddedBroker.allowAnonymous).toBe(false)
    expect(parseConfig({ MQTT_ALLOW_ANONYMOUS: 'on' }).embeddedBroker.allowAnonymous).toBe(true)
    expect(problems({ MQTT_ALLOW_ANONYMOUS: 'maybe' })).toEqual(['MQTT_ALLOW_ANONYMOUS must be on or off (got "maybe")'])
  })

  it('reads an optional basemap style URL: absolute http(s) only, one line per problem', () => {
    expect(parseConfig({}, '/srv/territoire').basemapStyleUrl).toBeNull()
    expect(parseConfig({ BASEMAP_STYLE_URL: ' https://tiles.example.fr/styles/plan.json?key=a"b ' }).basemapStyleUrl)
      .toBe('https://tiles.example.fr/styles/plan.json?key=a%22b')
    expect(parseConfig({ BASEMAP_STYLE_URL: 'http://127.0.0.1:8080/style.json' }).basemapStyleUrl).toBe('http://127.0.0.1:8080/style.json')
    expect(problems({ BASEMAP_STYLE_URL: '/styles/plan.json' })).toEqual(['BASEMAP_STYLE_URL is not a valid URL (expected http://host:port/…)'])
    expect(problems({ BASEMAP_STYLE_URL: 'ftp://tiles.example.fr/style.json' })).toEqual(['BASEMAP_STYLE_URL must start with http:// or https:// (got ftp://)'])
    expect(problems({ BASEMAP_STYLE_URL: 'javascript:alert(1)' })).toEqual(['BASEMAP_STYLE_URL must start with http:// or https:// (got javascript://)'])
  })

  it('reads the rate limits: generous defaults, 0 to turn one off', () => {
    expect(parseConfig({}).rateLimits).toEqual({ perMinute: 600, tilesPerMinute: 6000, authFailuresPerMinute: 10 })
    expect(parseConfig({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_TILES_PER_MINUTE: '20000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' }).rateLimits)
      .toEqual({ perMinute: 0, tilesPerMinute: 20000, authFailuresPerMinute: 3 })
    expect(problems({ RATE_LIMIT_PER_MINUTE: '-1', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 'ten' })).toEqual([
      'RATE_LIMIT_PER_MINUTE must be an integer between 0 and 1000000 (got "-1")',
      'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE must be an integer between 0 and 10000 (got "ten")',
    ])
  })

  it('reads TRUST_PROXY: off, a hop count, or addresses and subnets — never "every proxy"', () => {
    expect(parseConfig({}).trustProxy).toBe(false)
    expect(parseConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false)
    expect(parseConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1)
    expect(parseConfig({ TRUST_PROXY: 'Loopback, 10.0.0.0/8, fd00::/8, 192.0.2.10' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.10'])
    expect(problems({ TRUST_PROXY: 'on' })).toEqual([expect.stringMatching(/^TRUST_PROXY=on would believe any client's X-Forwarded-For/)])
    expect(problems({ TRUST_PROXY: '10.0.0.0/33,proxy.example.fr' })).toEqual([
      'TRUST_PROXY: "10.0.0.0/33" is not an address, a subnet (10.0.0.0/8) or loopback, linklocal, uniquelocal',
      'TRUST_PROXY: "proxy.example.fr" is not an address, a subnet (10.0.0.0/8) or loopback, linklocal, uniquelocal',
    ])
  })

  it('reads OpenID Connect: off by default, the issuer and an audience at least, the sign-in with a client id', () => {
    expect(parseConfig({}).oidc).toBeNull()
    expect(parseConfig({ OIDC_ISSUER: 'https://sso.example.fr/realms/opsn', OIDC_AUDIENCE: 'territoire-api' }).oidc).toEqual({
      issuer: 'https://sso.example.fr/realms/opsn',
      audiences: ['territoire-api'],
      jwksUrl: null,
      roleClaim: 'territoire_role',
      epciClaim: 'territoire_epci',
      communesClaim: 'territoire_communes',
      buildingsClaim: 'territoire_buildings',
      roleValues: null,
      login: null,
    })
    const full = parseConfig({
      OIDC_ISSUER: 'https://sso.example.fr/realms/opsn',
      OIDC_AUDIENCE: ' territoire-api, territoire-web ',
      OIDC_JWKS_URL: 'https://sso.example.fr/realms/opsn/protocol/openid-connect/certs',
      OIDC_ROLE_CLAIM: 'realm_access.roles',
      OIDC_ROLE_VALUES: 'opsn-admins=admin, cc-staff=epci_staff,/gestion/énergie=energy_manager',
      OIDC_EPCI_CLAIM: 'https://territoire.example.fr/epci',
      OIDC_CLIENT_ID: 'territoire-web',
      OIDC_CLIENT_SECRET: 'a secret',
      OIDC_SCOPES: 'openid  email',
    }).oidc
    expect(full).toMatchObject({
      audiences: ['territoire-api', 'territoire-web'],
      jwksUrl: 'https://sso.example.fr/realms/opsn/protocol/openid-connect/certs',
      roleClaim: 'realm_access.roles',
      roleValues: { 'opsn-admins': 'admin', 'cc-staff': 'epci_staff', '/gestion/énergie': 'energy_manager' },
      epciClaim: 'https://territoire.example.fr/epci',
      login: { clientId: 'territoire-web', clientSecret: 'a secret', scopes: 'openid email' },
    })
    expect(Object.isFrozen(full?.login)).toBe(true)
    // The sign-in alone: its client id is the audience; a provider on this machine may speak HTTP.
    expect(parseConfig({ OIDC_ISSUER: 'http://localhost:8080/realms/dev', OIDC_CLIENT_ID: 'territoire-web' }).oidc).toMatchObject({
      audiences: ['territoire-web'],
      login: { clientId: 'territoire-web', clientSecret: null, scopes: 'openid profile email' },
    })
  })

  it('refuses a partial or unsafe OpenID Connect configuration, one line each, never quoting the secret', () => {
    expect(problems({ OIDC_AUDIENCE: 'territoire-api', OIDC_CLIENT_SECRET: 'hunter2-hunter2' })).toEqual([
      "OIDC_AUDIENCE, OIDC_CLIENT_SECRET need OIDC_ISSUER, the identity provider's issuer URL",
    ])
    expect(problems({ OIDC_ISSUER: 'https://sso.example.fr' })).toEqual(["OIDC_ISSUER needs OIDC_AUDIENCE (the audience of the API's tokens) or OIDC_CLIENT_ID"])
    const found = problems({
      OIDC_ISSUER: 'http://sso.example.fr/realms/opsn',
      OIDC_JWKS_URL: 'certs.json',
      OIDC_AUDIENCE: 'territoire-api',
      OIDC_CLIENT_ID: 'territoire-web',
      OIDC_CLIENT_SECRET: 'hunter2-hunter2',
      OIDC_SCOPES: 'profile email',
      OIDC_ROLE_CLAIM: 'territoire role',
      OIDC_ROLE_VALUES: 'admins=root,staff,=admin',
    })
    expect(found).toEqual([
      'OIDC_ISSUER must start with https:// (http:// only on localhost; got http://)',
      'OIDC_JWKS_URL is not a valid URL (expected https://host/…)',
      'OIDC_SCOPES must include openid (got "profile email")',
      'OIDC_AUDIENCE must include OIDC_CLIENT_ID (territoire-web): the web sign-in\'s ID tokens are addressed to it',
      'OIDC_ROLE_CLAIM must be a claim name, without spaces or commas (got "territoire role")',
      'OIDC_ROLE_VALUES: "root" is not a role (admin, epci_staff, energy_manager)',
      'OIDC_ROLE_VALUES: "staff" is not value=role',
      'OIDC_ROLE_VALUES: "=admin" is not value=role',
    ])
    expect(problems({ OIDC_ISSUER: 'https://sso.example.fr', OIDC_CLIENT_SECRET: 'hunter2-hunter2', OIDC_AUDIENCE: 'api' })).toEqual([
      'OIDC_CLIENT_SECRET needs OIDC_CLIENT_ID, the client id of the web sign-in',
    ])
    expect(unknownVariables({ OIDC_ISSUER: 'https://sso.example.fr', OIDC_AUDIANCE: 'api' })).toEqual(['OIDC_AUDIANCE'])
  })

  it('warns about unknown variables with our prefixes (likely typos) and documents every known one', () => {
    expect(unknownVariables({ HUB_DEMOS: 'on', HUB_DEMO: 'on', PATH: '/bin' })).toEqual(['HUB_DEMOS'])
    expect(unknownVariables({ ENERGY_PRICE_EUR: '1' })).toEqual(['ENERGY_PRICE_EUR'])
    expect(unknownVariables({ RATE_LIMIT_PER_MINUTES: '60', RATE_LIMIT_PER_MINUTE: '60' })).toEqual(['RATE_LIMIT_PER_MINUTES'])
    expect(VARIABLES.map((v) => v.name)).toEqual(expect.arrayContaining(['DATABASE_URL', 'MQTT_URL', 'PORT', 'MQTT_PORT', 'HUB_DATA_DIR']))
  })
})
