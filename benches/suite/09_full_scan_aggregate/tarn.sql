-- Every ping of the lake, aggregated by channel and OS.
SELECT normalized_channel, os, count(*) AS pings, sum(subsession_length) AS seconds,
       avg(active_ticks) AS avg_active_ticks, sum(search_count) AS searches,
       max(first_paint) AS max_first_paint
FROM telemetry.main_summary
GROUP BY normalized_channel, os
ORDER BY normalized_channel, os
