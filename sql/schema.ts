/**
 * The database as Kysely sees it: one interface per table of sql/migrations. Geometry columns
 * are typed `Geometry` (opaque): they are only ever read or written through the PostGIS helpers
 * of sql/postgis.ts.
 */
import type { ColumnType, Generated } from 'kysely'

/** An opaque PostGIS geometry; never selected raw. */
export type Geometry = ColumnType<never, never, never>
type GeneratedGeometry = Geometry
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface EpciTable {
  siren: string
  nom: string
  nature: string
  population: number | null
  members_total: number
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
  updated_at: Timestamp
}

export interface CommuneTable {
  insee: string
  nom: string
  epci_siren: string | null
  population: number | null
  departement: string
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
  updated_at: Timestamp
}

export interface CommuneFormerCodeTable {
  code: string
  insee: string
}

export interface DatasetTable {
  id: string
  title: string
  source: string
  licence: string
  synthetic: boolean
  feature_count: number
  loaded_at: Timestamp
}

export interface ParcelTable {
  id: string
  commune: string
  prefixe: string
  section: string
  numero: string
  contenance: number | null
  arpente: boolean | null
  created: string | null
  updated: string | null
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
}

export interface CadastralBuildingTable {
  id: Generated<string>
  commune: string
  type: string | null
  nom: string | null
  created: string | null
  updated: string | null
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
}

export interface BuildingTable {
  id: string
  nom: string
  usage: string
  floor_area_m2: number | null
  construction_year: number | null
  commune_insee: string
  parcel_id: string | null
  synthetic: Generated<boolean>
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
  created_at: Timestamp
}

export interface DeviceTable {
  id: string
  nom: string | null
  model: string
  profile: string | null
  dev_eui: string | null
  senml_base_name: string | null
  building_id: string | null
  commune_insee: string | null
  synthetic: Generated<boolean>
  geom: ColumnType<never, unknown, unknown>
  created_at: Timestamp
}

export interface SensorTable {
  sid: Generated<number>
  id: string
  device_id: string
  channel: string
  quantity: string
  unit: string
  kind: Generated<'gauge' | 'counter'>
  min_value: number | null
  max_value: number | null
}

export interface ReadingTable {
  sid: number
  ts: Timestamp
  value: number
  received_at: Timestamp
}

export interface RollupTable {
  sid: number
  n: number
  sum: number
  min: number
  max: number
  first_ts: Timestamp
  first_value: number
  last_ts: Timestamp
  last_value: number
}

/** A view: each sensor's newest hourly rollup's last value (migration 0009). */
export interface SensorLatestTable {
  sid: number
  ts: Timestamp
  value: number
}

export interface DeadLetterTable {
  id: Generated<string>
  received_at: Timestamp
  topic: string
  payload: Buffer
  reason: string
  detail: string | null
  replayed_at: Date | null
  replay_attempts: Generated<number>
}

export interface LayerVersionTable {
  layer: string
  version: ColumnType<string, string | undefined, string>
  changed_at: Generated<Timestamp>
}

export interface SchemaMigrationTable {
  version: number
  name: string
  checksum: string
  applied_at: Timestamp
}

export interface Schema {
  epci: EpciTable
  commune: CommuneTable
  commune_former_code: CommuneFormerCodeTable
  dataset: DatasetTable
  parcel: ParcelTable
  cadastral_building: CadastralBuildingTable
  building: BuildingTable
  device: DeviceTable
  sensor: SensorTable
  reading: ReadingTable
  reading_hourly: RollupTable & { hour: Timestamp }
  reading_daily: RollupTable & { day: ColumnType<string, string, string> }
  sensor_latest: SensorLatestTable
  dead_letter: DeadLetterTable
  layer_version: LayerVersionTable
  schema_migration: SchemaMigrationTable
}

// Migration 0011 (the importers, ingestion/import/). Interfaces of the tables above merge with
// these declarations: the columns 0011 adds to them are here, beside the migration's new tables.

export interface ParcelTable {
  imported_at: Generated<Timestamp>
}

export interface CadastralBuildingTable {
  /** commune + ':' + md5 of the geometry's WKB (no id upstream). */
  key: string
  imported_at: Generated<Timestamp>
}

export interface CadastralSectionTable {
  id: string
  commune: string
  prefixe: string
  code: string
  created: string | null
  updated: string | null
  imported_at: Generated<Timestamp>
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
}

export interface LieuDitTable {
  key: string
  commune: string
  nom: string | null
  created: string | null
  updated: string | null
  imported_at: Generated<Timestamp>
  geom: ColumnType<never, unknown, unknown>
  geom_3857: GeneratedGeometry
}

export interface Schema {
  cadastral_section: CadastralSectionTable
  lieu_dit: LieuDitTable
}

// Migration 0012 (the indicators, api/indicators/).

export interface SensorTable {
  carrier: string | null
}

export interface BuildingTable {
  reference_year: number | null
  reference_kwh: number | null
}

export interface EpciTable {
  weather_station: string | null
}

export interface EnergyCarrierTable {
  id: string
  label: string
  unit: string
  price_eur_per_unit: number | null
  co2_kg_per_unit: number | null
  co2_source: string | null
}

export interface WeatherStationTable {
  id: string
  nom: string
  sensor_sid: number | null
  reference_dju: number | null
}

export interface WeatherDailyTable {
  station: string
  day: ColumnType<string, string, string>
  tmin: number
  tmax: number
}

export interface OccupancyScheduleTable {
  usage: string
  weekday: number
  opens: string
  closes: string
}

export interface BuildingScheduleTable {
  building_id: string
  weekday: number
  opens: string
  closes: string
}

export interface SchoolHolidayTable {
  starts: ColumnType<string, string, string>
  ends: ColumnType<string, string, string>
  label: string
}

export interface EnergyDailyTable {
  sid: number
  day: ColumnType<string, string, string>
  consumption: number
  resets: number
  joined: boolean
}

export interface EnergyGapTable {
  sid: number
  from_ts: Timestamp
  to_ts: Timestamp
  consumption: number | null
}

export interface EnergyMonthlyTable {
  building_id: string
  carrier: string
  month: ColumnType<string, string, string>
  consumption: number
  days: number
}

export interface AirDailyTable {
  sid: number
  day: ColumnType<string, string, string>
  occupied_n: number
  co2_1000_1700: number
  co2_above_1700: number
  occupied_hours: number
  hours_below_19: number
  hours_above_26: number
}

export interface AlertTable {
  id: Generated<string>
  building_id: string
  carrier: string | null
  kind: 'over_consumption' | 'under_consumption' | 'night_base_load' | 'confinement'
  day: ColumnType<string, string, string>
  reason: string
  value: number | null
  expected: number | null
  score: number | null
  raised_at: Generated<Timestamp>
  closed_at: Timestamp | null
}

export interface Schema {
  energy_carrier: EnergyCarrierTable
  weather_station: WeatherStationTable
  weather_daily: WeatherDailyTable
  occupancy_schedule: OccupancyScheduleTable
  building_schedule: BuildingScheduleTable
  school_holiday: SchoolHolidayTable
  energy_daily: EnergyDailyTable
  energy_gap: EnergyGapTable
  energy_monthly: EnergyMonthlyTable
  air_daily: AirDailyTable
  alert: AlertTable
}

// Migration 0013 (access control: api/auth/, ingestion/mqtt-credentials.ts, core/audit.ts).

export type TokenRole = 'admin' | 'epci_staff' | 'energy_manager'

export interface ApiTokenTable {
  id: string
  secret_sha256: Buffer
  label: string
  role: TokenRole
  scope_epci: ColumnType<string[], string[] | undefined, string[]>
  scope_communes: ColumnType<string[], string[] | undefined, string[]>
  scope_buildings: ColumnType<string[], string[] | undefined, string[]>
  created_at: ColumnType<Date, Date | string | undefined, Date | string>
  created_by: string
  expires_at: Timestamp
  revoked_at: Timestamp | null
}

export interface MqttCredentialTable {
  username: string
  password_hash: string
  device_id: string | null
  topics: string[]
  created_at: ColumnType<Date, Date | string | undefined, Date | string>
  created_by: string
  revoked_at: Timestamp | null
}

export interface AuditLogTable {
  id: Generated<string>
  at: ColumnType<Date, Date | string | undefined, never>
  actor: string
  action: string
  target: string | null
  detail: ColumnType<Record<string, unknown>, string | undefined, string>
}

export interface Schema {
  api_token: ApiTokenTable
  mqtt_credential: MqttCredentialTable
  audit_log: AuditLogTable
}
