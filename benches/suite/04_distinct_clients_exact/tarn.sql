-- Distinct clients per day from the pings, exactly.
SELECT submission_date_s3, count(DISTINCT client_id) AS clients
FROM telemetry.main_summary
GROUP BY submission_date_s3
ORDER BY submission_date_s3
