//! Partition pruning: which partitions of a snapshot a query's filters can match.
//!
//! The filters that only reference partition columns are evaluated once, vectorised, over a
//! batch holding one row per distinct partition; a partition is kept when the result is TRUE.
//! Files of the other partitions are never listed into the scan, so never opened.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Fields, Schema};
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::datasource::listing::helpers::expr_applicable_for_cols;
use datafusion::error::Result;
use datafusion::execution::context::ExecutionProps;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_expr::create_physical_expr;

/// Whether `filter` can be decided from partition values alone.
pub fn is_partition_filter(partition_fields: &Fields, filter: &Expr) -> bool {
    if partition_fields.is_empty() {
        return false;
    }
    let names: Vec<&str> = partition_fields.iter().map(|f| f.name().as_str()).collect();
    expr_applicable_for_cols(&names, filter)
}

/// Pushdown support of each filter: partition filters are applied exactly by pruning, the
/// rest inexactly (they reach the Parquet scan for row-group and page pruning).
pub fn pushdown_support(
    partition_fields: &Fields,
    filters: &[&Expr],
) -> Vec<TableProviderFilterPushDown> {
    filters
        .iter()
        .map(|f| {
            if is_partition_filter(partition_fields, f) {
                TableProviderFilterPushDown::Exact
            } else {
                TableProviderFilterPushDown::Inexact
            }
        })
        .collect()
}

/// Returns, for each partition row, whether the partition filters among `filters` can match it.
///
/// # Errors
/// When a filter cannot be planned or evaluated against the partition columns.
pub fn keep_partitions(
    partition_fields: &Fields,
    partitions: &[Vec<ScalarValue>],
    filters: &[Expr],
    props: &ExecutionProps,
) -> Result<Vec<bool>> {
    let applicable: Vec<Expr> = filters
        .iter()
        .filter(|f| is_partition_filter(partition_fields, f))
        .map(|f| strip_qualifiers(f.clone()))
        .collect::<Result<_>>()?;
    let Some(predicate) = conjunction(applicable) else {
        return Ok(vec![true; partitions.len()]);
    };
    if partitions.is_empty() {
        return Ok(vec![]);
    }
    let schema = Arc::new(Schema::new(partition_fields.clone()));
    let columns: Vec<ArrayRef> = (0..partition_fields.len())
        .map(|c| ScalarValue::iter_to_array(partitions.iter().map(|row| row[c].clone())))
        .collect::<Result<_>>()?;
    let batch = RecordBatch::try_new_with_options(
        Arc::clone(&schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(partitions.len())),
    )?;
    let df_schema = DFSchema::try_from(schema)?;
    let physical = create_physical_expr(
        &predicate,
        &df_schema,
        props,
        &PhysicalPlanningContext::default(),
    )?;
    let result = physical.evaluate(&batch)?.into_array(partitions.len())?;
    let mask = result.as_boolean_opt().ok_or_else(|| {
        datafusion::error::DataFusionError::Internal("partition filter is not boolean".into())
    })?;
    Ok((0..partitions.len())
        .map(|i| mask.is_valid(i) && mask.value(i))
        .collect())
}

/// Filters arrive qualified with the table's name; the partition batch is unqualified.
fn strip_qualifiers(expr: Expr) -> Result<Expr> {
    use datafusion::common::tree_node::{Transformed, TreeNode};
    expr.transform(|e| {
        Ok(match e {
            Expr::Column(c) if c.relation.is_some() => Transformed::yes(Expr::Column(
                datafusion::common::Column::new_unqualified(c.name),
            )),
            other => Transformed::no(other),
        })
    })
    .map(|t| t.data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{DataType, Field};
    use datafusion::logical_expr::{col, lit};

    fn fields() -> Fields {
        vec![
            Field::new("d", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]
        .into()
    }

    fn rows() -> Vec<Vec<ScalarValue>> {
        vec![
            vec![ScalarValue::from("a"), ScalarValue::Int64(Some(1))],
            vec![ScalarValue::from("b"), ScalarValue::Int64(Some(2))],
            vec![ScalarValue::Utf8(None), ScalarValue::Int64(Some(3))],
        ]
    }

    #[test]
    fn partition_filters_select_rows() {
        let props = ExecutionProps::new();
        let keep = keep_partitions(&fields(), &rows(), &[col("n").gt(lit(1i64))], &props).unwrap();
        assert_eq!(keep, vec![false, true, true]);
        let keep = keep_partitions(&fields(), &rows(), &[col("d").eq(lit("a"))], &props).unwrap();
        assert_eq!(
            keep,
            vec![true, false, false],
            "NULL partitions never match equality"
        );
        let keep = keep_partitions(&fields(), &rows(), &[col("d").is_null()], &props).unwrap();
        assert_eq!(keep, vec![false, false, true]);
    }

    #[test]
    fn other_filters_do_not_prune() {
        let props = ExecutionProps::new();
        let keep = keep_partitions(&fields(), &rows(), &[col("x").eq(lit(1))], &props).unwrap();
        assert_eq!(keep, vec![true, true, true]);
        assert!(!is_partition_filter(&fields(), &col("x").eq(lit(1))));
        assert!(is_partition_filter(&fields(), &col("d").eq(lit("a"))));
    }
}
