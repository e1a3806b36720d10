//! Listings and footers are cached across queries; new partitions appear after the listing
//! lifetime or an explicit REFRESH, without a restart.

use std::time::Duration;

use crate::{open_fixture, scalar};

fn add_day(dir: &std::path::Path, day: &str, id: i64) -> anyhow::Result<()> {
    let batch = tarn_tests::batch(vec![
        (
            "id",
            std::sync::Arc::new(arrow::array::Int64Array::from(vec![id])) as _,
        ),
        (
            "kind",
            std::sync::Arc::new(arrow::array::StringArray::from(vec!["late"])) as _,
        ),
    ]);
    tarn_tests::write_parquet(&dir.join(format!("events/dt={day}/part-0.parquet")), &batch)
}

#[tokio::test]
async fn footers_and_listings_are_not_read_twice() -> anyhow::Result<()> {
    let (_dir, lake) = open_fixture(3600.0).await?;
    let session = lake.session()?;
    session.collect("SELECT * FROM events").await?;
    let first = lake.store().store.snapshot();
    assert!(first.list_calls > 0);

    lake.store().store.reset();
    session.collect("SELECT * FROM events").await?;
    let again = lake.store().store.snapshot();
    assert_eq!(again.list_calls, 0, "the listing is cached");
    // Only data pages are read again: fewer requests than the first time (footers cached).
    assert!(again.get_calls < first.get_calls, "{again:?} vs {first:?}");
    Ok(())
}

#[tokio::test]
async fn new_partitions_appear_after_the_ttl_or_a_refresh() -> anyhow::Result<()> {
    let (dir, lake) = open_fixture(1.0).await?;
    let session = lake.session()?;
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM events").await?),
        "6"
    );

    add_day(dir.path(), "2024-01-04", 7)?;
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM events").await?),
        "6",
        "still cached"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM events").await?),
        "7",
        "listed again"
    );

    add_day(dir.path(), "2024-01-05", 8)?;
    session.collect("REFRESH TABLE events").await?;
    assert_eq!(
        scalar(&session.collect("SELECT max(id) FROM events").await?),
        "8",
        "refreshed at once"
    );
    Ok(())
}

#[tokio::test]
async fn listing_cache_is_bounded() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    tarn_tests::fixture_lake(dir.path())?;
    let mut config = tarn_engine::EngineConfig::new(dir.path().to_string_lossy());
    config.listing_ttl_secs = 3600.0;
    config.listing_cache_max_files = 3;
    let lake = tarn_engine::Lake::open(config).await?;
    let session = lake.session()?;
    session.collect("SELECT count(*) FROM events").await?; // 3 files
    session.collect("SELECT count(*) FROM web.hits").await?; // 4 files: events is evicted
    lake.store().store.reset();
    session.collect("SELECT count(*) FROM web.hits").await?;
    assert_eq!(
        lake.store().store.snapshot().list_calls,
        0,
        "the most recent table stays cached"
    );
    session.collect("SELECT count(*) FROM events").await?;
    assert!(
        lake.store().store.snapshot().list_calls > 0,
        "the evicted table is listed again"
    );
    Ok(())
}
