//! Which of the three stored formats a sketch column holds, carried as Arrow field metadata.
//!
//! A family is never guessed from a sketch's bytes (the tag bytes of the formats collide, hll.md
//! §2.5). It comes from the function that wrote the sketch (its return field carries the
//! extension name below), from the column's declared type (Parquet keeps field metadata; a
//! table sidecar can declare it), or from a Presto-style cast such as `CAST(h AS HyperLogLog)`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, plan_err};

/// The Arrow field metadata key holding an extension type name.
pub const EXTENSION_KEY: &str = "ARROW:extension:name";

/// A sketch format (and, for Airlift, whether the Presto type is the always-dense one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Presto/Trino `HyperLogLog`: Airlift bytes, sparse or dense.
    Airlift,
    /// Presto/Trino `P4HyperLogLog`: Airlift bytes, always written dense.
    AirliftP4,
    /// Mozilla's Spark/Presto plugin type `HLL`: Twitter Algebird bytes.
    Algebird,
    /// BigQuery `HLL_COUNT` sketches: ZetaSketch `AggregatorStateProto` bytes.
    ZetaSketch,
}

impl Family {
    /// Every family, in documentation order.
    pub const ALL: [Family; 4] = [
        Family::Airlift,
        Family::AirliftP4,
        Family::Algebird,
        Family::ZetaSketch,
    ];

    /// The SQL type name (`CAST(x AS <name>)`, sidecar `[sketches]` values).
    pub fn type_name(self) -> &'static str {
        match self {
            Family::Airlift => "HyperLogLog",
            Family::AirliftP4 => "P4HyperLogLog",
            Family::Algebird => "HLL",
            Family::ZetaSketch => "ZetaSketch",
        }
    }

    /// The Arrow extension type name stored in field metadata.
    pub fn extension_name(self) -> &'static str {
        match self {
            Family::Airlift => "tarn.hll.airlift",
            Family::AirliftP4 => "tarn.hll.airlift_p4",
            Family::Algebird => "tarn.hll.algebird",
            Family::ZetaSketch => "tarn.hll.zetasketch",
        }
    }

    /// What the format is, for messages.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Family::Airlift => "a Presto/Trino HyperLogLog (Airlift) sketch",
            Family::AirliftP4 => "a Presto/Trino P4HyperLogLog (Airlift) sketch",
            Family::Algebird => "a Mozilla HLL (Algebird) sketch",
            Family::ZetaSketch => "a BigQuery HLL_COUNT (ZetaSketch) sketch",
        }
    }

    /// The family of a SQL type name, case-insensitively.
    pub fn from_type_name(name: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| f.type_name().eq_ignore_ascii_case(name))
    }

    /// The family an Arrow field declares, if any.
    pub fn of_field(field: &Field) -> Option<Family> {
        let name = field.metadata().get(EXTENSION_KEY)?;
        Family::ALL.into_iter().find(|f| f.extension_name() == name)
    }

    /// The field metadata that declares this family.
    pub fn metadata(self) -> HashMap<String, String> {
        HashMap::from([(EXTENSION_KEY.to_string(), self.extension_name().to_string())])
    }

    /// A nullable `Binary` field named `name` declaring this family.
    pub(crate) fn field(self, name: &str) -> FieldRef {
        Arc::new(Field::new(name, DataType::Binary, true).with_metadata(self.metadata()))
    }

    /// Whether the two families store the same bytes (the two Airlift types do).
    pub(crate) fn same_format(self, other: Family) -> bool {
        self.format() == other.format()
    }

    fn format(self) -> u8 {
        match self {
            Family::Airlift | Family::AirliftP4 => 0,
            Family::Algebird => 1,
            Family::ZetaSketch => 2,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

/// Field metadata declaring the family whose SQL type name is `type_name` (`HyperLogLog`,
/// `P4HyperLogLog`, `HLL` or `ZetaSketch`, any case): what a table sidecar's `[sketches]` entry
/// sets on its column.
///
/// # Errors
/// An unknown type name, listing the known ones.
pub fn sketch_metadata(type_name: &str) -> std::result::Result<HashMap<String, String>, String> {
    match Family::from_type_name(type_name.trim()) {
        Some(f) => Ok(f.metadata()),
        None => Err(format!(
            "unknown sketch type {type_name:?}; expected one of {}",
            Family::ALL
                .iter()
                .map(|f| f.type_name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether `t` can hold sketches (the three Arrow binary types).
pub(crate) fn is_binary(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
    )
}

/// Checks the sketch argument of a family-specific function (`hll_count_*`, `hll_merge`,
/// `hll_cardinality`): a binary value that is untyped or declared as `family`.
pub(crate) fn check_sketch_arg(function: &str, field: &Field, family: Family) -> Result<()> {
    if !is_binary(field.data_type()) && field.data_type() != &DataType::Null {
        return plan_err!(
            "{function}: the sketch must be a binary value, got {}",
            field.data_type()
        );
    }
    match Family::of_field(field) {
        Some(declared) if !declared.same_format(family) => plan_err!(
            "{function}: {} holds {}, not {}",
            display_name(field),
            declared.description(),
            family.description()
        ),
        _ => Ok(()),
    }
}

/// The family of the sketch argument of a function shared by the families (`merge`,
/// `cardinality`): it must be declared.
pub(crate) fn declared_family(function: &str, field: &Field) -> Result<Family> {
    if let Some(f) = Family::of_field(field) {
        return Ok(f);
    }
    plan_err!(
        "{function}: cannot tell which sketch format {} holds, and formats are never guessed \
         from bytes; cast it (CAST(x AS HyperLogLog) for Presto/Trino sketches, CAST(x AS HLL) \
         for Mozilla's Algebird sketches, CAST(x AS ZetaSketch) for BigQuery sketches) or \
         declare the column in the table sidecar's [sketches] section",
        display_name(field)
    )
}

/// The argument as messages name it: its column name, or "the argument" for expressions.
fn display_name(field: &Field) -> String {
    let name = field.name();
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    if plain {
        format!("{name:?}")
    } else {
        "the argument".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Family::ALL {
            assert_eq!(
                Family::from_type_name(&f.type_name().to_uppercase()),
                Some(f)
            );
            let field = Field::new("h", DataType::Binary, true).with_metadata(f.metadata());
            assert_eq!(Family::of_field(&field), Some(f));
        }
        assert!(sketch_metadata("hyperloglog").is_ok());
        assert!(
            sketch_metadata("hll++")
                .unwrap_err()
                .contains("HyperLogLog, P4HyperLogLog")
        );
    }

    #[test]
    fn shared_functions_need_a_declared_family() {
        let plain = Field::new("hll", DataType::Binary, true);
        let err = declared_family("merge", &plain).unwrap_err().to_string();
        assert!(
            err.contains("merge: cannot tell") && err.contains("\"hll\""),
            "{err}"
        );
        let airlift =
            Field::new("h", DataType::BinaryView, true).with_metadata(Family::Airlift.metadata());
        let err = check_sketch_arg("hll_merge", &airlift, Family::Algebird)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a Mozilla HLL"), "{err}");
        assert!(check_sketch_arg("merge", &airlift, Family::AirliftP4).is_ok());
    }
}
