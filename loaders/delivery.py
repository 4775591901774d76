"""A day's delivery: the ``READY`` marker and each feed's control file.

The contract (shared/interface/README.md, "Delivery" and "Control file"): files live in
``<inbox>/<D>/``; ``READY`` is written last and lists the delivered feeds; each feed has
``<FEED>_<D>.dat`` and ``<FEED>_<D>.ctl`` with one line ``FEED|D|ROW_COUNT|MD5|ENCODING``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

ENCODINGS = {"UTF-8": "utf-8", "GBK": "gbk"}  # contract name -> Python codec
PG_ENCODINGS = {"UTF-8": "UTF8", "GBK": "GBK"}  # contract name -> PostgreSQL client encoding
_MD5 = re.compile(r"[0-9a-f]{32}")


class DeliveryError(Exception):
    """A delivery that breaks the contract; the message names the file and what is wrong."""


def day_dir(inbox: Path, biz_date: dt.date) -> Path:
    return Path(inbox) / biz_date.strftime("%Y%m%d")


def ready_feeds(inbox: Path, biz_date: dt.date) -> list[str]:
    """The feeds READY lists; refuses a day without READY (it is incomplete)."""
    ready = day_dir(inbox, biz_date) / "READY"
    if not ready.is_file():
        raise DeliveryError(
            f"{ready}: no READY file, so the delivery of {biz_date:%Y%m%d} is incomplete; "
            "nothing of that day is loaded. Wait for the core system to finish the day."
        )
    listed = ready.read_text(encoding="ascii", errors="replace").splitlines()
    return [line.strip().upper() for line in listed if line.strip()]


@dataclass(frozen=True)
class ControlFile:
    path: Path
    feed: str
    biz_date: dt.date
    row_count: int
    md5: str
    encoding: str  # contract name: UTF-8 or GBK

    @property
    def codec(self) -> str:
        return ENCODINGS[self.encoding]

    @property
    def pg_encoding(self) -> str:
        return PG_ENCODINGS[self.encoding]


def data_file(inbox: Path, feed: str, biz_date: dt.date) -> Path:
    return day_dir(inbox, biz_date) / f"{feed}_{biz_date:%Y%m%d}.dat"


def read_control(inbox: Path, feed: str, biz_date: dt.date) -> ControlFile:
    """Parse and check a feed's control file against the contract and the day it was delivered for."""
    path = day_dir(inbox, biz_date) / f"{feed}_{biz_date:%Y%m%d}.ctl"
    if not path.is_file():
        raise DeliveryError(f"{path}: control file missing for feed {feed} of {biz_date:%Y%m%d}.")
    text = path.read_bytes().decode("ascii", errors="replace").strip()
    parts = text.split("|")
    if len(parts) != 5:
        raise DeliveryError(f"{path}: expected FEED|D|ROW_COUNT|MD5|ENCODING, found {text!r}.")
    ctl_feed, ctl_date, ctl_count, ctl_md5, ctl_encoding = (part.strip() for part in parts)
    if ctl_feed.upper() != feed:
        raise DeliveryError(f"{path}: names feed {ctl_feed!r}, expected {feed}.")
    if ctl_date != f"{biz_date:%Y%m%d}":
        raise DeliveryError(f"{path}: is for date {ctl_date!r}, but was delivered in {biz_date:%Y%m%d}.")
    if not ctl_count.isdigit():
        raise DeliveryError(f"{path}: ROW_COUNT {ctl_count!r} is not a whole number.")
    if not _MD5.fullmatch(ctl_md5.lower()):
        raise DeliveryError(f"{path}: MD5 {ctl_md5!r} is not 32 hex digits.")
    if ctl_encoding.upper() not in ENCODINGS:
        raise DeliveryError(f"{path}: ENCODING {ctl_encoding!r} is not one of {', '.join(ENCODINGS)}.")
    return ControlFile(path, feed, biz_date, int(ctl_count), ctl_md5.lower(), ctl_encoding.upper())
