/**
 * What an energy manager sets on a building (admin token until access control lands): its floor
 * area (intensity, the décret's 1,000 m² threshold), its décret tertiaire reference year and
 * reference consumption, and its own weekly schedule (occupied hours; `null` goes back to its
 * use's). Each field is checked and named in a 400 problem; an absent field is left as it is.
 */
import { sql, type Kysely } from 'kysely'
import { InvalidInputError, NotFoundError, scopeAdmits, type Scope } from '../../core/index.ts'
import { markLayersChanged, recordAudit, type Schema } from '../../sql/index.ts'
import { isReferenceYear, REFERENCE_YEARS } from './decret-tertiaire.ts'

export interface ScheduleSlot {
  readonly weekday: number
  readonly opens: string
  readonly closes: string
}

export interface BuildingSettings {
  readonly floor_area_m2?: number | null
  readonly reference_year?: number | null
  readonly reference_kwh?: number | null
  readonly schedule?: readonly ScheduleSlot[] | null
}

const KNOWN = ['floor_area_m2', 'reference_year', 'reference_kwh', 'schedule']
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

export function parseBuildingSettings(body: unknown): BuildingSettings {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('the body must be a JSON object')
  const o = body as Record<string, unknown>
  for (const key of Object.keys(o)) if (!KNOWN.includes(key)) throw new InvalidInputError(`unknown field ${key} (known: ${KNOWN.join(', ')})`, key)
  const positive = (key: string) => {
    const v = o[key]
    if (v === null) return null
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidInputError(`${key} must be a positive number or null`, key)
    return v
  }
  const settings: { -readonly [K in keyof BuildingSettings]: BuildingSettings[K] } = {}
  if ('floor_area_m2' in o) settings.floor_area_m2 = positive('floor_area_m2')
  if ('reference_kwh' in o) settings.reference_kwh = positive('reference_kwh')
  if ('reference_year' in o) {
    const y = o.reference_year
    if (y !== null && (typeof y !== 'number' || !isReferenceYear(y))) throw new InvalidInputError(`reference_year must be a year from ${REFERENCE_YEARS.first} to ${REFERENCE_YEARS.last} (décret tertiaire), or null`, 'reference_year')
    settings.reference_year = y as number | null
  }
  if ('schedule' in o) {
    const s = o.schedule
    if (s === null) settings.schedule = null
    else {
      if (!Array.isArray(s)) throw new InvalidInputError('schedule must be an array of { weekday (1 Monday … 7 Sunday), opens "HH:MM", closes "HH:MM" }, or null', 'schedule')
      settings.schedule = s.map((slot: unknown, i) => {
        const x = slot as Record<string, unknown> | null
        if (!x || typeof x !== 'object' || !Number.isInteger(x.weekday) || (x.weekday as number) < 1 || (x.weekday as number) > 7 || typeof x.opens !== 'string' || typeof x.closes !== 'string' || !TIME.test(x.opens) || !TIME.test(x.closes) || x.closes <= x.opens) {
          throw new InvalidInputError(`schedule[${i}] must be { weekday 1–7, opens "HH:MM", closes "HH:MM" after opens }`, 'schedule')
        }
        return { weekday: x.weekday as number, opens: x.opens, closes: x.closes }
      })
    }
  }
  return settings
}

/** Writes a building's settings within the caller's scope (outside it: as if it did not exist), with its audit entry. */
export async function updateBuildingSettings(db: Kysely<Schema>, scope: Scope, id: string, s: BuildingSettings, actor: string) {
  return db.transaction().execute(async (trx) => {
    const building = await trx
      .selectFrom('building as b')
      .innerJoin('commune as c', 'c.insee', 'b.commune_insee')
      .select(['b.id', 'b.commune_insee', 'c.epci_siren'])
      .where('b.id', '=', id)
      .forUpdate('b')
      .executeTakeFirst()
    if (!building || !scopeAdmits(scope, { epci: building.epci_siren, commune: building.commune_insee, building: building.id })) throw new NotFoundError(`no building ${id}`)
    await recordAudit(trx, { actor, action: 'building.settings', target: id, detail: { ...s } })
    const set: Record<string, number | null> = {}
    if (s.floor_area_m2 !== undefined) set.floor_area_m2 = s.floor_area_m2
    if (s.reference_year !== undefined) set.reference_year = s.reference_year
    if (s.reference_kwh !== undefined) set.reference_kwh = s.reference_kwh
    if (Object.keys(set).length > 0) await trx.updateTable('building').set(set).where('id', '=', id).execute()
    if (s.schedule !== undefined) {
      await trx.deleteFrom('building_schedule').where('building_id', '=', id).execute()
      if (s.schedule !== null && s.schedule.length > 0) {
        await trx.insertInto('building_schedule').values(s.schedule.map((slot) => ({ building_id: id, ...slot }))).execute()
      }
    }
    if (s.floor_area_m2 !== undefined) await markLayersChanged(trx, ['buildings']) // the layer publishes the floor area
    const row = await trx.selectFrom('building').select(['id', 'floor_area_m2', 'reference_year', 'reference_kwh']).where('id', '=', id).executeTakeFirstOrThrow()
    const { rows: schedule } = await sql<ScheduleSlot>`
      SELECT weekday, to_char(opens, 'HH24:MI') AS opens, to_char(closes, 'HH24:MI') AS closes FROM building_schedule WHERE building_id = ${id} ORDER BY weekday, opens`.execute(trx)
    return { ...row, schedule: schedule.length > 0 ? schedule : null }
  })
}
