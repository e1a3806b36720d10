-- Daily active clients per country with their 7-day moving average (a window function).
WITH daily AS (
  SELECT submission_date, country, count(*) AS dau
  FROM telemetry.clients_daily
  GROUP BY submission_date, country)
SELECT submission_date, country, dau,
       avg(dau) OVER (PARTITION BY country ORDER BY submission_date
                      ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS dau_7_day_average
FROM daily
ORDER BY country, submission_date
