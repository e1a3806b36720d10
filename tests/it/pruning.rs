//! Partition pruning skips files before they are opened; statistics prune inside files.
//! Proved by counting what the store actually served, not by reading plans.

use crate::{open_fixture, scalar};

/// The data files (not sidecars) read since the counters were reset.
fn parquet_files_read(lake: &tarn_engine::Lake) -> Vec<String> {
    let snap = lake.store().store.snapshot();
    snap.files_read
        .into_iter()
        .filter(|f| f.ends_with(".parquet"))
        .collect()
}

#[tokio::test]
async fn partition_filters_open_only_matching_files() -> anyhow::Result<()> {
    let (_dir, lake) = open_fixture(3600.0).await?;
    let session = lake.session()?;
    // First touch lists the table and reads footers to learn the schema.
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM events").await?),
        "6"
    );

    lake.store().store.reset();
    let got = session
        .collect("SELECT id FROM events WHERE dt = DATE '2024-01-02' ORDER BY id")
        .await?;
    assert_eq!(
        tarn_tests::format::rows(&got)?,
        vec![vec!["3".to_string()], vec!["4".to_string()]]
    );
    let files = parquet_files_read(&lake);
    assert_eq!(
        files.len(),
        1,
        "only the 2024-01-02 file is opened: {files:?}"
    );
    assert!(files[0].contains("dt=2024-01-02"), "{files:?}");
    assert_eq!(
        lake.store().store.snapshot().list_calls,
        0,
        "a cached listing is not listed again"
    );

    lake.store().store.reset();
    session
        .collect("SELECT id FROM events WHERE dt > DATE '2030-01-01'")
        .await?;
    assert!(
        parquet_files_read(&lake).is_empty(),
        "no partition matches, so no file is opened"
    );

    // A data filter beside the partition filter: the files of the matching partitions only.
    // (A file whose column is constant is answered from its statistics without reading pages,
    // so this uses `events`, whose files hold two different ids each.)
    lake.store().store.reset();
    let (got, opened) = run_counting_opens(
        &session,
        "SELECT string_agg(id::text, ',' ORDER BY id) FROM events WHERE dt >= DATE '2024-01-02' AND id > 0",
    )
    .await?;
    assert_eq!(scalar(&got), "3,4,5,6");
    assert_eq!(opened, 2, "the scan opens two files of three");
    let files = parquet_files_read(&lake);
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files.iter().all(|f| !f.contains("dt=2024-01-01")),
        "{files:?}"
    );

    // An integer key (web.hits, hour=5: two files of four), counted by the scan itself.
    let (got, opened) = run_counting_opens(
        &session,
        "SELECT string_agg(id::text, ',' ORDER BY id) FROM web.hits WHERE hour = 5",
    )
    .await?;
    assert_eq!(scalar(&got), "1,3");
    assert_eq!(opened, 2, "the scan opens the two hour=5 files of four");
    Ok(())
}

/// Runs `sql` and returns its result and the number of files the scans opened (the Parquet
/// scan's own `files_opened` metric).
async fn run_counting_opens(
    session: &tarn_engine::Session,
    sql: &str,
) -> anyhow::Result<(Vec<arrow::array::RecordBatch>, usize)> {
    let plan = session.sql(sql).await?.create_physical_plan().await?;
    let got = datafusion::physical_plan::collect(
        std::sync::Arc::clone(&plan),
        session.context().task_ctx(),
    )
    .await?;
    let mut opened = 0;
    let mut stack = vec![plan];
    while let Some(p) = stack.pop() {
        if let Some(m) = p.metrics() {
            opened += m.sum_by_name("files_opened").map_or(0, |v| v.as_usize());
        }
        stack.extend(p.children().into_iter().cloned());
    }
    Ok((got, opened))
}

#[tokio::test]
async fn a_pinned_schema_reads_no_footers_to_plan() -> anyhow::Result<()> {
    let (dir, lake) = open_fixture(3600.0).await?;
    std::fs::write(
        dir.path().join("events/_table.toml"),
        "[schema]\nid = \"bigint\"\nkind = \"string\"\n",
    )?;
    lake.refresh_all();
    let session = lake.session()?;
    lake.store().store.reset();
    let got = session
        .collect("SELECT kind FROM events WHERE dt = DATE '2024-01-03' AND id = 6")
        .await?;
    assert_eq!(scalar(&got), "close");
    let files = parquet_files_read(&lake);
    assert_eq!(files.len(), 1, "{files:?}");
    Ok(())
}

#[tokio::test]
async fn row_group_statistics_prune_inside_a_file() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // One file, 50 row groups of 2 sorted ids each.
    let ids: Vec<i64> = (0..100).collect();
    let batch = tarn_tests::batch(vec![(
        "id",
        std::sync::Arc::new(arrow::array::Int64Array::from(ids)) as _,
    )]);
    tarn_tests::write_parquet(&dir.path().join("t/part-0.parquet"), &batch)?;
    let lake =
        tarn_engine::Lake::open(tarn_engine::EngineConfig::new(dir.path().to_string_lossy()))
            .await?;
    let session = lake.session()?;
    session.collect("SELECT count(*) FROM t").await?;

    lake.store().store.reset();
    session.collect("SELECT sum(id) FROM t").await?;
    let full = lake.store().store.snapshot().bytes_read;

    lake.store().store.reset();
    let df = session.sql("SELECT id FROM t WHERE id = 42").await?;
    let plan = df.create_physical_plan().await?;
    let got = datafusion::physical_plan::collect(
        std::sync::Arc::clone(&plan),
        session.context().task_ctx(),
    )
    .await?;
    assert_eq!(scalar(&got), "42");
    let selective = lake.store().store.snapshot().bytes_read;
    assert!(
        selective * 5 < full,
        "statistics should skip most row groups: {selective} vs {full} bytes"
    );

    let text =
        datafusion::physical_plan::display::DisplayableExecutionPlan::with_metrics(plan.as_ref())
            .indent(true)
            .to_string();
    assert!(
        text.contains("row_groups_pruned_statistics=50 total \u{2192} 1 matched"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn page_indexes_prune_inside_a_row_group() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // One row group of 10,000 sorted ids in pages of 100 rows, with a page index.
    let ids: Vec<i64> = (0..10_000).collect();
    let batch = tarn_tests::batch(vec![(
        "id",
        std::sync::Arc::new(arrow::array::Int64Array::from(ids)) as _,
    )]);
    let props = parquet::file::properties::WriterProperties::builder()
        .set_data_page_row_count_limit(100)
        .set_write_batch_size(100)
        .set_statistics_enabled(parquet::file::properties::EnabledStatistics::Page)
        .build();
    std::fs::create_dir_all(dir.path().join("t"))?;
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(dir.path().join("t/part-0.parquet"))?,
        batch.schema(),
        Some(props),
    )?;
    w.write(&batch)?;
    w.close()?;

    let lake =
        tarn_engine::Lake::open(tarn_engine::EngineConfig::new(dir.path().to_string_lossy()))
            .await?;
    let session = lake.session()?;
    let plan = session
        .collect("EXPLAIN ANALYZE SELECT id FROM t WHERE id = 4242")
        .await?;
    let text = tarn_tests::format::rows(&plan)?
        .into_iter()
        .map(|r| r.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("page_index_pages_pruned=100 total \u{2192} 1 matched"),
        "{text}"
    );
    assert!(text.contains("files_opened=1"), "{text}");
    Ok(())
}
