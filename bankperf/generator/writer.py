"""Delivering one business date's files the way the contract wants them.

Order matters for the loaders: a stale READY of the date is removed first (so a
half-rewritten day is never taken as complete), then every feed's .dat and .ctl
are written, and READY - listing the delivered feeds - comes last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from .catalog import FEEDS

_CODECS = {"UTF-8": "utf-8", "UTF8": "utf-8", "GBK": "gbk"}


def normalise_encoding(name: str) -> str:
    """The contract's spelling of a supported encoding ('UTF-8' or 'GBK')."""
    key = name.strip().upper().replace("_", "-")
    if key not in _CODECS:
        raise ValueError(f"encoding must be UTF-8 or GBK, got {name!r}")
    return "GBK" if _CODECS[key] == "gbk" else "UTF-8"


def encode_feed(chunks: Sequence[str], encoding: str) -> tuple[bytes, int]:
    """The .dat bytes of a feed and its row count.

    A chunk is one line or several joined by newlines (an account's REL block),
    so rows are counted in the finished text rather than in the list.
    """
    body = "\n".join(chunks)
    text = body + "\n" if body else ""
    return text.encode(_CODECS[normalise_encoding(encoding)]), text.count("\n")


def write_day(folder: Path, date_text: str, feeds: Mapping[str, Sequence[str]], encoding: str) -> dict[str, int]:
    """Write all feeds of one date into `folder`; returns the row count per feed."""
    encoding = normalise_encoding(encoding)
    folder.mkdir(parents=True, exist_ok=True)
    ready = folder / "READY"
    ready.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    for feed in FEEDS:
        data, rows = encode_feed(feeds[feed], encoding)
        (folder / f"{feed}_{date_text}.dat").write_bytes(data)
        digest = hashlib.md5(data).hexdigest()
        control = f"{feed}|{date_text}|{rows}|{digest}|{encoding}\n"
        (folder / f"{feed}_{date_text}.ctl").write_bytes(control.encode("ascii"))
        counts[feed] = rows
    ready.write_bytes(("\n".join(FEEDS) + "\n").encode("ascii"))
    return counts
