/**
 * Weather stations for degree-days: Météo-France's daily CSV and simpler files parsed with every
 * problem named by line; a station imported and attached to an EPCI, idempotently. School
 * holidays from the Éducation nationale calendar (a zone; the end is the day classes resume).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importSchoolHolidays, parseSchoolHolidays } from '../ingestion/school-holidays.ts'
import { importWeather, parseWeatherCsv } from '../ingestion/weather-import.ts'
import type { Database } from '../sql/index.ts'
import { openDatabase, uniqueName } from './engines.ts'

const METEO_FRANCE = [
  'NUM_POSTE;NOM_USUEL;LAT;LON;ALTI;AAAAMMJJ;RR;QRR;TN;QTN;HTN;QHTN;TX;QTX',
  '80021003;AMIENS-GLISY;49.873;2.387;60;20250101;0.2;1;-1.4;1;0640;9;6.3;1;',
  '80021003;AMIENS-GLISY;49.873;2.387;60;20250102;0.0;1;;;;;7.1;1',
  '80021003;AMIENS-GLISY;49.873;2.387;60;20250103;1.4;1;2.0;1;0510;9;9.5;1',
  '80001001;ABBEVILLE;50.136;1.834;69;20250101;0.0;1;-0.5;1;0700;9;7.0;1',
].join('\n')

describe('parseWeatherCsv', () => {
  it('reads Météo-France daily data for the station chosen, skipping days without both temperatures', () => {
    expect(() => parseWeatherCsv(METEO_FRANCE, 'Q_80.csv')).toThrow('Q_80.csv holds 2 stations (NUM_POSTE 80021003, 80001001): choose one with --poste')
    expect(parseWeatherCsv(METEO_FRANCE, 'Q_80.csv', '80021003')).toEqual({
      days: [{ day: '2025-01-01', tmin: -1.4, tmax: 6.3 }, { day: '2025-01-03', tmin: 2, tmax: 9.5 }],
      skipped: 1,
    })
  })

  it('reads a simple file (decimal commas with ;) and names the line of a bad value', () => {
    expect(parseWeatherCsv('jour;tmin;tmax\n2025-01-05;-2,5;4,0\n', 'a.csv')).toEqual({ days: [{ day: '2025-01-05', tmin: -2.5, tmax: 4 }], skipped: 0 })
    expect(() => parseWeatherCsv('date,tmin,tmax\n2025-02-30,1,2\n', 'b.csv')).toThrow('b.csv line 2: "2025-02-30" is not a day (YYYY-MM-DD or YYYYMMDD)')
    expect(() => parseWeatherCsv('date,tmin,tmax\n2025-02-03,5,2\n', 'c.csv')).toThrow('c.csv line 2: minimum 5 °C and maximum 2 °C are not a day\'s temperatures')
    expect(() => parseWeatherCsv('date,low,high\n', 'd.csv')).toThrow('d.csv: no minimum temperature column (one of tmin, tn) in the header line')
  })
})

describe('importWeather', () => {
  let database: Database
  beforeAll(async () => {
    database = await openDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('creates the station with its days, attaches it to the EPCI, and updates on a second import', async () => {
    const id = uniqueName('st').replace(/[^A-Za-z0-9-]/g, '').slice(-20)
    const { rows: before } = await database.pool.query(`SELECT siren, weather_station FROM epci WHERE siren = '200071223'`)
    try {
      const days = parseWeatherCsv(METEO_FRANCE, 'Q_80.csv', '80021003').days
      expect(await importWeather(database.db, { id, nom: 'Amiens-Glisy', referenceDju: 2600, epci: ['200071223'], sensor: null }, days)).toEqual({ days: 2, epci: 1 })
      await importWeather(database.db, { id, nom: 'Amiens-Glisy', referenceDju: null, epci: [], sensor: null }, [{ day: '2025-01-03', tmin: 1, tmax: 9 }])
      const { rows } = await database.pool.query('SELECT day::text, tmin, tmax FROM weather_daily WHERE station = $1 ORDER BY day', [id])
      expect(rows).toEqual([{ day: '2025-01-01', tmin: -1.4, tmax: 6.3 }, { day: '2025-01-03', tmin: 1, tmax: 9 }])
      expect((await database.pool.query('SELECT reference_dju FROM weather_station WHERE id = $1', [id])).rows[0].reference_dju).toBe(2600)
      expect((await database.pool.query(`SELECT weather_station FROM epci WHERE siren = '200071223'`)).rows[0].weather_station).toBe(id)
      await expect(importWeather(database.db, { id, nom: 'x', referenceDju: null, epci: [], sensor: 'nobody.co2' }, [])).rejects.toThrow('no sensor nobody.co2')
    } finally {
      await database.pool.query(`UPDATE epci SET weather_station = $1 WHERE siren = '200071223'`, [before[0].weather_station])
    }
  })
})

describe('school holidays', () => {
  const NATIONAL = [
    'Description;Population;Date de début;Date de fin;Zones;annee_scolaire',
    'Vacances de la Toussaint;-;2025-10-17T22:00:00+00:00;2025-11-02T23:00:00+00:00;Zone B;2025-2026',
    'Vacances de Noël;-;2025-12-19T23:00:00+00:00;2026-01-04T23:00:00+00:00;Zone B;2025-2026',
    'Vacances de Noël;-;2025-12-19T23:00:00+00:00;2026-01-04T23:00:00+00:00;Zone A;2025-2026',
    'Pré-rentrée Enseignants;Enseignants;2025-08-31T22:00:00+00:00;2025-08-31T22:00:00+00:00;Zone B;2025-2026',
  ].join('\n')

  it('reads the national calendar for a zone, the holiday ending the day before classes resume', () => {
    // 2025-10-17T22:00Z is 18 October in Paris (UTC+2); classes resume on 3 November: the last day is the 2nd.
    expect(parseSchoolHolidays(NATIONAL, 'calendrier.csv', 'Zone B')).toEqual([
      { starts: '2025-10-18', ends: '2025-11-02', label: 'Vacances de la Toussaint' },
      { starts: '2025-12-20', ends: '2026-01-04', label: 'Vacances de Noël' },
    ])
    expect(parseSchoolHolidays(NATIONAL, 'calendrier.csv', 'B')).toHaveLength(2)
    expect(() => parseSchoolHolidays(NATIONAL, 'calendrier.csv', null)).toThrow(/choose the zone with --zone/)
    expect(() => parseSchoolHolidays(NATIONAL, 'calendrier.csv', 'Zone D')).toThrow('calendrier.csv: no holiday for Zone D (zones are written like "Zone B")')
  })

  it('reads a plain starts,ends,label file and writes the holidays, again idempotently', async () => {
    const holidays = parseSchoolHolidays('starts,ends,label\n2011-02-19,2011-03-06,Hiver\n', 'h.csv', null)
    expect(holidays).toEqual([{ starts: '2011-02-19', ends: '2011-03-06', label: 'Hiver' }])
    expect(() => parseSchoolHolidays('starts,ends,label\n2011-03-06,2011-02-19,x\n', 'h.csv', null)).toThrow('h.csv line 2: ends (2011-02-19) is before starts (2011-03-06)')
    const database = await openDatabase()
    try {
      await importSchoolHolidays(database.db, holidays)
      await importSchoolHolidays(database.db, [{ ...holidays[0]!, ends: '2011-03-07' }])
      expect((await database.pool.query(`SELECT ends::text, label FROM school_holiday WHERE starts = '2011-02-19'`)).rows).toEqual([{ ends: '2011-03-07', label: 'Hiver' }])
    } finally {
      await database.close()
    }
  })
})
