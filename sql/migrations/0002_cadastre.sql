-- Cadastre in the Etalab format (cadastre.data.gouv.fr). Parcels keep the 14-character id
-- (commune + prefixe + section padded to 2 + numero padded to 4); buildings have no id upstream.
-- No foreign key to `commune`: a cadastre may cover communes outside the loaded territory.

CREATE TABLE parcel (
  id          text PRIMARY KEY CHECK (length(id) = 14),
  commune     text NOT NULL,
  prefixe     text NOT NULL,
  section     text NOT NULL,
  numero      text NOT NULL,
  contenance  integer CHECK (contenance >= 0),   -- m², absent upstream on some parcels
  arpente     boolean,
  created     date,
  updated     date,
  geom        geometry(MultiPolygon, 4326) NOT NULL,
  geom_3857   geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX parcel_commune_idx ON parcel (commune);
CREATE INDEX parcel_geom_idx ON parcel USING gist (geom);
CREATE INDEX parcel_geom_3857_idx ON parcel USING gist (geom_3857);

CREATE TABLE cadastral_building (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  commune     text NOT NULL,
  type        text CHECK (type IN ('01', '02')),   -- 01 bâti dur, 02 bâti léger
  nom         text,
  created     date,
  updated     date,
  geom        geometry(MultiPolygon, 4326) NOT NULL,
  geom_3857   geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX cadastral_building_commune_idx ON cadastral_building (commune);
CREATE INDEX cadastral_building_geom_3857_idx ON cadastral_building USING gist (geom_3857);
