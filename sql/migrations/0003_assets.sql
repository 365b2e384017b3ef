-- Public buildings, the devices installed in them and the sensors (channels) of each device.

CREATE TABLE building (
  id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  nom                text NOT NULL,
  usage              text NOT NULL,          -- mairie, ecole, gymnase, mediatheque, …
  floor_area_m2      double precision CHECK (floor_area_m2 > 0),
  construction_year  integer CHECK (construction_year BETWEEN 1000 AND 2100),
  commune_insee      text NOT NULL REFERENCES commune (insee),
  parcel_id          text,
  synthetic          boolean NOT NULL DEFAULT false,
  geom               geometry(MultiPolygon, 4326) NOT NULL,
  geom_3857          geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX building_commune_idx ON building (commune_insee);
CREATE INDEX building_geom_3857_idx ON building USING gist (geom_3857);

CREATE TABLE device (
  id               text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  nom              text,
  model            text NOT NULL,
  dev_eui          text UNIQUE CHECK (dev_eui ~ '^[0-9a-f]{16}$'),   -- stored lower-case
  senml_base_name  text UNIQUE,
  building_id      text REFERENCES building (id),
  commune_insee    text REFERENCES commune (insee),                  -- attributed by location
  synthetic        boolean NOT NULL DEFAULT false,
  geom             geometry(Point, 4326),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_building_idx ON device (building_id);

-- `sid` is the compact internal key of the time series; `id` is the public one.
CREATE TABLE sensor (
  sid        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         text NOT NULL UNIQUE CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  device_id  text NOT NULL REFERENCES device (id) ON DELETE CASCADE,
  channel    text NOT NULL,      -- SenML record name, or decoded payload field
  quantity   text NOT NULL,      -- temperature, co2, energy_index, …
  unit       text NOT NULL,      -- SenML unit (RFC 8428 / RFC 8798): Cel, ppm, kWh, …
  UNIQUE (device_id, channel)
);
