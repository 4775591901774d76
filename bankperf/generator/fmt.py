"""Bulk formatting of numeric columns into the contract's text forms.

Money is integer cents everywhere in the generator (sums must match the GL to the
cent), rates are integer millionths of a percent; both become text only here.
"""

from __future__ import annotations

import numpy as np

_TWO = [f"{i:02d}" for i in range(100)]


def cents(values: np.ndarray) -> list[str]:
    """Integer cents -> '1234.56' strings, always two decimals, sign kept."""
    v = np.asarray(values, dtype=np.int64)
    if v.size and v.min() < 0:
        return [f"-{m}" if s else m for s, m in zip((v < 0).tolist(), cents(np.abs(v)), strict=True)]
    two = _TWO
    return [f"{w}.{two[f]}" for w, f in zip((v // 100).tolist(), (v % 100).tolist(), strict=True)]


def rates(values: np.ndarray) -> list[str]:
    """Integer millionths of a percent -> '2.500000' (six decimals).

    A book holds few distinct rates, so each is formatted once and looked up.
    """
    v = np.asarray(values, dtype=np.int64)
    distinct, where = np.unique(v, return_inverse=True)
    text = np.array([rate(int(x)) for x in distinct.tolist()], dtype=object)
    return text[where].tolist() if len(v) else []


def rate(micro: int) -> str:
    """One rate in millionths of a percent as text."""
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"
