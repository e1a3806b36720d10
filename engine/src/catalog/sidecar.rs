//! The optional `_table.toml` at a table's root: what a Hive metastore would say about it.
//!
//! ```toml
//! description = "One row per client per day."
//! retention_days = 730
//!
//! [partition_keys]            # declared types win over inference
//! submission_date = "date"
//! sample_id = "int"
//!
//! [columns]                   # column docs, shown by DESCRIBE and the catalog
//! client_id = "Unique ID of the profile."
//!
//! [schema]                    # optional pinned schema: footers are not read to infer one
//! client_id = "string"
//! active_hours_sum = "double"
//!
//! [sketches]                  # HyperLogLog columns: which format their bytes hold
//! hll = "HLL"                 # HyperLogLog, P4HyperLogLog, HLL or ZetaSketch
//! ```
//!
//! Type names are SQL names (`string`, `varchar`, `bigint`, `int`, `smallint`, `tinyint`,
//! `double`, `real`, `boolean`, `date`, `timestamp`, `binary`, `decimal(p,s)`) or any Arrow type
//! in its `Display` form (`List(Int64)`, `Struct("a": Int64)`).

use std::collections::BTreeMap;
use std::str::FromStr;

use arrow::datatypes::{DataType, TimeUnit};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The sidecar's file name, at the table root (or at a version folder's root).
pub const SIDECAR_FILE: &str = "_table.toml";

/// A parsed sidecar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sidecar {
    pub description: Option<String>,
    pub retention_days: Option<u32>,
    /// Declared partition key types.
    pub partition_keys: BTreeMap<String, DataType>,
    /// Column docs by column name.
    pub columns: BTreeMap<String, String>,
    /// A pinned file schema, in declaration order.
    pub schema: Option<Vec<(String, DataType)>>,
    /// Sketch columns and the SQL type naming their format (see
    /// [`tarn_udfs::hll::sketch_metadata`]); the column's field carries that type's metadata.
    pub sketches: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    description: Option<String>,
    retention_days: Option<u32>,
    #[serde(default)]
    partition_keys: BTreeMap<String, String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    schema: Option<toml::Table>,
    #[serde(default)]
    sketches: BTreeMap<String, String>,
}

impl Sidecar {
    /// Parses a sidecar's text; `path` is only for messages.
    ///
    /// # Errors
    /// [`Error::SidecarInvalid`] naming the path and what is wrong.
    pub fn parse(path: &str, text: &str) -> Result<Self> {
        let invalid = |reason: String| Error::SidecarInvalid {
            path: path.to_string(),
            reason,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let mut partition_keys = BTreeMap::new();
        for (k, t) in raw.partition_keys {
            let ty = parse_type(&t).map_err(|r| invalid(format!("partition key {k}: {r}")))?;
            partition_keys.insert(k, ty);
        }
        let schema = match raw.schema {
            None => None,
            Some(table) => {
                // toml::Table keeps declaration order (toml's preserve_order is on by default).
                let mut cols = Vec::with_capacity(table.len());
                for (name, v) in table {
                    let Some(t) = v.as_str() else {
                        return Err(invalid(format!(
                            "schema column {name}: the type must be a string"
                        )));
                    };
                    let ty =
                        parse_type(t).map_err(|r| invalid(format!("schema column {name}: {r}")))?;
                    cols.push((name, ty));
                }
                Some(cols)
            }
        };
        for (column, ty) in &raw.sketches {
            tarn_udfs::hll::sketch_metadata(ty)
                .map_err(|r| invalid(format!("sketch column {column}: {r}")))?;
        }
        Ok(Self {
            description: raw.description,
            retention_days: raw.retention_days,
            partition_keys,
            columns: raw.columns,
            schema,
            sketches: raw.sketches,
        })
    }
}

/// Parses a SQL or Arrow type name.
pub fn parse_type(name: &str) -> std::result::Result<DataType, String> {
    let lower = name.trim().to_ascii_lowercase();
    let ty = match lower.as_str() {
        "string" | "varchar" | "text" | "utf8" => DataType::Utf8,
        "bigint" | "long" | "int64" => DataType::Int64,
        "int" | "integer" | "int32" => DataType::Int32,
        "smallint" | "int16" => DataType::Int16,
        "tinyint" | "int8" => DataType::Int8,
        "double" | "float64" => DataType::Float64,
        "real" | "float" | "float32" => DataType::Float32,
        "boolean" | "bool" => DataType::Boolean,
        "date" => DataType::Date32,
        "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, None),
        "binary" | "varbinary" | "bytes" => DataType::Binary,
        _ if lower.starts_with("decimal(") && lower.ends_with(')') => {
            let inner = &lower["decimal(".len()..lower.len() - 1];
            let (p, s) = inner
                .split_once(',')
                .ok_or_else(|| format!("bad decimal type {name:?}"))?;
            let p: u8 = p
                .trim()
                .parse()
                .map_err(|_| format!("bad decimal precision in {name:?}"))?;
            let s: i8 = s
                .trim()
                .parse()
                .map_err(|_| format!("bad decimal scale in {name:?}"))?;
            if p == 0 || p > 38 {
                return Err(format!("decimal precision in {name:?} must be 1 to 38"));
            }
            DataType::Decimal128(p, s)
        }
        _ => DataType::from_str(name.trim()).map_err(|_| format!("unknown type {name:?}"))?,
    };
    Ok(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_sidecar_parses() {
        let s = Sidecar::parse(
            "t/_table.toml",
            r#"
description = "daily"
retention_days = 30
[partition_keys]
submission_date_s3 = "date"
[columns]
client_id = "the id"
[schema]
z = "string"
a = "bigint"
l = "List(Int64)"
"#,
        )
        .unwrap();
        assert_eq!(s.description.as_deref(), Some("daily"));
        assert_eq!(s.partition_keys["submission_date_s3"], DataType::Date32);
        assert_eq!(s.columns["client_id"], "the id");
        let schema = s.schema.unwrap();
        assert_eq!(schema[0], ("z".to_string(), DataType::Utf8));
        assert_eq!(schema[1].1, DataType::Int64);
        assert!(matches!(schema[2].1, DataType::List(_)));
    }

    #[test]
    fn bad_sidecars_are_named() {
        let err = Sidecar::parse("t/_table.toml", "descripton = 'x'")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t/_table.toml") && err.contains("descripton"),
            "{err}"
        );
        let err = Sidecar::parse("t/_table.toml", "[partition_keys]\nd = 'datum'")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("partition key d") && err.contains("datum"),
            "{err}"
        );
        assert_eq!(
            parse_type("decimal(10, 2)").unwrap(),
            DataType::Decimal128(10, 2)
        );
    }

    #[test]
    fn sketch_columns_are_declared_by_type_name() {
        let s = Sidecar::parse(
            "t/_table.toml",
            "[sketches]\nhll = \"HLL\"\nclients_hll = \"zetasketch\"",
        )
        .unwrap();
        assert_eq!(s.sketches["hll"], "HLL");
        assert_eq!(s.sketches["clients_hll"], "zetasketch");
        let err = Sidecar::parse("t/_table.toml", "[sketches]\nh = 'hll++'")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sketch column h") && err.contains("unknown sketch type"),
            "{err}"
        );
    }
}
