"""Each night of a generated bank, timed alone (``make bench-nightly``).

``--accounts`` (default 1,000,000: the issue's target bank) and ``--days`` (default 3) size the
bank; ``--start`` (default 2025-12-30) puts night 2 on a year-end and night 3 on a month, quarter
and year start. Each business date is one ``bankperf run`` (the nightly job end to end), night 1
being the first build. For every night it prints the end-to-end time, the ten slowest dbt models
and tests (dbt's ``run_results.json``), the database size and what it grew by, and the tables that
grew most (rows and bytes). See :mod:`benchmarks.nightly` for how.
"""

from __future__ import annotations

import argparse
import datetime as dt

from benchmarks.nightly import (
    BENCH_DATABASE,
    bench_folder,
    compact_date,
    generated_inbox,
    print_night,
    run_night,
    scratch_database,
    write_summary,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--start", type=compact_date, default=dt.date(2025, 12, 30))
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest dbt nodes to print")
    parser.add_argument("--database", default=BENCH_DATABASE, help="the scratch database (dropped and recreated)")
    parser.add_argument("--raw-retention-days", type=int, default=None,
                        help="run with BANKPERF_RAW_RETENTION_DAYS=N (delivered days archived, older raw dropped)")
    args = parser.parse_args(argv)
    inbox = generated_inbox(args.accounts, args.start, args.days)
    target = scratch_database(args.database)
    log = bench_folder() / f"nightly-{args.accounts}.log"
    log.write_text("")
    print(f"bench-nightly: {args.accounts:,} accounts, {args.days} nights from {args.start:%Y-%m-%d}; log {log}")
    nights = []
    for k in range(args.days):
        day = args.start + dt.timedelta(days=k)
        nights.append(run_night(target, inbox, day, day, f"night {k + 1}", log, args.raw_retention_days))
    previous = None
    for night in nights:
        print_night(night, previous, top=args.top)
        previous = night
    slowest = max(nights, key=lambda n: n.seconds)
    print(f"\nslowest night: {slowest.label} {slowest.seconds:.1f}s; database {nights[-1].database_bytes / 1e9:.2f} GB "
          f"after {args.days} business dates ({nights[-1].database_bytes / 1e9 / args.days:.2f} GB a date)")
    if len(nights) > 1:
        grown = nights[-1].database_bytes - nights[-2].database_bytes
        kept = (f"raw kept {args.raw_retention_days} day(s) before the last"
                if args.raw_retention_days is not None else "raw kept whole")
        print(f"the last night added {grown / 1e9:.2f} GB ({kept}): a business date's cost once the first "
              f"nights' one-off growth (dimensions' first rewrite) is past")
    settings = vars(args) | {"start": str(args.start)}
    write_summary(bench_folder() / f"nightly-{args.accounts}.json", settings, nights, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
