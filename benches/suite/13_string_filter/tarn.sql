-- A selective string filter: the pings of the clients whose id starts with 'ab' (1 in 256).
SELECT submission_date_s3, count(*) AS pings, count(DISTINCT client_id) AS clients
FROM telemetry.main_summary
WHERE client_id LIKE 'ab%'
GROUP BY submission_date_s3
ORDER BY submission_date_s3
