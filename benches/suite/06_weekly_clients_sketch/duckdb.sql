-- tolerance: 0.05
-- DuckDB cannot read ZetaSketch sketches: it estimates from the client ids of clients_daily.
SELECT os, approx_count_distinct(client_id) AS wau
FROM telemetry.clients_daily
WHERE submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
GROUP BY os
ORDER BY os
