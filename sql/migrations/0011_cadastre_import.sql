-- The cadastre importer (`territoire import`, POST /api/imports/{kind}): sections and lieux-dits,
-- a natural key for cadastral buildings so that importing again updates instead of duplicating,
-- and `imported_at` on every cadastre table: an Etalab file holds a commune's whole layer, so the
-- rows of its communes that an import did not write (imported_at older than the import's
-- transaction) are gone upstream and are removed.

CREATE TABLE cadastral_section (
  id           text PRIMARY KEY CHECK (length(id) = 10),   -- commune + prefixe + code padded to 2
  commune      text NOT NULL,
  prefixe      text NOT NULL,
  code         text NOT NULL,
  created      date,
  updated      date,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  geom         geometry(MultiPolygon, 4326) NOT NULL,
  geom_3857    geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX cadastral_section_commune_idx ON cadastral_section (commune);
CREATE INDEX cadastral_section_geom_3857_idx ON cadastral_section USING gist (geom_3857);

-- No id upstream: the key is the commune and the md5 of the geometry's WKB (ingestion/import/cadastre-importer.ts).
CREATE TABLE lieu_dit (
  key          text PRIMARY KEY,
  commune      text NOT NULL,
  nom          text,
  created      date,
  updated      date,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  geom         geometry(MultiPolygon, 4326) NOT NULL,
  geom_3857    geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX lieu_dit_commune_idx ON lieu_dit (commune);
CREATE INDEX lieu_dit_geom_3857_idx ON lieu_dit USING gist (geom_3857);

-- Same key for cadastral buildings; rows loaded before this migration get theirs (exact
-- duplicates, which the key cannot tell apart, are merged).
ALTER TABLE cadastral_building ADD COLUMN key text;
UPDATE cadastral_building SET key = commune || ':' || md5(ST_AsBinary(geom));
DELETE FROM cadastral_building a USING cadastral_building b WHERE a.key = b.key AND a.id > b.id;
ALTER TABLE cadastral_building ALTER COLUMN key SET NOT NULL;
CREATE UNIQUE INDEX cadastral_building_key_idx ON cadastral_building (key);
ALTER TABLE cadastral_building ADD COLUMN imported_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE parcel ADD COLUMN imported_at timestamptz NOT NULL DEFAULT now();

INSERT INTO layer_version (layer) VALUES ('sections'), ('lieux-dits') ON CONFLICT (layer) DO NOTHING;
