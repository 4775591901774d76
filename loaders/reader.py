"""Stream a data file: hash its bytes, decode, split lines, and sort good lines from bad.

The fast path costs one compiled full-line regular expression per line: a line that
matches has the right field count and every value in a form ``COPY`` accepts, so good
lines go to PostgreSQL untouched, in large blocks. Only lines that fail it are looked at
field by field, to normalise insignificant blanks around values or to say exactly why the
line is bad. The whole file is never in memory: it is read in blocks.
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


def scan(path: Path, feed: Feed, codec: str, write: Callable[[str], None]) -> ScanResult:
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
