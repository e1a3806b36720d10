-- tolerance: 0.05
-- DuckDB spells approx_distinct as approx_count_distinct.
SELECT submission_date_s3, approx_count_distinct(client_id) AS clients
FROM telemetry.main_summary
GROUP BY submission_date_s3
ORDER BY submission_date_s3
