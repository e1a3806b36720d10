//! BigQuery's bit functions that DataFusion lacks, with BigQuery's meaning.

pub mod bit_count;

use datafusion::logical_expr::DocSection;

use crate::Function;

/// The functions of this module, in registration order.
pub fn functions() -> Vec<Function> {
    vec![Function::Scalar(bit_count::udf())]
}

pub(crate) const SECTION: DocSection = DocSection {
    include: true,
    label: "Usage-history bits: BigQuery bit functions",
    description: Some(
        "BigQuery's bit functions, as the usage-history metric definitions use them.",
    ),
};
