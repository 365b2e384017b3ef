-- Time series. Raw readings are partitioned by month (UTC) and keyed by (sensor, time) so that a
-- re-delivered message leaves exactly one row. Rollups and the latest value per sensor are kept
-- current by the ingestion, in the same statement as the insert, so that no dashboard or tile
-- ever scans raw readings.

CREATE TABLE reading (
  sid          integer NOT NULL REFERENCES sensor (sid) ON DELETE CASCADE,
  ts           timestamptz NOT NULL,
  value        double precision NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sid, ts)
) PARTITION BY RANGE (ts);

-- Safety net only: the ingestion creates the month's partition before writing into it.
CREATE TABLE reading_default PARTITION OF reading DEFAULT;

CREATE FUNCTION ensure_reading_partition(month_start date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month_start)::date;
  partition_name text := format('reading_%s', to_char(first_day, 'YYYY_MM'));
BEGIN
  IF to_regclass(partition_name) IS NOT NULL THEN
    RETURN;
  END IF;
  -- Two writers may want the same month at once: serialise the creation.
  PERFORM pg_advisory_xact_lock(hashtext('territoire.reading_partition'));
  IF to_regclass(partition_name) IS NULL THEN
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF reading FOR VALUES FROM (%L) TO (%L)',
      partition_name,
      (first_day::timestamp AT TIME ZONE 'UTC'),
      ((first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
  END IF;
END
$$;

CREATE TABLE reading_hourly (
  sid          integer NOT NULL REFERENCES sensor (sid) ON DELETE CASCADE,
  hour         timestamptz NOT NULL,
  n            integer NOT NULL,
  sum          double precision NOT NULL,
  min          double precision NOT NULL,
  max          double precision NOT NULL,
  first_ts     timestamptz NOT NULL,
  first_value  double precision NOT NULL,
  last_ts      timestamptz NOT NULL,
  last_value   double precision NOT NULL,
  PRIMARY KEY (sid, hour)
);

-- A local day (HUB_TIMEZONE, Europe/Paris by default): what an energy manager calls a day.
CREATE TABLE reading_daily (
  sid          integer NOT NULL REFERENCES sensor (sid) ON DELETE CASCADE,
  day          date NOT NULL,
  n            integer NOT NULL,
  sum          double precision NOT NULL,
  min          double precision NOT NULL,
  max          double precision NOT NULL,
  first_ts     timestamptz NOT NULL,
  first_value  double precision NOT NULL,
  last_ts      timestamptz NOT NULL,
  last_value   double precision NOT NULL,
  PRIMARY KEY (sid, day)
);

CREATE TABLE sensor_latest (
  sid          integer PRIMARY KEY REFERENCES sensor (sid) ON DELETE CASCADE,
  ts           timestamptz NOT NULL,
  value        double precision NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
