//! The catalogue of tarn's SQL functions: every function of `tarn_udfs::all()` is documented,
//! has its `.slt` contract named after it (anywhere under `tests/slt/`), and answers to names
//! no other function uses.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tarn_udfs::{Function, all};

/// The canonical name, the other names and the documentation of a function.
fn describe(
    f: &Function,
) -> (
    String,
    Vec<String>,
    Option<datafusion::logical_expr::Documentation>,
) {
    match f {
        Function::Scalar(u) => (
            u.name().to_string(),
            u.aliases().to_vec(),
            u.documentation().cloned(),
        ),
        Function::Aggregate(u) => (
            u.name().to_string(),
            u.aliases().to_vec(),
            u.documentation().cloned(),
        ),
    }
}

fn slt_stems(dir: &Path, out: &mut HashSet<String>) {
    for entry in std::fs::read_dir(dir).expect("tests/slt is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            slt_stems(&path, out);
        } else if path.extension().is_some_and(|e| e == "slt")
            && let Some(stem) = path.file_stem()
        {
            out.insert(stem.to_string_lossy().into_owned());
        }
    }
}

#[test]
fn every_function_is_documented_and_has_an_slt_file() {
    let mut stems = HashSet::new();
    slt_stems(
        &Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
            .join("../tests/slt"),
        &mut stems,
    );
    let mut problems = Vec::new();
    for f in all() {
        let (name, _, doc) = describe(&f);
        match doc {
            None => problems.push(format!("{name}: no documentation()")),
            Some(d) if d.description.trim().is_empty() || d.syntax_example.trim().is_empty() => {
                problems.push(format!("{name}: empty description or syntax"));
            }
            Some(_) => {}
        }
        if !stems.contains(&name) {
            problems.push(format!("{name}: no tests/slt/**/{name}.slt"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn names_are_unique_across_functions() {
    let mut owner: HashMap<String, String> = HashMap::new();
    let mut clashes = Vec::new();
    for f in all() {
        let (name, aliases, _) = describe(&f);
        for n in std::iter::once(name.clone()).chain(aliases) {
            if let Some(other) = owner.insert(n.clone(), name.clone()) {
                clashes.push(format!("{n}: {other} and {name}"));
            }
        }
    }
    assert!(clashes.is_empty(), "{clashes:#?}");
}

#[test]
fn usage_history_functions_answer_to_their_bigquery_spellings() {
    let names: HashSet<String> = all()
        .iter()
        .flat_map(|f| {
            let (name, aliases, _) = describe(f);
            std::iter::once(name).chain(aliases)
        })
        .collect();
    for n in [
        "bits28_days_since_seen",
        "bits28.days_since_seen",
        "mozfun.bits28.days_since_seen",
        "udf.bits28_days_since_seen",
        "bytes.extract_bits",
        "mozfun.bytes.extract_bits",
        "udf.shift_28_bits_one_day",
        "udf_shift_28_bits_one_day",
        "udf_shift_bits_one_day",
        "udf_bitpos",
        "udf.bitpos",
        "udf_bits_to_last_seen_int",
        "mozfun.bitmask.bitmask_365",
        "bit_count",
    ] {
        assert!(names.contains(n), "{n} is not registered");
    }
}
