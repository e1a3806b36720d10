-- 1-week retention (GUD), metric date = submission_date - 13: of the clients seen in week 0
-- (13 to 7 days back), the share also seen in week 1 (6 to 0 days back).
SELECT submission_date,
       count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, -13, 7)) AS active_in_week_0,
       count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, -13, 7)
                          AND bits28_active_in_range(days_seen_bits, -6, 7)) AS retained,
       CAST(count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, -13, 7)
                               AND bits28_active_in_range(days_seen_bits, -6, 7)) AS DOUBLE)
         / nullif(count(*) FILTER (WHERE bits28_active_in_range(days_seen_bits, -13, 7)), 0)
         AS retention_1_week
FROM telemetry.clients_last_seen
WHERE submission_date >= DATE '2026-01-14'
GROUP BY submission_date
ORDER BY submission_date
