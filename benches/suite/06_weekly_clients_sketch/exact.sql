-- The exact answer the estimates are checked against (not timed).
SELECT os, count(DISTINCT client_id) AS wau
FROM telemetry.clients_daily
WHERE submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
GROUP BY os
ORDER BY os
