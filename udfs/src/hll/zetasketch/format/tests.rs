//! ZetaSketch building: the vectors of hll.md §3.3–§3.5 and property tests against the
//! `zetasketch` crate as an oracle. The BigQuery corpus is replayed in `zetasketch/tests.rs`.

use proptest::prelude::*;
use zetasketch::{HyperLogLogPlusPlus, ValueKind};

use super::*;
use crate::hll::testing::{hex, to_hex};

fn build_strings(p: u8, values: &[&str]) -> Vec<u8> {
    let mut b = Builder::new(p, sparse_precision(p), VALUE_TYPE_BYTES);
    for v in values {
        b.add_hash(fingerprint2011(v.as_bytes()));
    }
    b.serialize()
}

/// hll.md §3.3: zetasketch-java `HashTest.java` (Guava Fingerprint2011).
#[test]
fn fingerprint_vectors() {
    assert_eq!(fingerprint2011(b""), 0x23ad_7c90_4aa6_65e3);
    assert_eq!(fingerprint2011(b"foobar"), 0x36a1_e57a_138e_4467);
    assert_eq!(fingerprint2011(&0i32.to_le_bytes()), 0x1f6e_43ff_4b52_70ee);
    assert_eq!(fingerprint2011(&42i32.to_le_bytes()), 0x5cbd_ed94_3bff_ddd3);
    assert_eq!(
        fingerprint2011(&(-15i32).to_le_bytes()),
        0xfd5a_96b7_6694_22c1
    );
    assert_eq!(fingerprint2011(&0i64.to_le_bytes()), 0x853a_22bd_6e14_a48f);
    assert_eq!(fingerprint2011(&42i64.to_le_bytes()), 0x583b_2b9d_f8e0_eb60);
    assert_eq!(
        fingerprint2011(&(-15i64).to_le_bytes()),
        0x5394_14f2_87f1_1e37
    );
    assert_eq!(fingerprint2011(b"foo"), 0xd0bc_bfe2_61b3_6504);
    assert_eq!(
        fingerprint2011("Z\u{fc}rich".as_bytes()),
        0x27ef_c00f_7d2c_e548
    );
    assert_eq!(
        fingerprint2011("Zu\u{308}rich".as_bytes()),
        0x7dfa_3067_e55c_7e8a
    );
    // hll.md §3.5: the ZetaSQL documentation's customer ids.
    assert_eq!(fingerprint2011(b"customer_id_1"), 0xed8d_eb7f_a01a_1b09);
    assert_eq!(fingerprint2011(b"customer_id_2"), 0xe4f3_af7d_353b_73e0);
    assert_eq!(fingerprint2011(b"customer_id_3"), 0xe105_042e_2401_229c);
}

/// hll.md §3.5: the customer ids' sparse values at p10/sp15 and p15/sp20.
#[test]
fn customer_id_sparse_values() {
    let ids = [b"customer_id_1", b"customer_id_2", b"customer_id_3"];
    let want = [(30406, 973022), (29305, 937786), (28802, 921680)];
    for (id, (a, b)) in ids.iter().zip(want) {
        let h = fingerprint2011(*id);
        assert_eq!(Sparse::new(10, 15).encode(h), a);
        assert_eq!(Sparse::new(15, 20).encode(h), b);
    }
}

/// hll.md §3.5: zetasketch-java `EncodingSparseTest` `encode_*` (p, sp, hash → value).
#[test]
fn sparse_encoding_vectors() {
    let cases: [(u8, u8, u64, u32); 7] = [
        (4, 7, 0b1_0110_0101 << 55, 89),
        (4, 30, 0b1_0110_0101 << 55, 748_683_264),
        (24, 26, 0b101 << 61, 1_744_830_503),
        (1, 5, 1 << 63, 252),
        (4, 7, 0b1_0110_0001 << 55, 1730),
        (2, 9, 0b1100_0000_0001 << 52, 707),
        (3, 3, 0b1_0111 << 59, 833),
    ];
    for (p, sp, hash, want) in cases {
        assert_eq!(Sparse::new(p, sp).encode(hash), want, "p={p} sp={sp}");
    }
}

/// hll.md §3.5: zetasketch-java `DifferenceEncoderTest`: 42, 170, 2903 → varints of 42, 128,
/// 2733.
#[test]
fn difference_encoding_vector() {
    let mut want = Vec::new();
    for d in [42u64, 128, 2733] {
        put_varint(&mut want, d);
    }
    assert_eq!(encode_sparse(&[42, 170, 2903]), want);
    assert_eq!(
        decode_sparse(&want, Sparse::new(10, 15)).unwrap(),
        vec![42, 170, 2903]
    );
}

/// hll.md §3.5 Z1–Z3: `HLL_COUNT.INIT(customer_id, 10)` per country in the ZetaSQL docs.
#[test]
fn zetasql_documentation_sketches() {
    assert_eq!(
        to_hex(&build_strings(10, &["customer_id_1", "customer_id_2"])),
        "087010021802200b82070d1002180a200f3205f9e401cd08"
    );
    assert_eq!(
        to_hex(&build_strings(10, &["customer_id_2", "customer_id_2"])),
        "087010021802200b82070b1001180a200f3203f9e401"
    );
    assert_eq!(
        to_hex(&build_strings(10, &["customer_id_3"])),
        "087010011802200b82070b1001180a200f320382e101"
    );
}

/// hll.md §3.5: zetasketch-java `HyperLogLogPlusPlusTest` `lowestPrecision_basicOps_*`: the
/// long 42 at p = 4 without and with (sp = 4) a sparse form.
#[test]
fn lowest_precision_vectors() {
    let mut b = Builder::new(4, 0, VALUE_TYPE_LONG);
    b.add_hash(fingerprint2011(&42i64.to_le_bytes()));
    assert_eq!(
        to_hex(&b.serialize()),
        "087010011802200882071418042a1000000000000100000000000000000000"
    );
    let mut b = Builder::new(4, 4, VALUE_TYPE_LONG);
    b.add_hash(fingerprint2011(&42i64.to_le_bytes()));
    assert_eq!(
        to_hex(&b.serialize()),
        "087010011802200882070a1001180420043202c10a"
    );
}

/// Builder states read back identically, and garbage never panics.
#[test]
fn decode_round_trip_and_refusals() {
    let bytes = build_strings(10, &["a", "b", "c"]);
    let mut back = Builder::decode(&bytes).unwrap();
    assert_eq!(back.serialize(), bytes);
    assert!(Builder::decode(&hex("0870")).is_err());
    assert!(Builder::decode(&[0xff; 3]).is_err());
}

/// 10^6 distinct values at p = 15: within three standard errors (1.04 / √32768 each).
#[test]
fn accuracy_on_a_million_values() {
    let mut b = Builder::new(15, 20, VALUE_TYPE_LONG);
    for v in 0..1_000_000i64 {
        b.add_hash(fingerprint2011(&v.to_le_bytes()));
    }
    let est = HyperLogLogPlusPlus::from_bytes(&b.serialize())
        .unwrap()
        .cardinality() as f64;
    let err = (est - 1e6).abs() / 1e6;
    assert!(
        err < 3.0 * 1.04 / (32768f64).sqrt(),
        "estimate {est}, error {err}"
    );
}

fn oracle(p: u8, sp: u8, values: &[i64]) -> Vec<u8> {
    let mut s = HyperLogLogPlusPlus::new(i32::from(p), i32::from(sp), ValueKind::Long).unwrap();
    for v in values {
        s.add_long(*v).unwrap();
    }
    s.serialize()
}

fn built(p: u8, sp: u8, values: &[i64]) -> Builder {
    let mut b = Builder::new(p, sp, VALUE_TYPE_LONG);
    for v in values {
        b.add_hash(fingerprint2011(&v.to_le_bytes()));
    }
    b
}

fn values() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        proptest::collection::vec(any::<i64>(), 0..50),
        proptest::collection::vec(any::<i64>(), 100..2500),
        proptest::collection::vec(0i64..100, 0..300),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The builder writes what Java ZetaSketch (the crate's port) writes for the same values.
    #[test]
    fn matches_the_reference_implementation(p in 10u8..=16, vs in values()) {
        let sp = sparse_precision(p);
        prop_assert_eq!(built(p, sp, &vs).serialize(), oracle(p, sp, &vs));
    }

    #[test]
    fn serialize_deserialize_identity(p in 10u8..=16, vs in values()) {
        let first = built(p, sparse_precision(p), &vs).serialize();
        prop_assert_eq!(Builder::decode(&first).unwrap().serialize(), first);
    }

    #[test]
    fn merge_is_the_sketch_of_the_union_in_any_order(
        p in 10u8..=14, a in values(), b in values(), c in values()
    ) {
        let sp = sparse_precision(p);
        let state = |v: &[i64]| Builder::decode(&built(p, sp, v).serialize()).unwrap();
        let mut abc = state(&a);
        abc.merge(&state(&b)).unwrap();
        abc.merge(&state(&c)).unwrap();
        let mut cba = state(&c);
        let mut ba = state(&b);
        ba.merge(&state(&a)).unwrap();
        cba.merge(&ba).unwrap();
        let mut all = a.clone();
        all.extend(&b);
        all.extend(&c);
        let union = built(p, sp, &all).serialize();
        prop_assert_eq!(abc.serialize(), union.clone());
        prop_assert_eq!(cba.serialize(), union);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = Builder::decode(&b);
    }
}
