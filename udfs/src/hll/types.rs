//! The SQL types of the sketch families, for `CAST(x AS HyperLogLog)`: `HyperLogLog`,
//! `P4HyperLogLog`, `HLL` (Mozilla's plugin type) and `ZetaSketch` (BigQuery sketches), any
//! case. Each is `Binary` with the family's extension name in the field metadata, which
//! DataFusion carries from the cast into the expression's field; the functions read it there.
//! The bytes are unchanged by the cast; every function that reads a sketch validates it.

use std::sync::Arc;

use arrow::datatypes::FieldRef;
use datafusion::common::Result;
use datafusion::logical_expr::planner::TypePlanner;
use datafusion::sql::sqlparser::ast;

use super::family::Family;

/// Plans the sketch type names.
#[derive(Debug, Default)]
pub struct SketchTypePlanner;

impl TypePlanner for SketchTypePlanner {
    fn plan_type_field(&self, sql_type: &ast::DataType) -> Result<Option<FieldRef>> {
        let ast::DataType::Custom(name, modifiers) = sql_type else {
            return Ok(None);
        };
        let [ast::ObjectNamePart::Identifier(id)] = name.0.as_slice() else {
            return Ok(None);
        };
        if !modifiers.is_empty() {
            return Ok(None);
        }
        Ok(Family::from_type_name(&id.value).map(|f| f.field("")))
    }
}

/// The planner to install on a session.
pub fn planner() -> Arc<dyn TypePlanner> {
    Arc::new(SketchTypePlanner)
}
