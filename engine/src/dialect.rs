//! Rewrites of parsed SQL that make the spellings analysts paste from BigQuery and Presto
//! plan in DataFusion.
//!
//! * Dotted function names (`bits28.days_since_seen(x)`, `HLL_COUNT.INIT(x)`,
//!   `mozfun.bits28.range(…)`) are lower-cased when unquoted, as single-part names already
//!   are, so each function registers one lower-case dotted alias.
//! * JDBC-style `?` placeholders are numbered `$1..$n` in order of appearance: DataFusion
//!   numbers only `$n`, and would treat every `?` as the same parameter.

use std::ops::ControlFlow;

use datafusion::sql::parser::{CopyToSource, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::{Expr, ObjectNamePart, Value, visit_expressions_mut};

/// Applies every rewrite to a parsed statement, in place.
pub fn normalize(statement: &mut DfStatement) {
    match statement {
        DfStatement::Statement(s) => rewrite(s.as_mut()),
        DfStatement::Explain(e) => normalize(e.statement.as_mut()),
        DfStatement::CopyTo(c) => {
            if let CopyToSource::Query(q) = &mut c.source {
                rewrite(q.as_mut());
            }
        }
        DfStatement::CreateExternalTable(_) | DfStatement::Reset(_) => {}
    }
}

fn rewrite<V: datafusion::sql::sqlparser::ast::VisitMut>(node: &mut V) {
    let mut placeholders = 0usize;
    let _ = visit_expressions_mut(node, |e: &mut Expr| {
        if let Expr::Value(v) = e
            && let Value::Placeholder(p) = &mut v.value
            && p == "?"
        {
            placeholders += 1;
            *p = format!("${placeholders}");
        }
        if let Expr::Function(f) = e
            && f.name.0.len() > 1
        {
            for part in &mut f.name.0 {
                if let ObjectNamePart::Identifier(id) = part
                    && id.quote_style.is_none()
                {
                    id.value = id.value.to_lowercase();
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use datafusion::sql::parser::DFParser;

    #[test]
    fn dotted_function_names_are_lower_cased_unless_quoted() {
        let mut s = DFParser::parse_sql("SELECT HLL_COUNT.INIT(x), \"Q\".F(y), Upper(z) FROM t")
            .unwrap()
            .pop_front()
            .unwrap();
        super::normalize(&mut s);
        assert_eq!(
            s.to_string(),
            "SELECT hll_count.init(x), \"Q\".f(y), Upper(z) FROM t"
        );
        let mut s = DFParser::parse_sql("EXPLAIN SELECT Bits28.Range(b, 1, 2) FROM t")
            .unwrap()
            .pop_front()
            .unwrap();
        super::normalize(&mut s);
        assert!(s.to_string().contains("bits28.range(b, 1, 2)"), "{s}");
    }

    #[test]
    fn question_marks_are_numbered_in_order() {
        let mut s = DFParser::parse_sql(
            "SELECT '?' AS q, a FROM t WHERE a = ? AND b IN (?, ?) AND c LIKE ? LIMIT 10",
        )
        .unwrap()
        .pop_front()
        .unwrap();
        super::normalize(&mut s);
        assert_eq!(
            s.to_string(),
            "SELECT '?' AS q, a FROM t WHERE a = $1 AND b IN ($2, $3) AND c LIKE $4 LIMIT 10"
        );
    }
}
