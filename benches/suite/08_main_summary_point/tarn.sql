-- One day of one sample of the pings: two partition keys select one folder of thousands.
SELECT reason, count(*) AS pings, count(DISTINCT client_id) AS clients,
       sum(subsession_length) AS seconds, avg(memory_mb) AS avg_memory_mb
FROM telemetry.main_summary
WHERE submission_date_s3 = '20260110' AND sample_id = 42
GROUP BY reason
ORDER BY reason
