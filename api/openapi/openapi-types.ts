/**
 * The part of OpenAPI 3.0 the hub's document uses, typed so that a misplaced field fails the
 * type-check (the test also validates the document against the OpenAPI 3.0 schema).
 */
export interface SchemaObject {
  readonly type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object'
  readonly format?: string
  readonly description?: string
  readonly enum?: readonly (string | number | boolean)[]
  readonly items?: SchemaObject | Reference
  readonly properties?: Readonly<Record<string, SchemaObject | Reference>>
  readonly required?: readonly string[]
  readonly additionalProperties?: boolean | SchemaObject | Reference
  readonly minimum?: number
  readonly maximum?: number
  readonly minItems?: number
  readonly minLength?: number
  readonly maxLength?: number
  readonly maxItems?: number
  readonly default?: unknown
  readonly nullable?: boolean
  readonly pattern?: string
  readonly oneOf?: readonly (SchemaObject | Reference)[]
}

export interface Reference {
  readonly $ref: string
}

export interface Parameter {
  readonly name: string
  readonly in: 'path' | 'query' | 'header'
  readonly description?: string
  readonly required?: boolean
  readonly style?: 'form' | 'simple'
  readonly explode?: boolean
  readonly schema: SchemaObject | Reference
}

export interface MediaType {
  readonly schema?: SchemaObject | Reference
}

export interface ResponseObject {
  readonly description: string
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: SchemaObject }>>
  readonly content?: Readonly<Record<string, MediaType>>
}

export interface Operation {
  readonly summary: string
  readonly description?: string
  readonly operationId: string
  readonly tags?: readonly string[]
  readonly parameters?: readonly (Parameter | Reference)[]
  readonly requestBody?: { readonly required?: boolean; readonly description?: string; readonly content: Readonly<Record<string, MediaType>> }
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[]
}

export type SecurityScheme =
  | { readonly type: 'http'; readonly scheme: 'bearer'; readonly bearerFormat?: string; readonly description?: string }
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string; readonly description?: string }

export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch'

export type PathItem = Partial<Readonly<Record<HttpMethod, Operation>>>

export interface OpenApiDocument {
  readonly openapi: '3.0.3'
  readonly info: { readonly title: string; readonly version: string; readonly description?: string; readonly license?: { readonly name: string; readonly url?: string } }
  readonly servers?: readonly { readonly url: string; readonly description?: string }[]
  readonly tags?: readonly { readonly name: string; readonly description?: string }[]
  readonly paths: Readonly<Record<string, PathItem>>
  readonly components: {
    readonly schemas?: Readonly<Record<string, SchemaObject>>
    readonly parameters?: Readonly<Record<string, Parameter>>
    readonly responses?: Readonly<Record<string, ResponseObject>>
    readonly securitySchemes?: Readonly<Record<string, SecurityScheme>>
  }
}
