-- Device profiles (what a device's decoded fields mean) and the dead-letter replay.

-- The profile a device was provisioned with (sensors/profiles.ts): its codec and its fields.
ALTER TABLE device ADD COLUMN profile text;

-- What each sensor measures beyond quantity and unit: a gauge (a level at an instant) or a
-- counter (a cumulative index, e.g. an energy meter), and its plausible range — a value
-- outside it is refused (out_of_range), never stored.
ALTER TABLE sensor
  ADD COLUMN kind text NOT NULL DEFAULT 'gauge' CHECK (kind IN ('gauge', 'counter')),
  ADD COLUMN min_value double precision,
  ADD COLUMN max_value double precision,
  ADD CONSTRAINT sensor_range_check CHECK (min_value IS NULL OR max_value IS NULL OR min_value < max_value);

-- A replay stores what can now be stored and marks it; what still fails keeps its row, with the
-- latest reason.
ALTER TABLE dead_letter ADD COLUMN replay_attempts integer NOT NULL DEFAULT 0;
CREATE INDEX dead_letter_pending_idx ON dead_letter (id) WHERE replayed_at IS NULL;

-- The demo's sensors: plausible ranges of the simulated quantities.
UPDATE sensor SET kind = 'counter', min_value = 0, max_value = 1e9 WHERE quantity = 'energy_index';
UPDATE sensor SET min_value = -30, max_value = 60 WHERE quantity = 'temperature';
UPDATE sensor SET min_value = 300, max_value = 10000 WHERE quantity = 'co2';
