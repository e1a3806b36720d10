-- The three most used app versions of each channel over one week.
SELECT normalized_channel, app_version, client_days
FROM (SELECT normalized_channel, app_version, count(*) AS client_days,
             row_number() OVER (PARTITION BY normalized_channel
                                ORDER BY count(*) DESC, app_version) AS position
      FROM telemetry.clients_daily
      WHERE submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
      GROUP BY normalized_channel, app_version) AS ranked
WHERE position <= 3
ORDER BY normalized_channel, position
