-- The 20 most common add-ons over one week, unnesting the active_addons list column.
SELECT addon, count(*) AS client_days
FROM (SELECT unnest(active_addons) AS addon
      FROM telemetry.clients_daily
      WHERE submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14') AS addons
GROUP BY addon
ORDER BY client_days DESC, addon
LIMIT 20
