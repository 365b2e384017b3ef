// The embedded engine (./embedded-postgres.ts) is not exported here: only the composition roots
// import it, so that a process on a real server never loads PGlite.
export { connectDatabase, describeTarget, inTransaction } from './database.ts'
export type { Database, ConnectOptions } from './database.ts'
export { migrate, loadMigrations, isUpToDate, MIGRATIONS_DIR } from './migrate.ts'
export type { Migration, MigrationReport } from './migrate.ts'
export { detectCapabilities } from './capabilities.ts'
export type { Capabilities } from './capabilities.ts'
export { asGeoJson, bbox, geomFromGeoJson, validMultiPolygon } from './postgis.ts'
export type { Schema } from './schema.ts'
export { LAYER_CHANNEL, LIVE_LAYERS, layerVersions, markLayersChanged } from './layer-versions.ts'
export { recordAudit, listAudit } from './audit-log.ts'
export type { AuditAction, AuditEntry, AuditRecord } from './audit-log.ts'
