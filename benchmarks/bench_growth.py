"""Does a night cost more after a long history? (``make bench-growth``).

On a smaller bank (``--accounts``, default 20,000) from ``--start`` (default 2025-10-01): night 1
(the first build) and night 2 each alone, then a backfill of the following dates in one run up to
the day before the last, then the last date (``--history``, default 90: night 90) alone. A night's
cost must not grow with history: the target is night N <= 1.1 x night 2. Prints both nights'
end-to-end times and ratio, and the dbt models and tests whose time grew most between them.
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

TARGET_RATIO = 1.1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=90, help="the late night's number (>= 4)")
    parser.add_argument("--start", type=compact_date, default=dt.date(2025, 10, 1))
    parser.add_argument("--database", default=BENCH_DATABASE, help="the scratch database (dropped and recreated)")
    args = parser.parse_args(argv)
    if args.history < 4:
        parser.error("--history must be at least 4 (night 1, night 2, a backfill, the late night)")
    inbox = generated_inbox(args.accounts, args.start, args.history)
    target = scratch_database(args.database)
    log = bench_folder() / f"growth-{args.accounts}.log"
    log.write_text("")
    day = [args.start + dt.timedelta(days=k) for k in range(args.history)]
    print(f"bench-growth: {args.accounts:,} accounts, night 2 against night {args.history}; log {log}")
    first = run_night(target, inbox, day[0], day[0], "night 1", log)
    early = run_night(target, inbox, day[1], day[1], "night 2", log)
    backfill = run_night(target, inbox, day[2], day[-2], f"backfill nights 3..{args.history - 1}", log)
    late = run_night(target, inbox, day[-1], day[-1], f"night {args.history}", log)
    print_night(early, first)
    print_night(backfill, early)
    print_night(late, backfill)
    early_times, late_times = dict(early.nodes), dict(late.nodes)
    grown = sorted(((late_times[name] - early_times.get(name, 0.0), name) for name in late_times), reverse=True)
    print(f"\n   dbt nodes that grew most from night 2 to night {args.history}:")
    for _grown, name in grown[:10]:
        print(f"     {early_times.get(name, 0.0):8.1f}s -> {late_times[name]:8.1f}s  {name}")
    ratio = late.seconds / early.seconds
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"\nnight 2 {early.seconds:.1f}s, night {args.history} {late.seconds:.1f}s: ratio {ratio:.2f} "
          f"(target <= {TARGET_RATIO}: {verdict})")
    write_summary(bench_folder() / f"growth-{args.accounts}.json", vars(args) | {"start": str(args.start)},
                  [first, early, backfill, late], target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
