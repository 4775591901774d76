"""Column-store helpers for the account books.

A book is a dataclass whose fields are equally long numpy arrays (one row per
account). Rows are appended when accounts open and dropped the day after they
close; both are whole-array operations, never a Python loop over accounts.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

import numpy as np

Rows = TypeVar("Rows")


def concat(a: Rows, b: Rows) -> Rows:
    """Rows of `a` followed by the rows of `b`."""
    cols = {f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in fields(a)}  # type: ignore[arg-type]
    return type(a)(**cols)


def select(a: Rows, index: Any) -> Rows:
    """The rows picked by a boolean mask or an index array, in that order."""
    cols = {f.name: getattr(a, f.name)[index] for f in fields(a)}  # type: ignore[arg-type]
    return type(a)(**cols)


def size(a: Any) -> int:
    """Number of rows (length of the first column)."""
    return len(getattr(a, fields(a)[0].name))


def rank_within(keys: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its key (0, 1, 2, ...).

    Used to number several new sub-accounts of one customer opened the same day,
    or several contracts signed on the same date.
    """
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first
    return rank
