-- Each sensor's latest value is the last value of its newest hourly rollup: the table kept beside
-- it was a third upsert per sensor and batch, a third of the rollups' cost in every ingestion
-- transaction (measured by npm run bench:ingest), for a row the hourly table already holds.
-- It becomes a view: one backward probe of reading_hourly's primary key (sid, hour) per sensor,
-- never a scan of raw readings. "Heard" is by the reading's time, which may not lie in the
-- future beyond INGEST_MAX_FUTURE_S.
DROP TABLE sensor_latest;

CREATE VIEW sensor_latest AS
SELECT s.sid, h.last_ts AS ts, h.last_value AS value
FROM sensor s
CROSS JOIN LATERAL (
  SELECT last_ts, last_value FROM reading_hourly
  WHERE reading_hourly.sid = s.sid
  ORDER BY hour DESC
  LIMIT 1
) h;
