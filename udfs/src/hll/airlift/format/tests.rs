//! Airlift format tests: every vector of hll.md §1.5, Trino's and Velox's decode vectors,
//! property tests and accuracy.

use proptest::prelude::*;

use super::*;
use crate::hll::murmur3::{hash64, hash64_long};
use crate::hll::testing::{b64, hex, to_hex};

/// A dense sketch built by inserting straight into the dense form (Airlift's `DenseHll`).
fn dense(p: u8, values: &[i64]) -> Hll {
    let mut h = Hll::new(p);
    h.make_dense();
    for v in values {
        h.insert_hash(hash64_long(*v));
    }
    h
}

/// `030c00` + 2048 zero delta bytes + `0000`, with some delta bytes changed.
fn p12_dense_bytes(deltas: &[(usize, u8)], overflow: &str) -> Vec<u8> {
    let mut b = vec![3, 12, 0];
    b.extend(std::iter::repeat_n(0u8, 2048));
    for (i, v) in deltas {
        b[3 + i] = *v;
    }
    b.extend(hex(overflow));
    b
}

/// hll.md §1.5 A1, A2 (airlift `TestSparseSerialization`).
#[test]
fn sparse_serialization_vectors() {
    assert_eq!(to_hex(&Hll::new(12).serialize(false)), "020c0000");
    let mut h = Hll::new(12);
    h.insert_hash(hash64(&[0x40]));
    assert_eq!(to_hex(&h.serialize(false)), "020c010042342021");
    assert_eq!(sparse_entry(hash64(&[0x40])), 0x2120_3442);
}

/// hll.md §1.5 A3–A9 (airlift `TestDenseSerialization`).
#[test]
fn dense_serialization_vectors() {
    // A3: empty, 2053 bytes.
    let a3 = dense(12, &[]).serialize(true);
    assert_eq!(a3.len(), 2053);
    assert_eq!(a3, p12_dense_bytes(&[], "0000"));
    // A4: {0}: bucket 653, value 1, low nibble of delta byte 326 (file offset 329).
    let a4 = dense(12, &[0]).serialize(true);
    assert_eq!(a4, p12_dense_bytes(&[(326, 0x01)], "0000"));
    assert_eq!(a4[329], 1);
    // A5: {61697}: bucket 2706, value 17 = delta 15 + overflow 2.
    let a5 = dense(12, &[61697]).serialize(true);
    assert_eq!(a5.len(), 2056);
    assert_eq!(a5, p12_dense_bytes(&[(1353, 0xf0)], "0100920a02"));
    // A6: {61697, 394873}, either order.
    let want = p12_dense_bytes(&[(1353, 0xf0), (2024, 0xf0)], "0200920ad00f0204");
    assert_eq!(want.len(), 2059);
    assert_eq!(dense(12, &[61697, 394873]).serialize(true), want);
    assert_eq!(dense(12, &[394873, 61697]).serialize(true), want);
    // A7–A9: p = 4 over 0..99, then 37227 before or after.
    let upto: Vec<i64> = (0..100).collect();
    assert_eq!(
        to_hex(&dense(4, &upto).serialize(true)),
        "03040245230131220504010000"
    );
    let mut after = upto.clone();
    after.push(37227);
    assert_eq!(
        to_hex(&dense(4, &after).serialize(true)),
        "03040245230131220504f101000e0005"
    );
    let mut before = vec![37227];
    before.extend(&upto);
    assert_eq!(
        to_hex(&dense(4, &before).serialize(true)),
        "03040245230131220504f101000e0005"
    );
}

/// hll.md §1.5: `testMergeWithOverflows` (bytes from the real code): DenseHll(4)
/// {37227, 93351} equals the merge of the two singletons; cardinality 2.
#[test]
fn merge_with_overflows_vector() {
    let want = "030400000000f0000000f0020006000e000307";
    let mut direct = dense(4, &[37227, 93351]);
    assert_eq!(to_hex(&direct.serialize(true)), want);
    let mut merged = dense(4, &[37227]);
    merged.merge(&dense(4, &[93351])).unwrap();
    assert_eq!(to_hex(&merged.serialize(true)), want);
    assert_eq!(merged.cardinality(), 2);
    // And reading the bytes back gives the same sketch.
    let mut read = Hll::decode(&hex(want)).unwrap();
    assert_eq!(to_hex(&read.serialize(true)), want);
}

/// hll.md §1.5 A10–A12: DENSE_V1 (read only).
#[test]
fn dense_v1_vectors() {
    let a10 = hex("01040a 0000000000000000 ffff00");
    let h = Hll::decode(&a10).unwrap();
    assert_eq!(h.repr, Repr::Dense(vec![10; 16]));
    let a11 = Hll::decode(&hex("010402 0f00000000000000 010000")).unwrap();
    let mut want = vec![2u8; 16];
    want[1] = 17;
    assert_eq!(a11.repr, Repr::Dense(want.clone()));
    let a12 = Hll::decode(&hex("010402 0f00000000000000 010003")).unwrap();
    want[1] = 20;
    assert_eq!(a12.repr, Repr::Dense(want));
}

/// hll.md §1.5: Velox `DenseHllTest.cpp` `canDeserialize`: one real p = 12 sketch (2053
/// bytes, sha256 4ffc9095…e510, checked when this constant was written) whose Airlift
/// cardinality is 18281 and which re-serializes identically.
#[test]
fn velox_valid_dense_sketch() {
    let bytes = b64(VELOX_VALID);
    assert_eq!(bytes.len(), 2053);
    let mut h = Hll::decode(&bytes).unwrap();
    assert_eq!(h.cardinality(), 18281);
    assert_eq!(h.serialize(true), bytes);
}

/// hll.md §1.5: the five strings Velox's `canDeserialize` must refuse (they pass only the tag
/// check), and Trino's `TestHyperLogLogOperators` `X'00'` and `X'deadbeef'`.
#[test]
fn invalid_sketches_are_refused() {
    let velox = [
        "AxIRESUhEzNBFCQWYxEjIzI1ISURNidCMlViIjOSNyATBhYSIiJDUyMBIlcSMDUiEUEiESM1ITckQkQTMSMhMyQx",
        "Aw==",
        "AyAAABEQAgAlAgAQAQAlMgAhQQABAwAAERAAAAEQACA=",
        "AwDuUjGFaQ==",
        "AwkLD8BYTA9BXyg=",
    ];
    for s in velox {
        assert!(Hll::decode(&b64(s)).is_err(), "{s}");
    }
    assert_eq!(
        Hll::decode(&[0]).unwrap_err(),
        "Sparse v1 encoding no longer supported"
    );
    assert!(
        Hll::decode(&hex("deadbeef"))
            .unwrap_err()
            .contains("unknown format tag")
    );
    assert_eq!(Hll::decode(&[]).unwrap_err(), "empty input");
    // Trailing bytes, unsorted entries, impossible values.
    assert_eq!(
        Hll::decode(&hex("020c000000")).unwrap_err(),
        "input is too big"
    );
    assert!(
        Hll::decode(&hex("020c0200 40000000 00000000"))
            .unwrap_err()
            .contains("sorted")
    );
    assert!(
        Hll::decode(&hex("020c0100 3f000000"))
            .unwrap_err()
            .contains("impossible")
    );
    let mut big = dense(4, &[]).serialize(true);
    big[2] = 62;
    assert!(Hll::decode(&big).unwrap_err().contains("out of range"));
}

/// hll.md §1.4: merging sketches of different precision is refused (Trino refuses it for
/// dense sketches; for two sparse ones it would silently keep the left precision).
#[test]
fn different_precisions_do_not_merge() {
    let mut a = Hll::new(11);
    a.insert_hash(hash64_long(1));
    let mut b = Hll::new(12);
    b.insert_hash(hash64_long(1));
    let err = a.merge(&b).unwrap_err();
    assert!(err.contains("2048 and 4096"), "{err}");
}

/// hll.md §1.4: promotion after 511 distinct prefixes at p = 12 and 251 at p = 11, as
/// Airlift promotes on the 512th / 252nd insert with compressed oops.
#[test]
fn promotion_point() {
    assert_eq!(max_sparse_entries(12), 511);
    assert_eq!(max_sparse_entries(11), 251);
    assert_eq!(max_sparse_entries(4), 1);
    assert_eq!(max_sparse_entries(16), 8191);
    for (p, n) in [(12u8, 511i64), (11, 251)] {
        let mut h = Hll::new(p);
        for v in 0..n {
            h.insert_hash(hash64_long(v));
        }
        assert_eq!(h.serialize(false)[0], 2, "sparse at {n} values, p = {p}");
        h.insert_hash(hash64_long(n));
        assert_eq!(
            h.serialize(false)[0],
            3,
            "dense at {} values, p = {p}",
            n + 1
        );
    }
}

/// hll.md §1.5: Velox `DenseHllTest.cpp` `basic`: XxHash64 of the 4-byte little-endian int
/// `i % 17`, i = 0..999, inserted dense; expected `cardinality()` per precision (the
/// dense estimator with Airlift's bias tables). `SparseHllTest.cpp`: the same hashes kept
/// sparse give 17, and the hashes of 0..999 give 1000.
#[test]
fn velox_cardinality_vectors() {
    let xx = |i: i32| twox_hash::XxHash64::oneshot(0, &i.to_le_bytes());
    for p in 4..=16u8 {
        let mut h = Hll::new(p);
        h.make_dense();
        for i in 0..1000 {
            h.insert_hash(xx(i % 17));
        }
        let want = match p {
            4 | 5 => 13,
            6 => 15,
            7 => 16,
            _ => 17,
        };
        assert_eq!(h.cardinality(), want, "p = {p}");
        let mut back = Hll::decode(&h.serialize(true)).unwrap();
        assert_eq!(back.cardinality(), want, "p = {p}, read back");
    }
    let mut entries: Vec<u32> = (0..1000).map(|i| sparse_entry(xx(i % 17))).collect();
    compact(&mut entries);
    assert_eq!(estimate::sparse(entries.len()), 17);
    let mut entries: Vec<u32> = (0..1000).map(|i| sparse_entry(xx(i))).collect();
    compact(&mut entries);
    assert_eq!(estimate::sparse(entries.len()), 1000);
}

/// 10^6 distinct values at p = 12: within three standard errors (1.04 / √4096 each).
#[test]
fn accuracy_on_a_million_values() {
    let mut h = Hll::new(12);
    for v in 0..1_000_000i64 {
        h.insert_hash(hash64_long(v));
    }
    let est = h.cardinality() as f64;
    let err = (est - 1e6).abs() / 1e6;
    assert!(err < 3.0 * 1.04 / 64.0, "estimate {est}, error {err}");
}

fn build(p: u8, hashes: &[u64]) -> Hll {
    let mut h = Hll::new(p);
    for x in hashes {
        h.insert_hash(*x);
    }
    h
}

fn bytes(mut h: Hll) -> Vec<u8> {
    h.serialize(false)
}

fn merged(p: u8, parts: &[&[u64]]) -> Vec<u8> {
    let mut acc = Hll::new(p);
    for part in parts {
        let mut piece = Hll::decode(&bytes(build(p, part))).unwrap();
        piece.settle();
        acc.merge(&piece).unwrap();
    }
    bytes(acc)
}

fn hashes() -> impl Strategy<Value = Vec<u64>> {
    // Mostly few values (sparse), sometimes many (dense); some repeats.
    prop_oneof![
        proptest::collection::vec(any::<u64>(), 0..40),
        proptest::collection::vec(any::<u64>(), 200..1200),
        proptest::collection::vec(0u64..64, 0..200),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn serialize_deserialize_identity(p in 4u8..=16, hs in hashes(), dense in any::<bool>()) {
        let mut h = build(p, &hs);
        let first = h.serialize(dense);
        let mut back = Hll::decode(&first).unwrap();
        prop_assert_eq!(back.serialize(dense), first);
    }

    #[test]
    fn merge_is_commutative_and_associative(
        p in 4u8..=14, a in hashes(), b in hashes(), c in hashes()
    ) {
        prop_assert_eq!(merged(p, &[&a, &b]), merged(p, &[&b, &a]));
        let ab_c = {
            let mut ab = Hll::decode(&merged(p, &[&a, &b])).unwrap();
            ab.merge(&Hll::decode(&bytes(build(p, &c))).unwrap()).unwrap();
            bytes(ab)
        };
        let a_bc = {
            let mut a1 = Hll::decode(&bytes(build(p, &a))).unwrap();
            a1.merge(&Hll::decode(&merged(p, &[&b, &c])).unwrap()).unwrap();
            bytes(a1)
        };
        prop_assert_eq!(ab_c, a_bc);
    }

    #[test]
    fn merge_of_sketches_is_sketch_of_union(p in 4u8..=14, a in hashes(), b in hashes()) {
        let mut all = a.clone();
        all.extend(&b);
        prop_assert_eq!(merged(p, &[&a, &b]), bytes(build(p, &all)));
    }

    #[test]
    fn sparse_to_dense_equals_direct_dense(p in 4u8..=16, hs in hashes()) {
        let mut sparse = Hll::new(p);
        for x in &hs {
            sparse.insert_hash(*x);
        }
        let mut direct = Hll::new(p);
        direct.make_dense();
        for x in &hs {
            direct.insert_hash(*x);
        }
        prop_assert_eq!(sparse.serialize(true), direct.serialize(true));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64), tag in 0u8..4) {
        let mut b = b;
        if let Some(first) = b.first_mut() {
            *first = tag;
        }
        let _ = Hll::decode(&b);
    }
}

const VELOX_VALID: &str = "AwwAQSVCQ4QUNDJkIzMjaSQmaVUxRSVDQ1FaIiJEYkNxNTEzWBQ0M0IhQSRDQ0RkYkRXMSJjM0MSJWMkQlNUNCJHVIVUM1QzQTVEUyE0ExMyV0NYQSR0NFaSFXI1IzKEJkMjEydDUzOVAjJFIkSTUREzM2MjEkg2U7MjIiIkRyJhMzMyMiFEQ1IyIlMyZFMkIyBzNSRGUUMiLMMTQzNDUiEmM0JxY1IjRFRUNlJjJFY0UxMjMWQkNSFRVBQlM1IzNFIiVDIiMhJiMSQVIjQpMjdWJnM0QzKCIRMjNFQnkyRkRjZFVCYjJScVZnM1QzMSYkMXIyIzQTUzMzQjNSRBVkITMEmAM1JiRAMyUzUXU0RDNkMSJBNSNCIiFCVkQxNDQiEkZFdGE5JEUio1VDRzJTJnMkQ0VDM1UTcFQTQSeCJDNCIiNiljJiMUNSdHSkEiNSMjJpJDIlUxElJiVXRCSDU1ERgQM7MyJDUiQmMUUVFSUhIjATJUJCWGYVUkc0NTISMUd4NUNTQzRiMjU0MzUjEkIzIyhRMkEQEnMiNFJGRSUjE2JVNUJTJEN0MiY2IiJGBXQ1QlUCZCcyIyJTQyRENhIzMjSEJEtnYiMjAjQzNEUyUiNJlDQ2gyImMzRDNWJRMhIVFHJUdkNjYSZDE1VlJAQ0IyNRJCMzVSQXFycjJTRlMVhjVDIxOhIiYWUTZmJSRDJFRjJEQ0gCMzYlN1dDVYIpMwMWdERkVzQxIlcjMiZkEEFCEiNCJnMhFjJiMkUmIqNCNSA1MyZiI2NCRkRkJzM1UiFBM1MzVFEoeDNGBhOTMTZEQiUVQiUjQiN0oldrMSRDEzcjNiI1K2REQlIUMiRUF1MzRmJDNDVTUSM3UFQkI1UyYiQRMxdoIlIjZUM1RSckYmMnMjNhc0RCQkFTMoMjISNyJCQSIlclUUU0IVUVQyNCAjNBUjUyIzRFFEBEMlJjEyM1IlRZIjJEUkZiZCFiNEQjU0FVIRMzNEMyIjQxIzMiIzJDM1lkQSMWYSFBMmQTZkQiYSZRhhNiQiMDcxImIzZWclJaRCCBcyYUVRVVRRZlERNBETQiIyRVBRNTMzVCQyJDVTUjJDUyJQI6iAYlMlNDISETVCZiIyZyRDIkREFEMmJEU4JDQkM0F1RSM4MyQjJSMUIjNHMkJCNBNTNiVJJTQVIjFzFhQTcyRTNERCJEU0MiRlYkIjMkO0YiISKFIyExVjYmE0QxWCMRU0NDJTUylDZCNUE0VAUSEWMjISNDU1VzUkMzM1MiQhYzhxNEQTlENHY0MSckRHEmNiFyNjY1QyAkNDM0JCI3JRIzRlEhREZTJhZkUldVI1YzJ2MzIkUzRRQTNDKUNDI1OIESUjUlNQMmNSUzZCM0FDJrMjEiFVSmMkM0VCYzMiQyYjYhBSM0RTYyISQnEzWjNCNIRkg0Q1M4EnNGYzMkoSVEU1MjJWQSRDVXVCMjMjMiIyUyM2NTN0chNSNUMkNHJzITImUjNIRDYTQ0Mi6UZyNUMYIzNGMDcWYkRUN2EzElMyEyMiEzESQjNUIxYzYhMkdjYVMhRCGEEiJDIkF0RCNTUlQiUUITgjUxWSNBRSJjNFYzJEM0UzRoY0IzM0KkJGIjUyITVUQqQzJDUqFDIzIiYxRjMidEVkJUFyc0Q0I3k2MWIyMkZnNiMRVRIjY1MyNEMxIsMmRYEkJnI1MyNCEjNlFyVDUyckVUU3WTMjdFMkFCRDRCIXNFMyElZUExEkMzIiURQiJRQkJGNDM0YUI0ExFRJiRWQVAiJTpENHZERDMyE3OFIkgiRTUlFGQxZCGFUkVDU0QjMiMSMUF1EiKmRDUVZlFUMVR1MjRVUyYxVSQzJDVTImRDJBUjEzUjMTYTUjFkUUIyEiMiYSE5STI0QTNURGIyNkMTNBVFMiMzU0UkNHY0QyJCcxJBZVRlIRIVJWgyUUdVMzQ1UWQ1KDUgJjIyMENDQgBUQiAiRGIzVSUjRmExJDMYRCYRMxJHKSkTIjEzJRA6NDdDUjZzEiMkBCUlM0IlFBZGIiRDMxJlRyQxNkJSJBQiIzIyczIzOTJhQkMjNyRCQ1MiIiOFMSNyVTJlJkE1UkMzUURmJWEYJzMyNDNAIiQDZTITJEImFiIUJEggIUMzE0k2FDVSczRRJEQTM2QSEUFHM2MSVDKEMkZAYUVhJGOERCV2EiYjJTUxRCoxI4NChBRnNSIiNFU4MhIjRoNSM0UkISYiMhIwgXRBQldUglUyVFQyEwVBIhOjNjMRNDd0hoUiJUoyJDMiJTNVQlMSMTpRkzNCNTJlMiNUEkMlYjRGJ4KUszNRISQTIBImIyFCIEFlQVc0MSIiI1JjRjNhI0YkUkRVI0UxVGSRFDgzIkUxRiNgElMiNLJaMyBGc0MzIQRFUyNEMyQnVxNUMSM1U0EzJTNENDdJMRUyMVEyNDFDSUQVRjNVIyE0RTRnMkJkYwEnJyEnUCFDMxRhUiVEMTIwUmNiFENTMyRRdFMjQRIohiJDM2KDMjM2NUNCZlIkJUMzNCMhQjMxEnREESZFUDZ0M0MTJRMkImQxYjcyQ0IjcoIxYyIzonc2JDRCUlA1JEFGJkRHVHMzI2IjUmRTMVJCMyUnJSUzNFQ1QiRjFEMTNmIUckMzRFVBIjU0UzIxI0JTI4JCM0FVYnlkNDFRJEJUQlEiI0ImNCJUIiaGFDYkQ2QSQxdFUjQnVHIzMmghQlNSZUIiRRQ0MAAA==";
