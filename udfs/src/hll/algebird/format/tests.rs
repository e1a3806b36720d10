//! Algebird format tests: hll.md §2.6 expectations, validation, property tests, accuracy.

use proptest::prelude::*;

use super::*;
use crate::hll::testing::hex;

fn sketch(bits: u8, values: &[&str]) -> Hll {
    let mut acc: Option<Hll> = None;
    for v in values {
        let one = Hll::decode(&Hll::of_value(v.as_bytes(), bits).serialize(false)).unwrap();
        match &mut acc {
            None => acc = Some(one),
            Some(a) => a.merge(&one).unwrap(),
        }
    }
    acc.unwrap_or_else(|| Hll::empty_dense(bits))
}

/// hll.md §2.6: mozilla/spark-hyperloglog `HyperLogLog.scala` and `python/tests/test_hll.py`,
/// and vitillo/presto-hyperloglog `TestHyperLogLogQueries.java` (cardinalities only).
#[test]
fn mozilla_expectations() {
    // ids a, b, c, c (and a NULL, skipped) at 12 bits → 3; by os: windows {a, b} → 2,
    // macos {c, c} → 1, linux {NULL} → 0 (hll_merge of nothing).
    assert_eq!(sketch(12, &["a", "b", "c", "c"]).estimate(), 3);
    assert_eq!(sketch(12, &["a", "b"]).estimate(), 2);
    assert_eq!(sketch(12, &["c", "c"]).estimate(), 1);
    assert_eq!(sketch(12, &[]).estimate(), 0);
    // uid_1, uid_2, uid_3, uid_3 → 3; red {uid_1, uid_3} → 2.
    assert_eq!(
        sketch(12, &["uid_1", "uid_2", "uid_3", "uid_3"]).estimate(),
        3
    );
    assert_eq!(sketch(12, &["uid_1", "uid_3"]).estimate(), 2);
    // Presto plugin: 10 bits over foo, bar, foo → 2; US {foo, bar} → 2, IT {foo} → 1; the
    // cast round trip of hll_create('foo', 4) → 1.
    assert_eq!(sketch(10, &["foo", "bar", "foo"]).estimate(), 2);
    assert_eq!(sketch(10, &["foo"]).estimate(), 1);
    let bytes = Hll::of_value(b"foo", 4).serialize(false);
    assert_eq!(Hll::decode(&bytes).unwrap().estimate(), 1);
}

/// hll.md §2.2/§2.4 layouts: `hll_create` is a one-entry sparse sketch `[03][bits][j][rho]`,
/// `hll_merge` output is dense `[02][bits][2^bits]` (4098 bytes at 12 bits).
#[test]
fn layouts() {
    let one = Hll::of_value(b"a", 12).serialize(false);
    assert_eq!(one.len(), 2 + 2 + 1);
    assert_eq!(&one[..2], &[3, 12]);
    let (j, rho) = j_rho(b"a", 12);
    assert_eq!(u32::from(one[2]) | u32::from(one[3]) << 8, j);
    assert_eq!(one[4], rho);
    let dense = sketch(12, &["a", "b"]).serialize(true);
    assert_eq!(dense.len(), 4098);
    assert_eq!(&dense[..2], &[2, 12]);
    assert_eq!(dense[2 + j as usize], rho);
    assert_eq!(
        Hll::empty_dense(12).serialize(true),
        [&[2u8, 12][..], &[0; 4096]].concat()
    );
    // Sparse entries of a 20-bit sketch take 3 index bytes.
    assert_eq!(Hll::of_value(b"a", 20).serialize(false).len(), 2 + 3 + 1);
}

/// j is the first `bits` bits of the big-endian hash read least significant first, rhoW the
/// run of zeros after them plus one.
#[test]
fn register_of_a_hash() {
    let (h1, _) = crate::hll::murmur3::x64_128(b"client", 12_345_678, Tail::SignExtended);
    let (j, rho) = j_rho(b"client", 12);
    let mut want_j = 0u32;
    for x in 0..12 {
        want_j |= (((h1 >> (63 - x)) & 1) as u32) << x;
    }
    assert_eq!(j, want_j);
    assert_eq!(u32::from(rho), (h1 << 12).leading_zeros() + 1);
}

#[test]
fn invalid_sketches_are_refused() {
    assert_eq!(Hll::decode(&[]).unwrap_err(), "empty input");
    assert_eq!(
        Hll::decode(&[4, 12]).unwrap_err(),
        "Unrecognized HLL type: 4"
    );
    assert!(
        Hll::decode(&[2, 12, 0])
            .unwrap_err()
            .contains("4096 registers")
    );
    assert!(Hll::decode(&[2, 30]).unwrap_err().contains("out of range"));
    assert!(
        Hll::decode(&hex("030c 0100"))
            .unwrap_err()
            .contains("truncated")
    );
    assert!(
        Hll::decode(&hex("030c ff1001"))
            .unwrap_err()
            .contains("index")
    );
    assert!(
        Hll::decode(&hex("030c 010001 010002"))
            .unwrap_err()
            .contains("twice")
    );
    assert!(
        Hll::decode(&hex("0304 0190"))
            .unwrap_err()
            .contains("value")
    );
    let mut a = sketch(12, &["a"]);
    let err = a.merge(&sketch(10, &["a"])).unwrap_err();
    assert_eq!(err, "cannot merge HLL sketches of 10 and 12 bits");
}

/// 10^6 distinct strings at 12 bits: within three standard errors (1.04 / √4096).
#[test]
fn accuracy_on_a_million_values() {
    let mut h = Hll::empty_dense(12);
    for v in 0..1_000_000u32 {
        h.merge(&Hll::of_value(v.to_string().as_bytes(), 12))
            .unwrap();
    }
    let est = h.estimate() as f64;
    let err = (est - 1e6).abs() / 1e6;
    assert!(err < 3.0 * 1.04 / 64.0, "estimate {est}, error {err}");
}

fn build(bits: u8, values: &[u32]) -> Hll {
    let mut h = Hll {
        bits,
        repr: Repr::Sparse(Vec::new()),
    };
    for v in values {
        h.merge(&Hll::of_value(&v.to_le_bytes(), bits)).unwrap();
    }
    h
}

fn values() -> impl Strategy<Value = Vec<u32>> {
    prop_oneof![
        proptest::collection::vec(any::<u32>(), 0..20),
        proptest::collection::vec(any::<u32>(), 100..600),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn serialize_deserialize_identity(bits in 4u8..=14, vs in values(), dense in any::<bool>()) {
        let first = build(bits, &vs).serialize(dense);
        prop_assert_eq!(Hll::decode(&first).unwrap().serialize(dense), first);
    }

    #[test]
    fn merge_is_the_sketch_of_the_union_in_any_order(
        bits in 4u8..=12, a in values(), b in values(), c in values()
    ) {
        let mut abc = build(bits, &a);
        abc.merge(&build(bits, &b)).unwrap();
        abc.merge(&build(bits, &c)).unwrap();
        let mut cb = build(bits, &c);
        cb.merge(&build(bits, &b)).unwrap();
        cb.merge(&build(bits, &a)).unwrap();
        let mut all = a.clone();
        all.extend(&b);
        all.extend(&c);
        let union = build(bits, &all).serialize(true);
        prop_assert_eq!(abc.serialize(true), union.clone());
        prop_assert_eq!(cb.serialize(true), union);
    }

    #[test]
    fn sparse_and_dense_agree(bits in 4u8..=14, vs in values()) {
        let mut sparse = build(bits, &vs);
        let est = sparse.estimate();
        let mut dense = Hll::decode(&sparse.serialize(true)).unwrap();
        prop_assert_eq!(dense.estimate(), est);
        prop_assert_eq!(dense.serialize(true), sparse.serialize(true));
    }

    #[test]
    fn one_value_bytes_are_those_of_a_one_value_sketch(bits in 4u8..=24, v in any::<u32>()) {
        let bytes = v.to_string();
        let (buf, n) = Hll::one_value_bytes(bytes.as_bytes(), bits);
        let expected = Hll::of_value(bytes.as_bytes(), bits).serialize(false);
        prop_assert_eq!(&buf[..n], expected.as_slice());
    }

    #[test]
    fn merging_bytes_equals_decoding_then_merging(
        bits in 4u8..=12, a in values(), b in values(), raw in proptest::collection::vec(any::<u8>(), 0..6)
    ) {
        // Every one-value sketch of `b` added as bytes, then arbitrary bytes: the same sketch
        // and the same verdicts as decoding each and merging it.
        let (mut fast, mut slow) = (build(bits, &a), build(bits, &a));
        let mut inputs: Vec<Vec<u8>> = b
            .iter()
            .map(|v| Hll::of_value(v.to_string().as_bytes(), bits).serialize(false))
            .collect();
        inputs.push(raw);
        for input in &inputs {
            let expected = match Hll::decode(input) {
                Ok(other) => slow.merge(&other).map_err(MergeError::Mismatch),
                Err(e) => Err(MergeError::Invalid(e)),
            };
            let got = fast.merge_bytes(input);
            prop_assert_eq!(got.is_ok(), expected.is_ok(), "{:?} vs {:?}", got, expected);
        }
        prop_assert_eq!(fast.serialize(true), slow.serialize(true));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64), tag in 2u8..4) {
        let mut b = b;
        if let Some(first) = b.first_mut() {
            *first = tag;
        }
        let _ = Hll::decode(&b);
    }
}
