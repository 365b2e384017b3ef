-- Territory: the EPCI (intercommunalités à fiscalité propre) and their current communes (COG),
-- with the former commune codes that now point to a current commune (mergers).
-- Geometry is stored in EPSG:4326; a generated EPSG:3857 copy serves vector tiles.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE epci (
  siren          text PRIMARY KEY CHECK (siren ~ '^[0-9]{9}$'),
  nom            text NOT NULL,
  nature         text NOT NULL CHECK (nature IN ('CA', 'CC', 'CU', 'MET')),
  population     integer CHECK (population >= 0),
  -- every member commune, including members outside the territory loaded here (EPCI can cross
  -- département boundaries): the map shows `members_total - loaded members` as missing.
  members_total  integer NOT NULL CHECK (members_total > 0),
  geom           geometry(MultiPolygon, 4326),
  geom_3857      geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX epci_geom_3857_idx ON epci USING gist (geom_3857);

CREATE TABLE commune (
  insee        text PRIMARY KEY CHECK (insee ~ '^[0-9][0-9AB][0-9]{3}$'),
  nom          text NOT NULL,
  epci_siren   text REFERENCES epci (siren),
  population   integer CHECK (population >= 0),
  departement  text NOT NULL,
  geom         geometry(MultiPolygon, 4326) NOT NULL,
  geom_3857    geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commune_geom_idx ON commune USING gist (geom);
CREATE INDEX commune_geom_3857_idx ON commune USING gist (geom_3857);
CREATE INDEX commune_epci_idx ON commune (epci_siren);

-- A former code (commune fusionnée, déléguée or associée) and the current commune that absorbed it.
-- A code may equal its current commune's (a commune déléguée keeps the chef-lieu's code).
CREATE TABLE commune_former_code (
  code   text NOT NULL CHECK (code ~ '^[0-9][0-9AB][0-9]{3}$'),
  insee  text NOT NULL REFERENCES commune (insee) ON DELETE CASCADE,
  PRIMARY KEY (code, insee)
);

-- What was loaded, from where, under which licence, and whether it is real or synthetic:
-- the UI and (later) the open-data catalogue read it.
CREATE TABLE dataset (
  id             text PRIMARY KEY,
  title          text NOT NULL,
  source         text NOT NULL,
  licence        text NOT NULL,
  synthetic      boolean NOT NULL,
  feature_count  integer NOT NULL DEFAULT 0,
  loaded_at      timestamptz NOT NULL DEFAULT now()
);
