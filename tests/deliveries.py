"""Write hand-built interface deliveries (data, control files, READY) for tests.

Tests use real files through the real loaders; this writes them exactly as the contract
says, so a test states only the rows it cares about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from loaders.contract import feeds


def write_feed(
    inbox: Path,
    feed: str,
    biz_date: dt.date,
    lines: Iterable[str],
    encoding: str = "UTF-8",
    row_count: int | None = None,
    md5: str | None = None,
    newline: str = "\n",
) -> Path:
    """Write <FEED>_<D>.dat and its .ctl; row_count/md5 override the true values to break the contract."""
    folder = Path(inbox) / f"{biz_date:%Y%m%d}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = list(lines)
    data = "".join(line + newline for line in lines).encode("gbk" if encoding == "GBK" else "utf-8")
    path = folder / f"{feed}_{biz_date:%Y%m%d}.dat"
    path.write_bytes(data)
    count = len(lines) if row_count is None else row_count
    digest = hashlib.md5(data).hexdigest() if md5 is None else md5
    (folder / f"{feed}_{biz_date:%Y%m%d}.ctl").write_text(f"{feed}|{biz_date:%Y%m%d}|{count}|{digest}|{encoding}\n")
    return path


def write_day(
    inbox: Path, biz_date: dt.date, rows: Mapping[str, Iterable[str]], ready: bool = True, encoding: str = "UTF-8"
) -> Path:
    """Write every feed of a day (feeds not given are empty files) and READY last."""
    for code in feeds():
        write_feed(inbox, code, biz_date, rows.get(code, []), encoding=encoding)
    folder = Path(inbox) / f"{biz_date:%Y%m%d}"
    if ready:
        (folder / "READY").write_text("".join(f"{code}\n" for code in feeds()))
    return folder


def gl_lines(dep_lines: Iterable[str], loan_lines: Iterable[str]) -> list[str]:
    """The GL lines that tie to the given DEP and LOAN lines (per institution × subject × currency)."""
    from decimal import Decimal

    totals: dict[tuple[str, str, str, str], Decimal] = {}
    for side, lines in (("C", dep_lines), ("D", loan_lines)):
        for line in lines:
            fields = [value.strip() for value in line.split("|")]
            key = (fields[0], fields[7], fields[5], side)
            totals[key] = totals.get(key, Decimal(0)) + Decimal(fields[6])
    return [f"{org}|{subject}|{currency}|{side}|{total:.2f}"
            for (org, subject, currency, side), total in totals.items()]
