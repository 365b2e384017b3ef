-- Two writers creating the same month's partition at once: the advisory lock serialises them,
-- but the second one's catalog lookup may not yet see the table the first one committed, and
-- its CREATE then fails with "relation already exists" (seen with two concurrent ingestion
-- batches). Creating is now idempotent: an existing partition is success.
CREATE OR REPLACE FUNCTION ensure_reading_partition(month_start date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month_start)::date;
  partition_name text := format('reading_%s', to_char(first_day, 'YYYY_MM'));
BEGIN
  IF to_regclass(partition_name) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('territoire.reading_partition'));
  BEGIN
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF reading FOR VALUES FROM (%L) TO (%L)',
      partition_name,
      (first_day::timestamp AT TIME ZONE 'UTC'),
      ((first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
  EXCEPTION WHEN duplicate_table OR unique_violation THEN
    NULL; -- created meanwhile by another writer: what we wanted
  END;
END
$$;
