-- The version of each published layer (the tile sources and the open-data collections), so that
-- caches are keyed by data, not by expiry: an import bumps its layers in the transaction that
-- changes them and notifies on channel `territoire_layers` (payload: the layer id). The live
-- layers (sensors, buildings' latest values) are bumped by notification only, without a row
-- update, so that the ingestion's concurrent transactions never wait on each other here.
CREATE TABLE layer_version (
  layer       text PRIMARY KEY,
  version     bigint NOT NULL DEFAULT 1,
  changed_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO layer_version (layer)
VALUES ('epci'), ('communes'), ('parcels'), ('cadastral-buildings'), ('buildings'), ('sensors');
