"""Bulk formatting of numeric columns into the contract's text forms.

Money is integer cents everywhere in the generator (sums must match the GL to the
cent), rates are integer millionths of a percent; both become text only here.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_TWO = [f"{i:02d}" for i in range(100)]


def cents(values: np.ndarray) -> list[str]:
    """Integer cents -> '1234.56' strings, always two decimals, sign kept."""
    v = np.asarray(values, dtype=np.int64)
    if v.size and v.min() < 0:
        return [f"-{m}" if s else m for s, m in zip((v < 0).tolist(), cents(np.abs(v)), strict=True)]
    two = _TWO
    return [f"{w}.{two[f]}" for w, f in zip((v // 100).tolist(), (v % 100).tolist(), strict=True)]


def money(c: int) -> str:
    """One amount in cents as text."""
    return cents(np.array([c]))[0]


def rates(values: np.ndarray) -> list[str]:
    """Integer millionths of a percent -> '2.500000' (six decimals)."""
    v = np.asarray(values, dtype=np.int64)
    return [f"{w}.{f:06d}" for w, f in zip((v // 1_000_000).tolist(), (v % 1_000_000).tolist(), strict=True)]


def rate(micro: int) -> str:
    """One rate in millionths of a percent as text."""
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"


def lines_text(lines: Iterable[str]) -> str:
    """Data lines joined as the contract wants: every line ends with a newline."""
    body = "\n".join(lines)
    return body + "\n" if body else ""
