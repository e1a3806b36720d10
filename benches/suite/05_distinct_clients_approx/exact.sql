-- The exact answer the estimates are checked against (not timed).
SELECT submission_date_s3, count(DISTINCT client_id) AS clients
FROM telemetry.main_summary
GROUP BY submission_date_s3
ORDER BY submission_date_s3
