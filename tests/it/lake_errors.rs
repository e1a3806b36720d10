//! Bad roots and damaged files get errors that name them; the lake stays usable.

use tarn_engine::{EngineConfig, Error, Lake};

use crate::{open_fixture, scalar};

#[tokio::test]
async fn missing_root_is_named() {
    let err = Lake::open(EngineConfig::new("/no/such/lake"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRoot { .. }), "{err:?}");
    assert!(
        err.chain_text().contains("/no/such/lake"),
        "{}",
        err.chain_text()
    );
}

#[tokio::test]
async fn a_file_is_not_a_root() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("lake.parquet");
    std::fs::write(&file, b"x")?;
    let err = Lake::open(EngineConfig::new(file.to_string_lossy()))
        .await
        .unwrap_err();
    assert!(
        err.chain_text().contains("is not a directory"),
        "{}",
        err.chain_text()
    );
    Ok(())
}

#[tokio::test]
async fn bad_settings_are_named() {
    let mut c = EngineConfig::new("/tmp");
    c.datafusion
        .insert("datafusion.no.such.key".into(), "1".into());
    let err = Lake::open(c).await.unwrap_err();
    assert!(
        err.chain_text().contains("datafusion.no.such.key"),
        "{}",
        err.chain_text()
    );
}

#[tokio::test]
async fn damaged_data_pages_fail_the_query_naming_the_file() -> anyhow::Result<()> {
    let (dir, lake) = open_fixture(0.0).await?;
    // Keep the footer, scramble the column chunks.
    let path = dir.path().join("web/visits/v2/v=2/part-0.parquet");
    let mut bytes = std::fs::read(&path)?;
    for b in bytes.iter_mut().skip(4).take(60) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes)?;
    let session = lake.session()?;
    let err = session
        .collect("SELECT * FROM web.visits")
        .await
        .unwrap_err();
    let text = err.chain_text();
    assert!(text.contains("web/visits/v2/v=2/part-0.parquet"), "{text}");
    // The other version and the rest of the lake still answer.
    assert_eq!(
        scalar(
            &session
                .collect("SELECT count(*) FROM web.visits_v1")
                .await?
        ),
        "2"
    );
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM events").await?),
        "6"
    );
    Ok(())
}

#[tokio::test]
async fn memory_lakes_work() -> anyhow::Result<()> {
    let lake = Lake::open(EngineConfig::new("memory:///lake")).await?;
    let session = lake.session()?;
    assert!(lake.namespaces().is_empty());
    assert_eq!(scalar(&session.collect("SELECT 1 + 1").await?), "2");
    Ok(())
}

#[tokio::test]
async fn memory_limit_spills_instead_of_failing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut c = EngineConfig::new(dir.path().to_string_lossy());
    c.memory_limit = Some(64 * 1024 * 1024);
    c.spill_dir = Some(dir.path().join("_spill"));
    // One partition: a single external sort, merged from its spill files.
    c.target_partitions = Some(1);
    let lake = Lake::open(c).await?;
    let session = lake.session()?;
    // Sorting 2M rows with 32-byte keys needs far more than 64 MiB: it must spill and succeed.
    let mut stream = session
        .execute("SELECT v FROM (SELECT value AS v, md5(value::text) AS h FROM range(2000000)) ORDER BY h")
        .await?;
    let mut rows = 0;
    while let Some(b) = futures::StreamExt::next(&mut stream).await {
        rows += b?.num_rows();
    }
    assert_eq!(rows, 2_000_000);
    assert!(
        lake_spilled(&dir.path().join("_spill")),
        "the sort spilled to the configured directory"
    );
    // Without spilling room a sort fails with a resource error, not a crash.
    let mut c = EngineConfig::new(dir.path().to_string_lossy());
    c.memory_limit = Some(1024 * 1024);
    c.max_spill_bytes = 0;
    let lake = Lake::open(c).await?;
    let err = lake
        .session()?
        .collect("SELECT value FROM range(2000000) ORDER BY md5(value::text)")
        .await
        .unwrap_err();
    assert!(
        err.chain_text()
            .to_lowercase()
            .contains("resources exhausted"),
        "{}",
        err.chain_text()
    );
    Ok(())
}

/// Whether DataFusion created its spill folder under `dir` (it removes the files when done).
fn lake_spilled(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
}
