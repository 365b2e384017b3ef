export { catalogRoutes } from './catalog-routes.ts'
export { dcatCatalog, DCAT_CONTEXT, LICENCE_OUVERTE_2 } from './dcat-document.ts'
export { catalogFacts } from './catalog-queries.ts'
