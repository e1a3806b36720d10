//! Airlift's `cardinality()` (hll.md §1.4), with its own empirical bias tables.

use super::bias::{BIAS, RAW_ESTIMATES};

/// Buckets of the virtual sketch a sparse sketch counts over (2^26 prefixes).
const SPARSE_BUCKETS: f64 = (1u64 << 26) as f64;

/// Java's `Math.round(double)`: ties go up.
pub(crate) fn java_round(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

/// Linear counting: `buckets · ln(buckets / zeros)`.
fn linear_counting(zeros: f64, buckets: f64) -> f64 {
    buckets * (buckets / zeros).ln()
}

/// A sparse sketch of `entries` distinct prefixes: linear counting over the 2^26 prefixes.
pub(crate) fn sparse(entries: usize) -> i64 {
    java_round(linear_counting(
        SPARSE_BUCKETS - entries as f64,
        SPARSE_BUCKETS,
    ))
}

/// Airlift's α for `p` index bits.
pub(crate) fn alpha(p: u8) -> f64 {
    match p {
        4 => 0.673,
        5 => 0.697,
        6 => 0.709,
        _ => 0.7213 / (1.0 + 1.079 / f64::from(1u32 << p)),
    }
}

/// A dense sketch: linear counting while more than 40% of the buckets are empty, otherwise the
/// raw HyperLogLog estimate minus Airlift's interpolated bias, rounded as Java does.
pub(crate) fn dense(p: u8, values: &[u8]) -> i64 {
    let m = values.len();
    let zeros = values.iter().filter(|v| **v == 0).count();
    if zeros > 0 && zeros as f64 > 0.4 * m as f64 {
        return java_round(linear_counting(zeros as f64, m as f64));
    }
    // Summed in bucket order, as Airlift does, so the result is bit for bit the same.
    let mut sum = 0.0f64;
    for &v in values {
        sum += 1.0 / (1u64 << v.min(63)) as f64;
    }
    let raw = alpha(p) * m as f64 * m as f64 / sum;
    java_round(raw - bias(p, raw))
}

/// The bias of a raw estimate: exact at a table point, linearly interpolated between two,
/// none outside the table.
fn bias(p: u8, raw: f64) -> f64 {
    let i = usize::from(p.saturating_sub(4));
    let (Some(xs), Some(ys)) = (RAW_ESTIMATES.get(i), BIAS.get(i)) else {
        return 0.0;
    };
    let (Some(first), Some(last)) = (xs.first(), xs.last()) else {
        return 0.0;
    };
    if raw < *first || raw > *last {
        return 0.0;
    }
    // Java's binary search: the index of an equal value, or where `raw` would go.
    let (mut low, mut high) = (0isize, xs.len() as isize - 1);
    while low <= high {
        let mid = ((low + high) as usize) >> 1;
        let v = xs[mid];
        if raw > v {
            low = mid as isize + 1;
        } else if raw < v {
            high = mid as isize - 1;
        } else {
            return ys.get(mid).copied().unwrap_or(0.0);
        }
    }
    let at = low as usize;
    let before = at.checked_sub(1).unwrap_or(usize::MAX);
    match (xs.get(before), ys.get(before), xs.get(at), ys.get(at)) {
        (Some(x0), Some(y0), Some(x1), Some(y1)) => (raw - x0) * (y1 - y0) / (x1 - x0) + y0,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_well_formed() {
        let lens = [
            80, 160, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
        ];
        for (i, n) in lens.iter().enumerate() {
            assert_eq!(RAW_ESTIMATES[i].len(), *n, "raw estimates, p = {}", i + 4);
            assert_eq!(BIAS[i].len(), *n, "bias, p = {}", i + 4);
            assert!(
                RAW_ESTIMATES[i].windows(2).all(|w| w[0] < w[1]),
                "raw estimates ascend, p = {}",
                i + 4
            );
        }
    }

    #[test]
    fn bias_is_exact_at_table_points_and_interpolated_between() {
        let (xs, ys) = (RAW_ESTIMATES[8], BIAS[8]);
        assert_eq!(bias(12, xs[10]), ys[10]);
        let mid = (xs[10] + xs[11]) / 2.0;
        let want = (mid - xs[10]) * (ys[11] - ys[10]) / (xs[11] - xs[10]) + ys[10];
        assert_eq!(bias(12, mid), want);
        assert_eq!(bias(12, xs[0] - 1.0), 0.0);
        assert_eq!(bias(12, xs[199] + 1.0), 0.0);
    }

    #[test]
    fn java_rounding() {
        assert_eq!(java_round(2.5), 3);
        assert_eq!(java_round(-2.5), -2);
        assert_eq!(java_round(1.4999), 1);
    }
}
