-- Messages the ingestion could not store, kept whole with a machine-readable reason so that
-- nothing is dropped silently and a message can be replayed once its cause is fixed.

CREATE TABLE dead_letter (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  topic        text NOT NULL,
  payload      bytea NOT NULL,
  reason       text NOT NULL,
  detail       text,
  replayed_at  timestamptz
);
CREATE INDEX dead_letter_reason_idx ON dead_letter (reason, received_at);
