-- DuckDB and DataFusion have no bits28 functions: week 0 (bits 13..7) is b & 16256 <> 0, week 1 (bits 6..0)
-- is b & 127 <> 0.
SELECT submission_date,
       count(*) FILTER (WHERE (days_seen_bits & 16256) <> 0) AS active_in_week_0,
       count(*) FILTER (WHERE (days_seen_bits & 16256) <> 0
                          AND (days_seen_bits & 127) <> 0) AS retained,
       CAST(count(*) FILTER (WHERE (days_seen_bits & 16256) <> 0
                               AND (days_seen_bits & 127) <> 0) AS DOUBLE)
         / nullif(count(*) FILTER (WHERE (days_seen_bits & 16256) <> 0), 0)
         AS retention_1_week
FROM telemetry.clients_last_seen
WHERE submission_date >= DATE '2026-01-14'
GROUP BY submission_date
ORDER BY submission_date
