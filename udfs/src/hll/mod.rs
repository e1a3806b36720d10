//! HyperLogLog sketches in the three stored formats of tarn's world (reference: hll.md).
//!
//! 1. [`airlift`]: Presto/Trino `HyperLogLog` (`approx_set`, `empty_approx_set`,
//!    `approx_distinct(x, e)`).
//! 2. [`zetasketch`]: BigQuery `HLL_COUNT.*` (`hll_count_init`, `hll_count_merge`,
//!    `hll_count_merge_partial`, `hll_count_extract`).
//! 3. [`algebird`]: Mozilla's legacy Spark/Presto plugin (`hll_create`, `hll_merge`,
//!    `hll_cardinality`).
//! 4. [`merge`](mod@merge) and [`cardinality`](mod@cardinality): Presto's shared names, for
//!    whichever family the argument is declared to hold ([`Family`]); `cardinality` still
//!    counts list and map elements.
//! 5. [`types`]: the SQL types `HyperLogLog`, `P4HyperLogLog`, `HLL` and `ZetaSketch` for
//!    `CAST(x AS …)`.
//!
//! A sketch's family is never guessed from its bytes: it comes from the function, the
//! column's declared type or a cast (see [`family`]).

mod aggregate;
pub mod airlift;
pub mod algebird;
pub mod cardinality;
pub mod family;
mod input;
pub mod merge;
mod murmur3;
#[cfg(test)]
mod testing;
pub mod types;
pub mod zetasketch;

pub use family::{Family, sketch_metadata};

use datafusion::logical_expr::DocSection;

use crate::Function;

/// The functions of this module, in registration order.
pub fn functions() -> Vec<Function> {
    vec![
        Function::Aggregate(airlift::approx_set::udaf()),
        Function::Scalar(airlift::empty_approx_set::udf()),
        Function::Aggregate(airlift::approx_distinct::udaf()),
        Function::Aggregate(merge::udaf()),
        Function::Scalar(cardinality::udf()),
        Function::Aggregate(zetasketch::hll_count_init::udaf()),
        Function::Aggregate(zetasketch::hll_count_merge::udaf()),
        Function::Aggregate(zetasketch::hll_count_merge_partial::udaf()),
        Function::Scalar(zetasketch::hll_count_extract::udf()),
        Function::Scalar(algebird::hll_create::udf()),
        Function::Aggregate(algebird::hll_merge::udaf()),
        Function::Scalar(algebird::hll_cardinality::udf()),
    ]
}

/// The planner of the sketch types (`CAST(x AS HyperLogLog)`, `HLL`, …).
pub fn type_planner() -> std::sync::Arc<dyn datafusion::logical_expr::planner::TypePlanner> {
    types::planner()
}

pub(crate) const SECTION_PRESTO: DocSection = DocSection {
    include: true,
    label: "HyperLogLog: Presto/Trino",
    description: Some(
        "Presto/Trino's HyperLogLog sketches (Airlift bytes, types HyperLogLog and \
         P4HyperLogLog), readable by Trino.",
    ),
};

pub(crate) const SECTION_BIGQUERY: DocSection = DocSection {
    include: true,
    label: "HyperLogLog: BigQuery HLL_COUNT",
    description: Some(
        "BigQuery's HLL_COUNT functions over ZetaSketch HLL++ sketches, byte-compatible with \
         BigQuery; also callable as HLL_COUNT.INIT(...) etc.",
    ),
};

pub(crate) const SECTION_MOZILLA: DocSection = DocSection {
    include: true,
    label: "HyperLogLog: Mozilla legacy (Algebird)",
    description: Some(
        "Mozilla's spark-hyperloglog functions over Twitter Algebird sketches, as stored in \
         client_count_daily.hll (the Presto plugin type HLL).",
    ),
};

pub(crate) const SECTION_SHARED: DocSection = DocSection {
    include: true,
    label: "HyperLogLog: shared names",
    description: Some(
        "Presto's merge and cardinality, for whichever sketch format the argument is declared \
         to hold (HyperLogLog, P4HyperLogLog, HLL or ZetaSketch).",
    ),
};
