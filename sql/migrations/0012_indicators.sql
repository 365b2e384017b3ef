-- Energy and indoor-air indicators (api/indicators/). Everything an indicator reads at request
-- time is a rollup: the ingestion keeps reading_hourly and reading_daily, and the indicator
-- refresher keeps the tables below from them (and, once per day and sensor, from the raw CO₂
-- readings for ICONE), so that no request ever scans raw readings.

-- Energy carriers: their unit, tariff and emission factor. Tariffs have no default (a price is the
-- operator's contract): without one, no cost is computed. Emission factors default to ADEME's
-- Base Empreinte; each cites its source and may be changed.
CREATE TABLE energy_carrier (
  id                  text PRIMARY KEY CHECK (id ~ '^[a-z_]+$'),
  label               text NOT NULL,
  unit                text NOT NULL,                  -- SenML unit of the counter: kWh, m3
  price_eur_per_unit  double precision CHECK (price_eur_per_unit >= 0),
  co2_kg_per_unit     double precision CHECK (co2_kg_per_unit >= 0),
  co2_source          text
);
INSERT INTO energy_carrier (id, label, unit, price_eur_per_unit, co2_kg_per_unit, co2_source) VALUES
  ('electricity', 'Électricité', 'kWh', NULL, 0.052, 'ADEME, Base Empreinte : électricité 2022, mix moyen, consommation (52 gCO2e/kWh)'),
  ('gas', 'Gaz naturel', 'kWh', NULL, 0.227, 'ADEME, Base Empreinte : gaz naturel, combustion et amont, par kWh PCI (227 gCO2e/kWh)'),
  ('heat_network', 'Réseau de chaleur', 'kWh', NULL, 0.116, 'ADEME : moyenne des réseaux de chaleur français 2017 (116 gCO2/kWh) ; chaque réseau publie le sien'),
  ('fuel_oil', 'Fioul domestique', 'kWh', NULL, 0.324, 'ADEME, Base Empreinte : fioul domestique, combustion et amont, par kWh PCI (324 gCO2e/kWh)'),
  ('water', 'Eau', 'm3', NULL, NULL, NULL);

-- The carrier a metering sensor measures (its quantity is a counter: energy_index, water_index…).
ALTER TABLE sensor ADD COLUMN carrier text REFERENCES energy_carrier (id);
CREATE INDEX sensor_carrier_idx ON sensor (carrier) WHERE carrier IS NOT NULL;

-- Décret tertiaire: the building's reference year and, when the hub holds no data of that year,
-- its climate-corrected consumption then (kWh, all carriers, as declared on OPERAT).
ALTER TABLE building
  ADD COLUMN reference_year integer CHECK (reference_year BETWEEN 2010 AND 2019),
  ADD COLUMN reference_kwh double precision CHECK (reference_kwh > 0);

-- Outdoor temperature, for degree-days: a station is a sensor of the hub (its daily min and max),
-- or a daily series imported (weather_daily). Each EPCI refers to one; `reference_dju` is the
-- station's normal year (e.g. a 30-year mean), the climate consumption is corrected to.
CREATE TABLE weather_station (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  nom            text NOT NULL,
  sensor_sid     integer REFERENCES sensor (sid) ON DELETE SET NULL,
  reference_dju  double precision CHECK (reference_dju > 0)
);
CREATE TABLE weather_daily (
  station  text NOT NULL REFERENCES weather_station (id) ON DELETE CASCADE,
  day      date NOT NULL,
  tmin     double precision NOT NULL,
  tmax     double precision NOT NULL CHECK (tmax >= tmin),
  PRIMARY KEY (station, day)
);
ALTER TABLE epci ADD COLUMN weather_station text REFERENCES weather_station (id) ON DELETE SET NULL;

-- Occupied hours: a weekly schedule per use of building, which a building may replace with its
-- own; school holidays (configurable) empty the schools. ISO weekdays, 1 = Monday. Local time.
CREATE TABLE occupancy_schedule (
  usage    text NOT NULL,
  weekday  smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  opens    time NOT NULL,
  closes   time NOT NULL CHECK (closes > opens),
  PRIMARY KEY (usage, weekday, opens)
);
INSERT INTO occupancy_schedule (usage, weekday, opens, closes) VALUES
  ('ecole', 1, '08:30', '16:30'), ('ecole', 2, '08:30', '16:30'), ('ecole', 3, '08:30', '12:00'),
  ('ecole', 4, '08:30', '16:30'), ('ecole', 5, '08:30', '16:30'),
  ('mairie', 1, '09:00', '17:00'), ('mairie', 2, '09:00', '17:00'), ('mairie', 3, '09:00', '17:00'),
  ('mairie', 4, '09:00', '17:00'), ('mairie', 5, '09:00', '17:00'), ('mairie', 6, '09:00', '12:00'),
  ('gymnase', 1, '17:00', '22:00'), ('gymnase', 2, '17:00', '22:00'), ('gymnase', 3, '17:00', '22:00'),
  ('gymnase', 4, '17:00', '22:00'), ('gymnase', 5, '17:00', '22:00'), ('gymnase', 6, '09:00', '18:00'),
  ('gymnase', 7, '09:00', '18:00'),
  ('mediatheque', 2, '10:00', '18:00'), ('mediatheque', 3, '10:00', '18:00'), ('mediatheque', 4, '10:00', '18:00'),
  ('mediatheque', 5, '10:00', '18:00'), ('mediatheque', 6, '10:00', '18:00');
CREATE TABLE building_schedule (
  building_id  text NOT NULL REFERENCES building (id) ON DELETE CASCADE,
  weekday      smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  opens        time NOT NULL,
  closes       time NOT NULL CHECK (closes > opens),
  PRIMARY KEY (building_id, weekday, opens)
);
CREATE TABLE school_holiday (
  starts  date NOT NULL,
  ends    date NOT NULL CHECK (ends >= starts),   -- inclusive
  label   text NOT NULL,
  PRIMARY KEY (starts)
);

-- Kept by the indicator refresher from reading_daily (api/indicators/counter-consumption.ts).
CREATE TABLE energy_daily (
  sid          integer NOT NULL REFERENCES sensor (sid) ON DELETE CASCADE,
  day          date NOT NULL,
  consumption  double precision NOT NULL,   -- in the carrier's unit
  resets       integer NOT NULL,
  joined       boolean NOT NULL,            -- the step from the previous reading is counted in
  PRIMARY KEY (sid, day)
);
CREATE TABLE energy_gap (
  sid          integer NOT NULL REFERENCES sensor (sid) ON DELETE CASCADE,
  from_ts      timestamptz NOT NULL,
  to_ts        timestamptz NOT NULL,
  consumption  double precision,            -- the index step across it; null if the index went down
  PRIMARY KEY (sid, from_ts)
);
-- Per building, carrier and month: what the territory views add up.
CREATE TABLE energy_monthly (
  building_id  text NOT NULL REFERENCES building (id) ON DELETE CASCADE,
  carrier      text NOT NULL REFERENCES energy_carrier (id),
  month        date NOT NULL,               -- first day of the month
  consumption  double precision NOT NULL,
  days         integer NOT NULL,            -- days with a consumption, over the building's meters of the carrier
  PRIMARY KEY (building_id, carrier, month)
);

-- Per CO₂ or temperature sensor and day, over the building's occupied hours: the counts ICONE
-- and thermal comfort are made of (counts add up over any period).
CREATE TABLE air_daily (
  sid               integer NOT NULL REFERENCES sensor (sid) ON DELETE CASCADE,
  day               date NOT NULL,
  occupied_n        integer NOT NULL,       -- CO₂ readings in occupied hours
  co2_1000_1700     integer NOT NULL,
  co2_above_1700    integer NOT NULL,
  occupied_hours    integer NOT NULL,       -- temperature: occupied hours with readings
  hours_below_19    integer NOT NULL,       -- in the heating season (1 October – 20 May)
  hours_above_26    integer NOT NULL,       -- in summer (1 June – 15 September)
  PRIMARY KEY (sid, day)
);

-- Anomalies and waste signals, raised by the refresher with a reason.
CREATE TABLE alert (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  building_id  text NOT NULL REFERENCES building (id) ON DELETE CASCADE,
  carrier      text REFERENCES energy_carrier (id),
  kind         text NOT NULL CHECK (kind IN ('over_consumption', 'under_consumption', 'night_base_load', 'confinement')),
  day          date NOT NULL,
  reason       text NOT NULL,
  value        double precision,
  expected     double precision,
  score        double precision,
  raised_at    timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz,
  UNIQUE NULLS NOT DISTINCT (building_id, kind, carrier, day)
);
CREATE INDEX alert_open_idx ON alert (building_id) WHERE closed_at IS NULL;
