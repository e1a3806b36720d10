-- tolerance: 0.05
-- Weekly distinct clients per OS from the stored daily BigQuery-style sketches.
SELECT os, hll_count_merge(clients_hll) AS wau
FROM telemetry.clients_daily_hll
WHERE submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
GROUP BY os
ORDER BY os
