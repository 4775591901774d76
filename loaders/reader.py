"""Stream a data file to ``COPY``: hash its bytes, count its lines, sort good lines from bad.

Two paths, so a clean file loads as fast as a bare ``psql \\copy`` and a dirty one loses nothing:

- ``scan_fast`` passes the file's bytes through untouched (the connection's client encoding
  is the file's, so PostgreSQL decodes GBK itself) after counting, per block, lines and
  field separators in C; only a block whose separators do not add up (a line with the
  wrong field count) or that has ``\\r\\n`` line ends is split into lines here. Types,
  required values and decimal places are then checked by the server (the load table's
  types and contract CHECK). If the server refuses any line, the load falls back to:
- ``scan_strict``: every line is matched against the contract's exact form (one compiled
  regular expression per feed); a line that fails is looked at field by field, to trim
  insignificant blanks around values or to say exactly why it is bad, and is rejected.

The whole file is never in memory: it is read in blocks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loaders.contract import Feed

BLOCK_BYTES = 8 * 1024 * 1024


@dataclass
class Reject:
    line_no: int
    raw_line: str
    reason: str


@dataclass
class ScanResult:
    md5: str = ""
    lines_read: int = 0
    lines_good: int = 0
    rejects: list[Reject] = field(default_factory=list)


def _blocks(path: Path, digest: hashlib._Hash) -> Iterator[bytes]:
    """Blocks of whole lines (each ending with b'\\n' but perhaps the last), hashing every byte."""
    pending = b""
    with path.open("rb") as handle:
        while chunk := handle.read(BLOCK_BYTES):
            digest.update(chunk)
            data = pending + chunk
            cut = data.rfind(b"\n") + 1
            pending = data[cut:]
            if cut:
                yield data[:cut]
    if pending:
        yield pending + b"\n"  # a last line without its newline still counts


def explain(feed: Feed, line: str) -> tuple[str | None, str]:
    """Check one line field by field: (reason it is bad or None, the line with blanks trimmed)."""
    fields = line.split("|")
    if len(fields) != len(feed.columns):
        return f"wrong field count: {len(fields)} fields, the {feed.code} layout has {len(feed.columns)}", line
    fields = [value.strip() for value in fields]
    for column, value in zip(feed.columns, fields, strict=True):
        if not column.matches(value):
            if value == "":
                return f"column {column.name}: empty, but it is required", line
            return f"column {column.name}: {value!r} is not {column.description}", line
    return None, "|".join(fields)


def scan_fast(path: Path, feed: Feed, codec: str, write: Callable[[bytes], None]) -> ScanResult:
    """Pass the file's bytes on block by block; split only blocks that need it. Rejects only field counts."""
    result = ScanResult()
    digest = hashlib.md5()
    separators = len(feed.columns) - 1
    for block in _blocks(path, digest):
        lines = block.count(b"\n")
        first_line_no = result.lines_read + 1
        result.lines_read += lines
        if block.count(b"|") == lines * separators and b"\r" not in block:
            result.lines_good += lines
            write(block)
            continue
        good: list[bytes] = []
        for offset, raw in enumerate(block.split(b"\n")[:-1]):
            raw = raw[:-1] if raw.endswith(b"\r") else raw
            if raw.count(b"|") == separators:
                good.append(raw)
                continue
            shown = raw.decode(codec, errors="backslashreplace")
            reason, _ = explain(feed, shown)
            result.rejects.append(Reject(first_line_no + offset, shown, reason or "wrong field count"))
        result.lines_good += len(good)
        if good:
            write(b"\n".join(good) + b"\n")
    result.md5 = digest.hexdigest()
    return result


def scan_strict(path: Path, feed: Feed, codec: str, write: Callable[[str], None]) -> ScanResult:
    """Pass every good line of ``path`` to ``write`` (in blocks of text); collect the bad ones."""
    result = ScanResult()
    digest = hashlib.md5()
    fullmatch = feed.line_regex().fullmatch
    for block in _blocks(path, digest):
        try:
            lines = block.decode(codec).split("\n")
        except UnicodeDecodeError:
            lines = None
        if lines is None:  # some line in the block is not valid in the declared encoding
            _scan_undecodable(block, feed, codec, result, write)
            continue
        lines.pop()  # the empty string after the block's final newline
        first_line_no = result.lines_read + 1
        result.lines_read += len(lines)
        if b"\r" in block:  # \r\n line ends are accepted
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        if all(map(fullmatch, lines)):
            result.lines_good += len(lines)
            write("\n".join(lines) + "\n")
            continue
        good: list[str] = []
        for offset, line in enumerate(lines):
            if fullmatch(line):
                good.append(line)
                continue
            reason, normalised = explain(feed, line)
            if reason is None:
                good.append(normalised)
            else:
                result.rejects.append(Reject(first_line_no + offset, line, reason))
        result.lines_good += len(good)
        if good:
            write("\n".join(good) + "\n")
    result.md5 = digest.hexdigest()
    return result


def _scan_undecodable(block: bytes, feed: Feed, codec: str, result: ScanResult, write: Callable[[str], None]) -> None:
    """Slow path for a block holding bytes the declared encoding cannot decode: line by line."""
    good: list[str] = []
    for raw in block.split(b"\n")[:-1]:
        result.lines_read += 1
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        try:
            line = raw.decode(codec)
        except UnicodeDecodeError as exc:
            shown = raw.decode(codec, errors="backslashreplace")
            result.rejects.append(Reject(result.lines_read, shown, f"not valid {codec.upper()} at byte {exc.start}"))
            continue
        reason, normalised = explain(feed, line)
        if reason is None:
            good.append(normalised)
        else:
            result.rejects.append(Reject(result.lines_read, line, reason))
    result.lines_good += len(good)
    if good:
        write("\n".join(good) + "\n")
