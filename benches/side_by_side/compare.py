"""Comparing the answers of two engines: rows sorted, numbers within a relative tolerance,
everything else exactly."""

import math
from typing import Any

Row = list[Any]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if _number(value):
        # Rounded so that engines whose floats differ in the last digits sort alike.
        return (1, float(f"{value:.6g}")) if math.isfinite(value) else (1, value)
    return (2, str(value))


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if _number(a) and _number(b):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return bool(a == b or abs(a - b) <= tolerance * max(abs(a), abs(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, tolerance) for x, y in zip(a, b))
    return bool(a == b)


def sorted_rows(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: [_sort_key(v) for v in row])


def difference(expected: list[Row], actual: list[Row], tolerance: float) -> str | None:
    """None when the answers agree, else a short description of the first difference."""
    if len(expected) != len(actual):
        return f"{len(actual)} rows instead of {len(expected)}"
    for index, (e, a) in enumerate(zip(sorted_rows(expected), sorted_rows(actual))):
        if len(e) != len(a) or not all(_same(x, y, tolerance) for x, y in zip(e, a)):
            return f"row {index}: {a} instead of {e}"
    return None
