//! tarn-udfs: the SQL functions of tarn, registered on every session.
//!
//! 1. [`all`]: every scalar and aggregate function tarn adds, each defined in its own file.
//! 2. [`register_all`]: registers them on a DataFusion function registry (a `SessionState`).
//!
//! ```
//! # fn demo() -> datafusion::error::Result<()> {
//! use datafusion::execution::session_state::SessionStateBuilder;
//! let mut state = SessionStateBuilder::new().with_default_features().build();
//! tarn_udfs::register_all(&mut state)?;
//! # Ok(()) }
//! ```

pub mod bits28;
pub mod bitwise;
pub mod bytes;
mod columnar;
pub mod hll;
pub mod legacy;
pub mod legacy365;

use std::sync::Arc;

use datafusion::error::Result;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

/// One function tarn adds to SQL.
#[derive(Debug, Clone)]
pub enum Function {
    Scalar(Arc<ScalarUDF>),
    Aggregate(Arc<AggregateUDF>),
}

/// Every function tarn adds, in registration order.
pub fn all() -> Vec<Function> {
    let mut all = Vec::new();
    all.extend(bits28::functions());
    all.extend(bytes::functions());
    all.extend(legacy::functions());
    all.extend(legacy365::functions());
    all.extend(bitwise::functions());
    all.extend(hll::functions());
    all
}

/// The planner of tarn's custom SQL types (such as Presto's `HyperLogLog` in
/// `CAST(x AS HyperLogLog)`), installed on every session.
pub fn type_planner() -> Option<Arc<dyn datafusion::logical_expr::planner::TypePlanner>> {
    Some(hll::type_planner())
}

/// Registers every function of [`all`] on `registry`.
///
/// # Errors
/// When the registry refuses a function.
pub fn register_all(registry: &mut dyn FunctionRegistry) -> Result<()> {
    for f in all() {
        match f {
            Function::Scalar(udf) => {
                registry.register_udf(udf)?;
            }
            Function::Aggregate(udaf) => {
                registry.register_udaf(udaf)?;
            }
        }
    }
    Ok(())
}
