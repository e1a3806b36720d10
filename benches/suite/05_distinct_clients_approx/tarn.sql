-- tolerance: 0.05
-- Distinct clients per day from the pings, approximately (HyperLogLog).
SELECT submission_date_s3, approx_distinct(client_id) AS clients
FROM telemetry.main_summary
GROUP BY submission_date_s3
ORDER BY submission_date_s3
