-- Usage of regular clients (seen on 14 or more of the last 28 days) against the others, by
-- country over one week. The date filter is on both sides so that every engine prunes both.
SELECT d.country, bit_count(l.days_seen_bits) >= 14 AS regular,
       count(*) AS client_days, sum(d.active_hours_sum) AS active_hours
FROM telemetry.clients_daily AS d
JOIN telemetry.clients_last_seen AS l
  ON d.client_id = l.client_id AND d.submission_date = l.submission_date
WHERE d.submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
  AND l.submission_date BETWEEN DATE '2026-01-08' AND DATE '2026-01-14'
GROUP BY d.country, regular
ORDER BY d.country, regular
