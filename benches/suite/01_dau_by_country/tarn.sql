-- Daily active clients by country over one week (one clients_daily row per client and day).
SELECT submission_date, country, count(*) AS dau
FROM telemetry.clients_daily
WHERE submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
GROUP BY submission_date, country
ORDER BY submission_date, country
