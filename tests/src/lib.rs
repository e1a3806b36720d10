//! Fixtures shared by tarn's integration tests and its sqllogictest runner.
//!
//! 1. [`fixture_lake`]: a small lake on disk with every layout tarn must handle, good and bad.
//! 2. [`write_parquet`]: writes one batch as a Parquet file, creating folders.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use arrow::array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, StructArray};
use arrow::datatypes::{DataType, Field, Fields};

pub mod format;

/// The checkout's root folder, read when the test runs: a test binary in a shared target
/// folder may have been compiled from another checkout, so a path compiled in could point
/// at other files.
///
/// # Panics
/// When not run by cargo (which sets `CARGO_MANIFEST_DIR`).
#[must_use]
pub fn repo_root() -> std::path::PathBuf {
    let tests = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo (CARGO_MANIFEST_DIR)");
    Path::new(&tests).join("..")
}

/// Writes `batch` to `path` as Parquet (small row groups, page statistics).
pub fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(2))
        .build();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(fs::File::create(path)?, batch.schema(), Some(props))?;
    w.write(batch)?;
    w.close()?;
    Ok(())
}

/// A batch from named columns.
pub fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).expect("fixture columns are consistent")
}

fn ints(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

fn strs(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

fn touch(path: &Path, content: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, content)?;
    Ok(())
}

/// Builds the fixture lake under `root`:
///
/// * `events` (namespace `default`): `dt=2024-01-01..03` (a date key), with `_SUCCESS`
///   markers, a `_temporary/` folder, a `.crc` file and a hidden `.parquet` that must be ignored;
///   2 rows per day, `id` 1..6.
/// * `web.visits` versions 1 and 2 (`visits` is v2), with a sidecar at the table root giving a
///   description, column docs and `v` declared as `int`.
/// * `web.hits`: `country`/`hour` keys with URL-escaped values, a NULL country
///   (`__HIVE_DEFAULT_PARTITION__`), hours as integers.
/// * `web.daily_s3`: `submission_date_s3=YYYYMMDD`, which stays a string.
/// * `web.evolving`: two files whose schemas merge (int32 → int64, an added column, an added
///   struct field).
/// * `web.shared` and `other.shared`: the same name in two namespaces.
/// * `bad.*`: one table per kind of breakage (see the code).
pub fn fixture_lake(root: &Path) -> Result<()> {
    // default.events
    for (i, day) in ["2024-01-01", "2024-01-02", "2024-01-03"]
        .iter()
        .enumerate()
    {
        let base = i as i64 * 2;
        let dir = root.join(format!("events/dt={day}"));
        write_parquet(
            &dir.join("part-0.parquet"),
            &batch(vec![
                ("id", ints(&[base + 1, base + 2])),
                ("kind", strs(&["open", "close"])),
            ]),
        )?;
        touch(&dir.join("_SUCCESS"), b"")?;
        touch(&dir.join(".part-0.parquet.crc"), b"crc")?;
    }
    touch(&root.join("events/_SUCCESS"), b"")?;
    write_parquet(
        &root.join("events/_temporary/0/dt=2024-01-09/part-9.parquet"),
        &batch(vec![("id", ints(&[99])), ("kind", strs(&["staging"]))]),
    )?;
    write_parquet(
        &root.join("events/dt=2024-01-01/.hidden.parquet"),
        &batch(vec![("id", ints(&[98])), ("kind", strs(&["hidden"]))]),
    )?;

    // web.visits v1 and v2
    write_parquet(
        &root.join("web/visits/v1/v=1/part-0.parquet"),
        &batch(vec![("url", strs(&["a", "b"])), ("n", ints(&[1, 2]))]),
    )?;
    write_parquet(
        &root.join("web/visits/v2/v=2/part-0.parquet"),
        &batch(vec![
            ("url", strs(&["a", "b", "c"])),
            ("n", ints(&[10, 20, 30])),
            ("ms", ints(&[5, 6, 7])),
        ]),
    )?;
    touch(
        &root.join("web/visits/_table.toml"),
        br#"description = "Page visits, one row per URL."
[partition_keys]
v = "int"
[columns]
url = "The visited URL."
n = "Number of visits."
"#,
    )?;

    // web.hits: escaped values and NULL partitions
    for (country, hour, id) in [
        ("US", 5, 1i64),
        ("US", 6, 2),
        ("C%C3%B4te%20d%27Ivoire", 5, 3),
        ("__HIVE_DEFAULT_PARTITION__", 7, 4),
    ] {
        write_parquet(
            &root.join(format!(
                "web/hits/country={country}/hour={hour}/part-0.parquet"
            )),
            &batch(vec![("id", ints(&[id]))]),
        )?;
    }

    // web.daily_s3: compact dates stay strings
    for d in ["20170101", "20170102"] {
        write_parquet(
            &root.join(format!(
                "web/daily_s3/submission_date_s3={d}/part-0.parquet"
            )),
            &batch(vec![("clients", ints(&[d[7..].parse::<i64>()? * 10]))]),
        )?;
    }

    // web.evolving: schemas that merge
    let s1: Fields = vec![Field::new("x", DataType::Int64, true)].into();
    let s2: Fields = vec![
        Field::new("x", DataType::Int64, true),
        Field::new("y", DataType::Utf8, true),
    ]
    .into();
    write_parquet(
        &root.join("web/evolving/dt=2024-01-01/part-0.parquet"),
        &batch(vec![
            ("a", Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef),
            (
                "s",
                Arc::new(StructArray::new(s1, vec![ints(&[10, 20])], None)),
            ),
        ]),
    )?;
    write_parquet(
        &root.join("web/evolving/dt=2024-01-02/part-0.parquet"),
        &batch(vec![
            ("a", ints(&[3_000_000_000])),
            ("b", strs(&["new"])),
            (
                "s",
                Arc::new(StructArray::new(
                    s2,
                    vec![ints(&[30]), strs(&["why"])],
                    None,
                )),
            ),
        ]),
    )?;

    // web.shared / other.shared
    write_parquet(
        &root.join("web/shared/part-0.parquet"),
        &batch(vec![("src", strs(&["web"]))]),
    )?;
    write_parquet(
        &root.join("other/shared/part-0.parquet"),
        &batch(vec![("src", strs(&["other"]))]),
    )?;

    bad_tables(root)
}

fn bad_tables(root: &Path) -> Result<()> {
    let one = || batch(vec![("id", ints(&[1]))]);
    // A column that is a number in one file and text in another.
    write_parquet(
        &root.join("bad/conflict/d=1/part-0.parquet"),
        &batch(vec![("x", ints(&[1]))]),
    )?;
    write_parquet(
        &root.join("bad/conflict/d=2/part-0.parquet"),
        &batch(vec![("x", strs(&["one"]))]),
    )?;
    // A truncated Parquet file next to a good one.
    write_parquet(&root.join("bad/corrupt/d=1/part-0.parquet"), &one())?;
    write_parquet(&root.join("bad/corrupt/d=2/part-0.parquet"), &one())?;
    let full = fs::read(root.join("bad/corrupt/d=2/part-0.parquet"))?;
    fs::write(
        root.join("bad/corrupt/d=2/part-0.parquet"),
        &full[..full.len() / 2],
    )?;
    // A folder with nothing in it.
    fs::create_dir_all(root.join("bad/empty"))?;
    // Malformed partition folders.
    write_parquet(&root.join("bad/empty_value/k=/part-0.parquet"), &one())?;
    write_parquet(&root.join("bad/no_key/=v/part-0.parquet"), &one())?;
    write_parquet(&root.join("bad/extra_equals/k=v=w/part-0.parquet"), &one())?;
    write_parquet(&root.join("bad/not_key_value/2024/part-0.parquet"), &one())?;
    // Files under different key sequences.
    write_parquet(&root.join("bad/mixed_keys/a=1/b=2/part-0.parquet"), &one())?;
    write_parquet(&root.join("bad/mixed_keys/b=2/a=1/part-0.parquet"), &one())?;
    // A value that does not parse as the declared type.
    write_parquet(&root.join("bad/bad_value/n=x/part-0.parquet"), &one())?;
    touch(
        &root.join("bad/bad_value/_table.toml"),
        b"[partition_keys]\nn = \"bigint\"\n",
    )?;
    // A sidecar that is not valid.
    write_parquet(&root.join("bad/bad_sidecar/part-0.parquet"), &one())?;
    touch(
        &root.join("bad/bad_sidecar/_table.toml"),
        b"descripton = 'typo'\n",
    )?;
    Ok(())
}
