//! The bit window read by `bits28.range` and `bits28.active_in_range` (and through them
//! `bits28.retention` and `udf.active_values_from_days_seen_map`): BigQuery's argument checks,
//! in its order and with its messages, then `bits << (63 + start_offset) >>logical (64 - n_bits)`.

use arrow::array::{Array, Int64Array};
use datafusion::common::{Result, exec_err};

/// A validated window over the 64 bits of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// The result is 0 whatever the bits (`n_bits <= 0`).
    Zero,
    /// `(bits << left) >> right`, logical, with `left <= 63` and `1 <= right <= 63`, or
    /// `right == 0` when the window is the whole word.
    Shift { left: u32, right: u32 },
}

impl Window {
    /// The window's bits, right-aligned.
    #[inline]
    pub(crate) fn read(self, bits: i64) -> i64 {
        match self {
            Self::Zero => 0,
            Self::Shift { left, right } => (((bits as u64) << left) >> right) as i64,
        }
    }
}

/// Who is asking: `function` prefixes the message, `call` is the name BigQuery's message
/// shows (`bits28_range` or `bits28_active_in_range`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) function: &'a str,
    pub(crate) call: &'a str,
}

fn text(v: Option<i64>) -> String {
    v.map_or_else(|| "NULL".to_string(), |v| v.to_string())
}

/// Checks the arguments as BigQuery does (even when `bits` is NULL), then returns the window,
/// or `None` when `start_offset` or `n_bits` is NULL (the result is then NULL).
///
/// # Errors
/// * `start_offset > 0`, and `n_bits > 1 - start_offset`, with BigQuery's messages;
/// * `start_offset < -63` (BigQuery: negative shift count) and integer overflow.
pub(crate) fn window(
    who: Caller<'_>,
    bits: Option<i64>,
    start_offset: Option<i64>,
    n_bits: Option<i64>,
) -> Result<Option<Window>> {
    let Caller { function, call } = who;
    let call_text = || {
        format!(
            "{call}({}, {}, {})",
            text(bits),
            text(start_offset),
            text(n_bits)
        )
    };
    if let Some(s) = start_offset
        && s > 0
    {
        return exec_err!(
            "{function}: start_offset must be <= 0 but was {s} in call {}",
            call_text()
        );
    }
    if let (Some(s), Some(n)) = (start_offset, n_bits) {
        let Some(end) = 1i64.checked_sub(s) else {
            return exec_err!("{function}: int64 overflow: 1 - {s}");
        };
        if n > end {
            return exec_err!(
                "{function}: Reading {n} bits from starting_offset {s} exceeds end of bit pattern in call {}",
                call_text()
            );
        }
    }
    let (Some(s), Some(n)) = (start_offset, n_bits) else {
        return Ok(None);
    };
    if s < -63 {
        return exec_err!(
            "{function}: start_offset must be >= -63 but was {s}: it would shift by a negative count"
        );
    }
    let Some(right) = 64i64.checked_sub(n) else {
        return exec_err!("{function}: int64 overflow: 64 - {n}");
    };
    if right >= 64 {
        return Ok(Some(Window::Zero));
    }
    // s in -63..=0 and n <= 1 - s <= 64, so both counts are in 0..=63.
    Ok(Some(Window::Shift {
        left: (63 + s) as u32,
        right: right as u32,
    }))
}

/// The window of every row of a non-empty `bits` column when `start_offset` and `n_bits`
/// are literals: checked once, the message naming the first row as BigQuery would.
///
/// # Errors
/// As [`window`].
pub(crate) fn constant_window(
    who: Caller<'_>,
    bits: &Int64Array,
    start_offset: Option<i64>,
    n_bits: Option<i64>,
) -> Result<Option<Window>> {
    let first = (!bits.is_empty() && bits.is_valid(0)).then(|| bits.value(0));
    window(who, first, start_offset, n_bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHO: Caller<'static> = Caller {
        function: "bits28_range",
        call: "bits28_range",
    };

    fn range(bits: i64, s: i64, n: i64) -> Result<i64> {
        Ok(window(WHO, Some(bits), Some(s), Some(n))?.map_or(-999, |w| w.read(bits)))
    }

    fn message(bits: Option<i64>, s: Option<i64>, n: Option<i64>) -> String {
        window(WHO, bits, s, n)
            .map(|_| String::new())
            .unwrap_or_else(|e| e.strip_backtrace())
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.1 `bits28.range`, tests (4).
        assert_eq!(range(1 << 10, -13, 7).unwrap(), 1 << 3);
        assert_eq!(range(1 << 10, -6, 7).unwrap(), 0);
        assert_eq!(range(1, 0, 1).unwrap(), 1);
        assert_eq!(range(0, 0, 1).unwrap(), 0);
    }

    #[test]
    fn derived_edges() {
        assert_eq!(range(0xFFFF, -3, 0).unwrap(), 0);
        assert_eq!(range(0xFFFF, -3, -1).unwrap(), 0);
        assert_eq!(range(0xFFFF, -3, i64::MIN + 65).unwrap(), 0);
        assert_eq!(range(-1, -63, 64).unwrap(), -1);
        assert_eq!(range(i64::MIN, -63, 1).unwrap(), 1);
        assert_eq!(range(1 << 40, -40, 1).unwrap(), 1);
        assert!(range(1, -64, 1).is_err());
        assert!(range(1, 1, 1).is_err());
        assert!(range(1, -1, 3).is_err());
        assert!(range(1, i64::MIN, 1).is_err());
        assert!(range(1, -3, i64::MIN).is_err());
        assert_eq!(
            window(WHO, None, Some(-1), Some(1))
                .unwrap()
                .unwrap()
                .read(0),
            0
        );
        assert_eq!(window(WHO, Some(1), None, Some(1)).unwrap(), None);
    }

    #[test]
    fn messages_are_bigquerys() {
        assert_eq!(
            message(None, Some(1), Some(1)),
            "Execution error: bits28_range: start_offset must be <= 0 but was 1 in call bits28_range(NULL, 1, 1)"
        );
        assert_eq!(
            message(Some(5), Some(-1), Some(3)),
            "Execution error: bits28_range: Reading 3 bits from starting_offset -1 exceeds end of bit pattern in call bits28_range(5, -1, 3)"
        );
        // A NULL comparison does not fire.
        assert_eq!(message(Some(5), None, Some(99)), "");
        assert_eq!(message(Some(5), Some(-1), None), "");
    }
}
