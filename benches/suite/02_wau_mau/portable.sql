-- DuckDB and DataFusion have no bits28 functions: bits28_active_in_range(b, -n + 1, n) is b & (2^n - 1) <> 0.
SELECT submission_date,
       count(*) FILTER (WHERE (days_seen_bits & 1) <> 0) AS dau,
       count(*) FILTER (WHERE (days_seen_bits & 127) <> 0) AS wau,
       count(*) FILTER (WHERE (days_seen_bits & 268435455) <> 0) AS mau
FROM telemetry.clients_last_seen
GROUP BY submission_date
ORDER BY submission_date
