-- Access control (issue 7): API tokens with a role and a scope, per-device MQTT credentials and
-- the audit log of administrative actions. Secrets are never stored: a token's secret and an
-- MQTT password are kept as hashes only, and shown once, when created.

-- An API token: `tt_<id>_<secret>`. The id is the lookup key (not secret); the secret is 32
-- random bytes, stored as its SHA-256 (a random 256-bit secret needs no slow hash).
CREATE TABLE api_token (
  id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{12}$'),
  secret_sha256 bytea NOT NULL CHECK (octet_length(secret_sha256) = 32),
  label         text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'epci_staff', 'energy_manager')),
  -- What the token may see: EPCI SIRENs (EPCI staff), commune INSEE codes and building ids
  -- (energy managers). Empty for an admin, who sees everything.
  scope_epci       text[] NOT NULL DEFAULT '{}',
  scope_communes   text[] NOT NULL DEFAULT '{}',
  scope_buildings  text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  CHECK (expires_at > created_at),
  CHECK (role = 'admin' OR cardinality(scope_epci) + cardinality(scope_communes) + cardinality(scope_buildings) > 0)
);

-- MQTT credentials of a device, or of a network-server integration (The Things Stack,
-- ChirpStack) that publishes for many devices. The password is kept in Mosquitto's own PBKDF2
-- format ($7$iterations$salt$hash), so that the same rows check a password in the embedded broker
-- and generate Mosquitto's password file. `topics` are MQTT topic filters the client may publish to.
CREATE TABLE mqtt_credential (
  username      text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  password_hash text NOT NULL CHECK (password_hash LIKE '$7$%'),
  device_id     text REFERENCES device (id) ON DELETE CASCADE,
  topics        text[] NOT NULL CHECK (cardinality(topics) > 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX mqtt_credential_device_idx ON mqtt_credential (device_id);

-- Who did what, when: device provisioning, imports, token and credential changes, dead-letter
-- replays, building settings. Appended only.
CREATE TABLE audit_log (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text NOT NULL,
  action   text NOT NULL,
  target   text,
  detail   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
