"""How fast every portal page answers (``make bench-portal``, after ``make demo`` or a bigger bank).

Serves the portal in this process (waitress, as ``bankperf web`` does), logs in as the demo users
(``var/demo_users.txt``, written by ``make demo``) and requests every page over HTTP as each role
that uses it: the query pages with their default pickers (the last published date), the
exports, the administration, request and status pages. Prints the best of ``--repeat`` times
per page and the slowest; nothing is written to the warehouse.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from bankperf import settings

PAGES: list[tuple[str, str]] = [
    ("demo_manager", "/q/my_performance"),
    ("demo_manager", "/q/manager_customers"),
    ("demo_manager", "/q/manager_detail"),
    ("demo_manager", "/q/cross_branch"),
    ("demo_manager", "/q/manager_ranking"),
    ("demo_manager", "/q/scorecards"),
    ("demo_manager", "/x/manager_detail"),
    ("demo_branch_head", "/q/org_performance"),
    ("demo_branch_head", "/q/manager_performance"),
    ("demo_branch_head", "/q/top_customers"),
    ("demo_head_office", "/q/org_performance?org=0001"),
    ("demo_head_office", "/q/org_performance?org=0001&period=Y"),
    ("demo_head_office", "/q/manager_performance"),
    ("demo_head_office", "/q/plan_completion"),
    ("demo_head_office", "/q/comparison"),
    ("demo_head_office", "/q/analysis"),
    ("demo_head_office", "/q/org_ranking"),
    ("demo_head_office", "/q/manager_ranking"),
    ("demo_head_office", "/q/top_customers"),
    ("demo_head_office", "/q/top_customers?rank_by=increase_y_rank&acct_type=LOAN"),
    ("demo_head_office", "/q/manager_customers"),
    ("demo_head_office", "/q/maturing"),
    ("demo_head_office", "/q/contribution"),
    ("demo_head_office", "/q/marketing"),
    ("demo_head_office", "/q/scorecards"),
    ("demo_head_office", "/q/scorecards?subject_type=ORG&period_type=YEAR"),
    ("demo_head_office", "/x/top_customers"),
    ("demo_office", "/admin"),
    ("demo_office", "/admin/history/plan"),
    ("demo_office", "/requests"),
    ("demo_office", "/status"),
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
    args = parser.parse_args()
    from waitress.server import create_server

    from portal.app import create_app

    passwords = {}
    for line in (settings.home() / "demo_users.txt").read_text().splitlines():
        fields = line.split("\t")
        if len(fields) >= 3:
            passwords[fields[0]] = fields[2]
    server = create_server(create_app(), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    browsers: dict[str, Browser] = {}
    slowest = (0.0, "")
    print(f"{'user':<18} {'page':<58} {'best s':>7} {'bytes':>9}")
    for login, path in PAGES:
        if login not in browsers:
            browsers[login] = Browser(base)
            browsers[login].login(login, passwords[login])
        best, size = float("inf"), 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            status, body = browsers[login].get(path)
            best = min(best, time.perf_counter() - started)
            size = len(body)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
        slowest = max(slowest, (best, path))
        print(f"{login:<18} {path:<58} {best:7.3f} {size:9,d}")
    print(f"slowest: {slowest[1]} in {slowest[0]:.3f} s")
    server.close()


if __name__ == "__main__":
    main()
