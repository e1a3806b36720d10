-- DAU, WAU and MAU per day from the usage-history bits: a client counts when it was seen in
-- the last 1, 7 or 28 days (bits 0, 0..6, 0..27 of days_seen_bits).
SELECT submission_date,
       count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, 0, 1)) AS dau,
       count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, -6, 7)) AS wau,
       count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, -27, 28)) AS mau
FROM telemetry.clients_last_seen
GROUP BY submission_date
ORDER BY submission_date
