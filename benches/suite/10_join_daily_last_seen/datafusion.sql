-- DataFusion has no bit_count: the usage bits (28 of them, below 2^28) are counted with the
-- SWAR popcount, one step per CTE (0x5555555, 0x33333333, 0x0F0F0F0F, then × 0x01010101
-- sums the four byte counts into bits 24..31).
WITH joined AS (
  SELECT d.country, d.active_hours_sum, l.days_seen_bits AS b0
  FROM telemetry.clients_daily AS d
  JOIN telemetry.clients_last_seen AS l
    ON d.client_id = l.client_id AND d.submission_date = l.submission_date
  WHERE d.submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
    AND l.submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'),
pairs AS (SELECT country, active_hours_sum, b0 - ((b0 >> 1) & 89478485) AS b1 FROM joined),
nibbles AS (SELECT country, active_hours_sum, (b1 & 858993459) + ((b1 >> 2) & 858993459) AS b2 FROM pairs),
counted AS (
  SELECT country, active_hours_sum, ((((b2 + (b2 >> 4)) & 252645135) * 16843009) >> 24) & 255 AS days_seen
  FROM nibbles)
SELECT country, days_seen >= 14 AS regular, count(*) AS client_days, sum(active_hours_sum) AS active_hours
FROM counted
GROUP BY country, regular
ORDER BY country, regular
