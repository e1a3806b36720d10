//! Merging the schemas of a table's files into the table's schema.
//!
//! Rules, as lakes evolve in practice (Spark's `mergeSchema`, Trino's Hive connector):
//! * a column missing from some files is nullable and reads as NULL there;
//! * integers widen within their family (`int32` + `int64` → `int64`; an unsigned type fits into a
//!   wider signed one), floats widen to `double`, decimals widen to hold both;
//! * `string`/`large_string` and `binary`/`large_binary` merge to the large form;
//! * struct fields merge by name (fields added over time read as NULL where absent); lists and
//!   maps merge their element types;
//! * anything else is a conflict, reported with the column and two files that disagree.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema};

/// A disagreement between two files on one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The column, dotted for nested fields (`payload.info.reason`).
    pub column: String,
    pub first_file: String,
    pub first_type: String,
    pub second_file: String,
    pub second_type: String,
}

/// Accumulates file schemas, remembering which file introduced each top-level column.
#[derive(Debug, Default)]
pub struct SchemaMerger {
    fields: Vec<Field>,
    index: HashMap<String, usize>,
    origin: Vec<String>,
    files: usize,
}

impl SchemaMerger {
    /// Adds one file's schema.
    ///
    /// # Errors
    /// A [`Conflict`] naming the column and the two files.
    pub fn add(&mut self, file: &str, schema: &Schema) -> Result<(), Box<Conflict>> {
        let first_file = self.files == 0;
        self.files += 1;
        // Columns present so far but absent here become nullable.
        if !first_file {
            for (i, f) in self.fields.iter_mut().enumerate() {
                if schema.field_with_name(f.name()).is_err() && !f.is_nullable() {
                    *f = f.clone().with_nullable(true);
                    let _ = i;
                }
            }
        }
        for field in schema.fields() {
            match self.index.get(field.name()) {
                None => {
                    let f = if first_file {
                        field.as_ref().clone()
                    } else {
                        field.as_ref().clone().with_nullable(true)
                    };
                    self.index.insert(field.name().clone(), self.fields.len());
                    self.fields.push(f);
                    self.origin.push(file.to_string());
                }
                Some(&i) => {
                    let merged =
                        merge_field(&self.fields[i], field, field.name()).map_err(|column| {
                            let (a, b) = conflicting_types(&self.fields[i], field, &column);
                            Box::new(Conflict {
                                column,
                                first_file: self.origin[i].clone(),
                                first_type: a,
                                second_file: file.to_string(),
                                second_type: b,
                            })
                        })?;
                    self.fields[i] = merged;
                }
            }
        }
        Ok(())
    }

    /// The merged schema.
    pub fn finish(self) -> Schema {
        Schema::new(self.fields)
    }
}

/// Merges two fields of the same name; `Err` carries the dotted path of the conflict.
fn merge_field(a: &Field, b: &Field, path: &str) -> Result<Field, String> {
    let ty = merge_type(a.data_type(), b.data_type(), path)?;
    let mut metadata = a.metadata().clone();
    for (k, v) in b.metadata() {
        metadata.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Ok(Field::new(a.name(), ty, a.is_nullable() || b.is_nullable()).with_metadata(metadata))
}

fn merge_type(a: &DataType, b: &DataType, path: &str) -> Result<DataType, String> {
    use DataType::*;
    if a == b {
        return Ok(a.clone());
    }
    let conflict = || Err(path.to_string());
    Ok(match (a, b) {
        (Null, t) | (t, Null) => t.clone(),
        (x, y) if int_rank(x).is_some() && int_rank(y).is_some() => {
            return widen_int(x, y).map_or_else(conflict, Ok);
        }
        (Float16 | Float32 | Float64, Float16 | Float32 | Float64) => {
            if matches!(a, Float64) || matches!(b, Float64) {
                Float64
            } else {
                Float32
            }
        }
        (Decimal128(p1, s1), Decimal128(p2, s2)) => {
            let s = (*s1).max(*s2);
            let int_digits = (*p1 as i16 - *s1 as i16).max(*p2 as i16 - *s2 as i16);
            let p = int_digits + s as i16;
            if p > 38 {
                return conflict();
            }
            Decimal128(p as u8, s)
        }
        (Utf8 | LargeUtf8 | Utf8View, Utf8 | LargeUtf8 | Utf8View) => {
            if matches!(a, Utf8View) || matches!(b, Utf8View) {
                Utf8View
            } else {
                LargeUtf8
            }
        }
        (Binary | LargeBinary | BinaryView, Binary | LargeBinary | BinaryView) => {
            if matches!(a, BinaryView) || matches!(b, BinaryView) {
                BinaryView
            } else {
                LargeBinary
            }
        }
        (Struct(fa), Struct(fb)) => Struct(merge_struct(fa, fb, path)?),
        (List(ea), List(eb)) => List(merge_child(ea, eb, path)?),
        (LargeList(ea) | List(ea), LargeList(eb) | List(eb)) => {
            LargeList(merge_child(ea, eb, path)?)
        }
        (Map(ea, sa), Map(eb, sb)) if sa == sb => Map(merge_child(ea, eb, path)?, *sa),
        _ => return conflict(),
    })
}

fn merge_child(a: &FieldRef, b: &FieldRef, path: &str) -> Result<FieldRef, String> {
    Ok(Arc::new(merge_field(a, b, path)?))
}

fn merge_struct(a: &Fields, b: &Fields, path: &str) -> Result<Fields, String> {
    let mut out: Vec<Field> = Vec::with_capacity(a.len().max(b.len()));
    for fa in a {
        match b.find(fa.name()) {
            Some((_, fb)) => out.push(merge_field(fa, fb, &format!("{path}.{}", fa.name()))?),
            None => out.push(fa.as_ref().clone().with_nullable(true)),
        }
    }
    for fb in b {
        if a.find(fb.name()).is_none() {
            out.push(fb.as_ref().clone().with_nullable(true));
        }
    }
    Ok(out.into())
}

/// (signed, bits) of an integer type.
fn int_rank(t: &DataType) -> Option<(bool, u8)> {
    use DataType::*;
    Some(match t {
        Int8 => (true, 8),
        Int16 => (true, 16),
        Int32 => (true, 32),
        Int64 => (true, 64),
        UInt8 => (false, 8),
        UInt16 => (false, 16),
        UInt32 => (false, 32),
        UInt64 => (false, 64),
        _ => return None,
    })
}

fn widen_int(a: &DataType, b: &DataType) -> Option<DataType> {
    use DataType::*;
    let (sa, ba) = int_rank(a)?;
    let (sb, bb) = int_rank(b)?;
    let (signed, bits) = match (sa, sb) {
        (true, true) | (false, false) => (sa, ba.max(bb)),
        // One unsigned: the signed result needs one more bit than the unsigned width.
        (true, false) => (true, ba.max(bb.checked_mul(2)?)),
        (false, true) => (true, bb.max(ba.checked_mul(2)?)),
    };
    Some(match (signed, bits) {
        (true, 8) => Int8,
        (true, 16) => Int16,
        (true, 32) => Int32,
        (true, 64) => Int64,
        (false, 8) => UInt8,
        (false, 16) => UInt16,
        (false, 32) => UInt32,
        (false, 64) => UInt64,
        _ => return None,
    })
}

/// The two types found at the dotted `path` below `a` and `b`, for the message.
fn conflicting_types(a: &Field, b: &Field, path: &str) -> (String, String) {
    fn find(f: &Field, parts: &[&str]) -> String {
        match (parts, f.data_type()) {
            ([], t) => t.to_string(),
            ([next, rest @ ..], DataType::Struct(fields)) => match fields.find(next) {
                Some((_, child)) => find(child, rest),
                None => f.data_type().to_string(),
            },
            (
                [_, ..],
                DataType::List(child) | DataType::LargeList(child) | DataType::Map(child, _),
            ) => find(child, parts),
            _ => f.data_type().to_string(),
        }
    }
    let parts: Vec<&str> = path.split('.').skip(1).collect();
    (find(a, &parts), find(b, &parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    fn schema(fields: Vec<Field>) -> Schema {
        Schema::new(fields)
    }

    #[test]
    fn added_columns_and_widening() {
        let mut m = SchemaMerger::default();
        m.add(
            "a.parquet",
            &schema(vec![
                Field::new("x", Int32, false),
                Field::new("s", Utf8, true),
            ]),
        )
        .unwrap();
        m.add(
            "b.parquet",
            &schema(vec![
                Field::new("x", Int64, false),
                Field::new("y", Float32, false),
            ]),
        )
        .unwrap();
        let s = m.finish();
        assert_eq!(s.field(0), &Field::new("x", Int64, false));
        assert_eq!(s.field(1), &Field::new("s", Utf8, true));
        assert_eq!(s.field(2), &Field::new("y", Float32, true));
    }

    #[test]
    fn struct_fields_merge_by_name() {
        let v1 = Struct(vec![Field::new("a", Int32, true)].into());
        let v2 = Struct(vec![Field::new("a", Int64, true), Field::new("b", Utf8, true)].into());
        let mut m = SchemaMerger::default();
        m.add("1", &schema(vec![Field::new("p", v1, true)]))
            .unwrap();
        m.add("2", &schema(vec![Field::new("p", v2.clone(), true)]))
            .unwrap();
        assert_eq!(m.finish().field(0).data_type(), &v2);
    }

    #[test]
    fn conflicts_name_column_and_files() {
        let mut m = SchemaMerger::default();
        m.add("old.parquet", &schema(vec![Field::new("x", Int64, true)]))
            .unwrap();
        let c = m
            .add("new.parquet", &schema(vec![Field::new("x", Utf8, true)]))
            .unwrap_err();
        assert_eq!(c.column, "x");
        assert_eq!(
            (c.first_file.as_str(), c.second_file.as_str()),
            ("old.parquet", "new.parquet")
        );
        assert_eq!(
            (c.first_type.as_str(), c.second_type.as_str()),
            ("Int64", "Utf8")
        );

        let s1 = Struct(vec![Field::new("r", Boolean, true)].into());
        let s2 = Struct(vec![Field::new("r", Date32, true)].into());
        let mut m = SchemaMerger::default();
        m.add("1", &schema(vec![Field::new("p", s1, true)]))
            .unwrap();
        let c = m
            .add("2", &schema(vec![Field::new("p", s2, true)]))
            .unwrap_err();
        assert_eq!(c.column, "p.r");
        assert_eq!(
            (c.first_type.as_str(), c.second_type.as_str()),
            ("Boolean", "Date32")
        );
    }

    #[test]
    fn numeric_rules() {
        assert_eq!(widen_int(&UInt32, &Int32), Some(Int64));
        assert_eq!(widen_int(&UInt64, &Int64), None);
        assert_eq!(
            merge_type(&Decimal128(10, 2), &Decimal128(12, 4), "d"),
            Ok(Decimal128(12, 4))
        );
        assert_eq!(merge_type(&Float32, &Float64, "f"), Ok(Float64));
        assert_eq!(merge_type(&Int64, &Float64, "f"), Err("f".to_string()));
    }
}
