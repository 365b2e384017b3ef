export { openApiRoutes } from './openapi-routes.ts'
export { openApiDocument } from './openapi-document.ts'
export type { OpenApiDocument, Operation, PathItem } from './openapi-types.ts'
