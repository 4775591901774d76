"""The synthetic core system writes files that follow the interface contract.

Runs are small (a few hundred accounts, a couple of weeks) so the suite stays
fast, but every check reads the real files from disk the way a loader would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bankperf.generator import generate

REPO = Path(__file__).resolve().parent.parent
FEEDS = ("ORG", "EMP", "CUST", "FX", "DEP", "LOAN", "GL", "CARD", "FEE", "INTL", "FTP", "REL")
START = dt.date(2026, 3, 25)  # crosses a quarter end and a month start
DAYS = 12
ACCOUNTS = 3000
BREAK_DAY = START + dt.timedelta(days=3)

TYPE_PATTERNS = {
    "amount": re.compile(r"-?\d+\.\d{2}"),
    "rate": re.compile(r"-?\d+\.\d{6}"),
    "pct": re.compile(r"\d+(\.\d{1,2})?"),
    "int": re.compile(r"\d+"),
    "flag": re.compile(r"[01]"),
    "date": re.compile(r"\d{8}"),
}


def day_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def read_feed(folder: Path, feed: str, encoding: str = "utf-8") -> list[list[str]]:
    text = (folder / f"{feed}_{folder.name}.dat").read_bytes().decode(encoding)
    return [line.split("|") for line in text.split("\n")[:-1]]


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def contract() -> dict:
    return yaml.safe_load((REPO / "loaders" / "feeds.yaml").read_text(encoding="utf-8"))["feeds"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "inbox"
    summary = generate(out, START, DAYS, accounts=ACCOUNTS, seed=7, progress=False)
    assert summary.days_written == DAYS
    assert summary.rows_last_day["DEP"] > 0
    return out


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen_break") / "inbox"
    generate(out, START, DAYS, accounts=ACCOUNTS, seed=7, gl_breaks=[BREAK_DAY], progress=False)
    return out


def test_writes_every_day_and_feed(run: Path) -> None:
    dirs = day_dirs(run)
    assert [d.name for d in dirs] == [(START + dt.timedelta(days=k)).strftime("%Y%m%d") for k in range(DAYS)]
    for d in dirs:
        names = {p.name for p in d.iterdir()}
        expected = {f"{f}_{d.name}.{ext}" for f in FEEDS for ext in ("dat", "ctl")} | {"READY"}
        assert names == expected


def test_ready_lists_the_feeds_and_is_written_last(run: Path) -> None:
    for d in day_dirs(run):
        ready = d / "READY"
        assert ready.read_text(encoding="ascii") == "\n".join(FEEDS) + "\n"
        assert all(p.stat().st_mtime_ns <= ready.stat().st_mtime_ns for p in d.iterdir())


def test_control_files_match_data(run: Path) -> None:
    for d in day_dirs(run):
        for feed in FEEDS:
            data = (d / f"{feed}_{d.name}.dat").read_bytes()
            ctl = (d / f"{feed}_{d.name}.ctl").read_bytes()
            assert ctl.endswith(b"\n") and ctl.count(b"\n") == 1
            name, date, rows, md5, enc = ctl.decode("ascii").rstrip("\n").split("|")
            assert (name, date, enc) == (feed, d.name, "UTF-8")
            assert int(rows) == data.count(b"\n")
            assert md5 == hashlib.md5(data).hexdigest()
            assert data == b"" or data.endswith(b"\n")


def test_every_line_follows_feeds_yaml(run: Path, contract: dict) -> None:
    for d in day_dirs(run):
        for feed in FEEDS:
            columns = contract[feed]["columns"]
            rows = read_feed(d, feed)
            for row in rows:
                assert len(row) == len(columns), (feed, row)
                for value, col in zip(row, columns, strict=True):
                    if value == "":
                        assert not col.get("required"), (feed, col["name"], row)
                        continue
                    assert value == value.strip()
                    pattern = TYPE_PATTERNS.get(col["type"])
                    if pattern:
                        assert pattern.fullmatch(value), (feed, col["name"], value)
                    if col["type"] == "date" and value != "99991231":
                        dt.datetime.strptime(value, "%Y%m%d")
            keys = [tuple(row[[c["name"] for c in columns].index(k)] for k in contract[feed]["key"]) for row in rows]
            assert len(keys) == len(set(keys)), f"duplicate keys in {feed} {d.name}"


def test_amounts_have_two_decimals_and_rates_six(run: Path) -> None:
    d = day_dirs(run)[-1]
    for row in read_feed(d, "DEP"):
        assert re.fullmatch(r"\d+\.\d{2}", row[6]) and re.fullmatch(r"\d+\.\d{6}", row[14])
    for row in read_feed(d, "FX"):
        assert re.fullmatch(r"\d+\.\d{6}", row[2])


def test_deterministic(run: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, START, DAYS, accounts=ACCOUNTS, seed=7, progress=False)
    assert all_bytes(again) == all_bytes(run)


def test_other_seed_differs(run: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, START, 1, accounts=ACCOUNTS, seed=8, progress=False)
    name = START.strftime("%Y%m%d")
    assert (other / name / f"DEP_{name}.dat").read_bytes() != (run / name / f"DEP_{name}.dat").read_bytes()


def test_prefix_property(tmp_path: Path) -> None:
    short, long = tmp_path / "short", tmp_path / "long"
    generate(short, START, 5, accounts=ACCOUNTS, seed=3, progress=False)
    generate(long, START, 10, accounts=ACCOUNTS, seed=3, progress=False)
    long_files = all_bytes(long)
    short_files = all_bytes(short)
    assert len(day_dirs(long)) == 10
    assert short_files == {k: v for k, v in long_files.items() if k.split("/")[0] in {d.name for d in day_dirs(short)}}


def test_rerun_overwrites(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    generate(out, START, 2, accounts=ACCOUNTS, seed=9, progress=False)
    generate(out, START, 2, accounts=ACCOUNTS, seed=7, progress=False)
    fresh = all_bytes(out)
    assert fresh == {k: v for k, v in all_bytes(run).items() if k in fresh}


def gl_against_detail(folder: Path) -> tuple[dict, dict]:
    detail: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for feed in ("DEP", "LOAN"):
        for row in read_feed(folder, feed):
            detail[(row[0], row[7], row[5])] += Decimal(row[6])
    gl = {(r[0], r[1], r[2]): (r[3], Decimal(r[4])) for r in read_feed(folder, "GL")}
    return detail, gl


def test_gl_equals_account_detail(run: Path) -> None:
    for d in day_dirs(run):
        detail, gl = gl_against_detail(d)
        for key, total in detail.items():
            side, balance = gl[key]
            assert balance == total, (d.name, key)
            assert side == ("D" if key[1].startswith("13") else "C")
        unmodelled = {k for k in gl if k not in detail}
        assert unmodelled and all(k[1] in {"1001", "1003", "1011"} for k in unmodelled)


def test_gl_break_day_differs_on_a_few_lines_only(run: Path, broken_run: Path) -> None:
    for d in day_dirs(broken_run):
        detail, gl = gl_against_detail(d)
        wrong = [k for k, total in detail.items() if gl[k][1] != total]
        if d.name == BREAK_DAY.strftime("%Y%m%d"):
            assert 2 <= len(wrong) <= 4
        else:
            assert wrong == []
    # Nothing but that day's GL changes.
    clean, broken = all_bytes(run), all_bytes(broken_run)
    differing = {k for k in clean if clean[k] != broken[k]}
    name = BREAK_DAY.strftime("%Y%m%d")
    assert differing == {f"{name}/GL_{name}.dat", f"{name}/GL_{name}.ctl"}


@pytest.mark.parametrize("feed", ["DEP", "LOAN"])
def test_closed_accounts_appear_once_then_vanish(run: Path, feed: str) -> None:
    closed_seen: dict[tuple[str, str], str] = {}
    previous: set[tuple[str, str]] = set()
    for d in day_dirs(run):
        rows = read_feed(d, feed)
        keys = {(r[1], r[2]) for r in rows}
        for r in rows:
            key = (r[1], r[2])
            assert key not in closed_seen, f"{key} closed on {closed_seen.get(key)} is back on {d.name}"
            if r[8] == "C":
                assert r[6] == "0.00" and r[10] == d.name
            else:
                assert r[10] == ""
        for r in rows:
            if r[8] == "C":
                closed_seen[(r[1], r[2])] = d.name
            elif (r[1], r[2]) not in previous and d != day_dirs(run)[0]:
                assert r[9] == d.name, f"new account {r[1]}/{r[2]} must open on {d.name}"
        previous = keys
    assert closed_seen, "some accounts must close during the run"


def test_references_exist(run: Path) -> None:
    d = day_dirs(run)[-1]
    orgs = {r[0] for r in read_feed(d, "ORG")}
    emps = {r[0] for r in read_feed(d, "EMP")}
    custs = {r[0] for r in read_feed(d, "CUST")}
    assert all(r[2] in orgs for r in read_feed(d, "ORG") if r[2])
    assert all(r[2] in orgs for r in read_feed(d, "EMP"))
    assert all(r[8] in orgs for r in read_feed(d, "CUST"))
    unknown = 0
    for feed, org_col, cust_col, emp_col in (("DEP", 0, 3, 17), ("LOAN", 0, 3, 23), ("CARD", 1, 2, 9)):
        for r in read_feed(d, feed):
            assert r[org_col] in orgs and r[cust_col] in custs
            unknown += bool(r[emp_col]) and r[emp_col] not in emps
    assert unknown < 0.03 * (len(read_feed(d, "DEP")) + len(read_feed(d, "LOAN")))
    assert all(r[3] in emps for r in read_feed(d, "REL"))


def test_looks_like_a_bank(run: Path) -> None:
    d = day_dirs(run)[-1]
    org = read_feed(d, "ORG")
    assert Counter(r[4] for r in org).keys() >= {"HO", "BR", "SB", "CD", "MD", "TM"}
    assert {r[0] for r in org if r[4] == "HO"} == {"0001"}
    emp = read_feed(d, "EMP")
    posts = Counter(r[3] for r in emp)
    assert posts["CM"] == max(posts.values()) and posts["PRES"] == sum(r[4] == "SB" for r in org)
    cust = Counter(r[2] for r in read_feed(d, "CUST"))
    assert cust["P"] > cust["C"] > cust["I"] > 0
    dep = read_feed(d, "DEP")
    assert {r[15] for r in dep} == {"GEN", "MGN", "IB", "DER"}
    assert {r[7] for r in dep} == {"2001", "2002", "2011", "2012", "2021", "2031"}
    assert {r[7] for r in dep if r[15] == "MGN"} == {"2031"} and {r[7] for r in dep if r[15] == "IB"} == {"2021"}
    assert all(r[12] == "99991231" for r in dep if r[13] == "CUR")
    loan = read_feed(d, "LOAN")
    assert {r[16] for r in loan} == set("CGMPD")
    assert {r[7] for r in loan if r[16] == "D"} == {"1311"}
    assert {r[17] for r in loan} == set("12345")
    assert 0.06 < len(loan) / len(dep) < 0.12
    cards = read_feed(d, "CARD")
    assert {r[4] for r in cards} == {"D", "C"} and {"N", "U", "X"} <= {r[5] for r in cards}
    parents = {r[2] for r in org}
    assert not [e for e in emp if e[2] in parents], "employees sit on lowest-level institutions only"


def test_ownership_records_are_realistically_messy(run: Path) -> None:
    d = day_dirs(run)[-1]
    rel = read_feed(d, "REL")
    shares: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in rel:
        if not r[6]:
            shares[(r[0], r[1], r[2])] += Decimal(r[4])
    totals = Counter("100" if v == 100 else ("over" if v > 100 else "under") for v in shares.values())
    assert totals["100"] > totals["under"] > 0 and totals["over"] > 0
    assert any(r[6] and r[6] < d.name for r in rel), "some relations have ended"
    assert any(r[5] > d.name for r in rel), "some relations start in the future"
    cards = [r for r in rel if r[0] == "CARD"]
    assert cards and all(r[2] == "" and len(r[1]) == 16 for r in cards)
    owned = {(r[0], r[1], r[2]) for r in rel if r[0] == "DEP"}
    dep = read_feed(d, "DEP")
    assert 0.3 < 1 - len(owned) / len(dep) < 0.55, "many accounts have no recorded owner"


def test_all_name_pools_are_gbk() -> None:
    from bankperf.generator import names, orgs

    pools = [names._SURNAMES, names._GIVEN, names._TRADE_HEAD, names._TRADE_TAIL, *names.ROADS, *names.TOWNS,
             *(w for w, _ in names.INDUSTRIES), *(f for f, _ in names._FI_FORMS), *orgs.BRANCH_NAMES]
    for text in pools:
        text.encode("gbk")


def test_gbk_encoding_round_trips(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "gbk"
    generate(out, START, 2, accounts=ACCOUNTS, seed=7, encoding="GBK", progress=False)
    for d in day_dirs(out):
        for feed in FEEDS:
            data = (d / f"{feed}_{d.name}.dat").read_bytes()
            ctl = (d / f"{feed}_{d.name}.ctl").read_text(encoding="ascii").rstrip("\n").split("|")
            assert ctl[4] == "GBK" and ctl[3] == hashlib.md5(data).hexdigest()
            utf8 = (run / d.name / f"{feed}_{d.name}.dat").read_bytes().decode("utf-8")
            assert data.decode("gbk") == utf8
    assert any(b >= 0x80 for b in (out / d.name / f"CUST_{d.name}.dat").read_bytes())


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, START, 1, accounts=ACCOUNTS, encoding="latin-1", progress=False)
    with pytest.raises(ValueError):
        generate(tmp_path, START, 0, accounts=ACCOUNTS, progress=False)


def test_default_size_proportions(tmp_path: Path) -> None:
    """At the default size the opening book has the shape of a real city commercial bank."""
    out = tmp_path / "default"
    summary = generate(out, START, 1, progress=False)
    d = day_dirs(out)[0]
    rows = summary.rows_last_day
    assert 19_900 < rows["DEP"] < 20_200
    assert 0.08 < rows["LOAN"] / rows["DEP"] < 0.10
    assert 0.55 < rows["CUST"] / rows["DEP"] < 0.65 and 0.38 < rows["CARD"] / rows["DEP"] < 0.42
    assert 30 <= rows["EMP"] <= 80
    loan = read_feed(d, "LOAN")
    balance = sum(Decimal(r[6]) for r in loan)
    npl = sum(Decimal(r[6]) for r in loan if r[17] in "345")
    assert 0.01 < npl / balance < 0.045
    dep = read_feed(d, "DEP")
    empty_mgr = sum(r[17] == "" for r in dep) / len(dep)
    assert 0.10 < empty_mgr < 0.20
    priced = len(read_feed(d, "FTP")) / (len(dep) + len(loan))
    assert 0.75 < priced < 0.85
