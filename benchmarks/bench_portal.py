"""How fast every portal page answers (``make bench-portal``, after ``make demo`` or a bigger bank).

Serves the portal in this process (waitress, as ``bankperf web`` does), logs in as one user of
each role (``var/demo_users.txt``, written by ``make demo``, or ``--users FILE`` of
``login<TAB>role<TAB>password`` lines) and requests every page over HTTP as the role that uses
it: the query pages with their default pickers (the last published date), the exports, the
administration, request and status pages. Prints the best of ``--repeat`` times
per page and the slowest; nothing is written to the warehouse.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from bankperf import settings

PAGES: list[tuple[str, str]] = [
    ("manager", "/q/my_performance"),
    ("manager", "/q/manager_customers"),
    ("manager", "/q/manager_detail"),
    ("manager", "/q/cross_branch"),
    ("manager", "/q/manager_ranking"),
    ("manager", "/q/scorecards"),
    ("manager", "/x/manager_detail"),
    ("branch_head", "/q/org_performance"),
    ("branch_head", "/q/manager_performance"),
    ("branch_head", "/q/top_customers"),
    ("head_office", "/q/org_performance?org=0001"),
    ("head_office", "/q/org_performance?org=0001&period=Y"),
    ("head_office", "/q/manager_performance"),
    ("head_office", "/q/plan_completion"),
    ("head_office", "/q/comparison"),
    ("head_office", "/q/analysis"),
    ("head_office", "/q/org_ranking"),
    ("head_office", "/q/manager_ranking"),
    ("head_office", "/q/top_customers"),
    ("head_office", "/q/top_customers?rank_by=increase_y_rank&acct_type=LOAN"),
    ("head_office", "/q/manager_customers"),
    ("head_office", "/q/maturing"),
    ("head_office", "/q/contribution"),
    ("head_office", "/q/marketing"),
    ("head_office", "/q/scorecards"),
    ("head_office", "/q/scorecards?subject_type=ORG&period_type=YEAR"),
    ("head_office", "/x/top_customers"),
    ("office", "/admin"),
    ("office", "/admin/history/plan"),
    ("office", "/requests"),
    ("office", "/status"),
]


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.status, response.read()

    def login(self, login: str, password: str) -> None:
        _, body = self.get("/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode({"login": login, "password": password, "csrf_token": token}).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=60) as response:
            if "/login" in response.url:
                raise SystemExit(f"{login}: login refused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--users", help="login<TAB>role<TAB>password lines (default var/demo_users.txt)")
    args = parser.parse_args()
    from waitress.server import create_server

    from portal.app import create_app

    logins = {}  # role -> (login, password)
    for line in Path(args.users or settings.home() / "demo_users.txt").read_text().splitlines():
        fields = line.split("\t")
        if len(fields) >= 3:
            logins[fields[1]] = (fields[0], fields[2])
    server = create_server(create_app(), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    browsers: dict[str, Browser] = {}
    slowest = (0.0, "")
    print(f"{'role':<12} {'page':<58} {'best s':>7} {'bytes':>9}")
    for role, path in PAGES:
        if role not in browsers:
            browsers[role] = Browser(base)
            browsers[role].login(*logins[role])
        best, size = float("inf"), 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            try:
                _, body = browsers[role].get(path)
            except urllib.error.HTTPError as exc:
                raise SystemExit(f"{role} {path}: HTTP {exc.code}") from exc
            best = min(best, time.perf_counter() - started)
            size = len(body)
        slowest = max(slowest, (best, path))
        print(f"{role:<12} {path:<58} {best:7.3f} {size:9,d}")
    print(f"slowest: {slowest[1]} in {slowest[0]:.3f} s")
    server.close()


if __name__ == "__main__":
    main()
