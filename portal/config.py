"""The portal's settings: environment variables with safe local defaults, read when asked for.

- ``BANKPERF_PORTAL_STATE``: the portal's own folder (signing key, login attempts); default ``var/portal``.
- ``BANKPERF_PORTAL_SECRET``: the key that signs session cookies. Default: generated on first use
  into ``var/portal/secret_key`` (mode 600; every worker on the machine shares it).
- ``BANKPERF_PORTAL_IDLE_MINUTES`` (30): a session unused this long must log in again.
- ``BANKPERF_PORTAL_LOCKOUT_FAILURES`` (5) wrong passwords within ``BANKPERF_PORTAL_LOCKOUT_MINUTES``
  (15) lock the login for that many minutes.
- ``BANKPERF_PORTAL_SECURE_COOKIE`` (0): 1 behind TLS, so the browser sends the cookie over HTTPS only.
- ``BANKPERF_PORTAL_POOL`` (8): connections of the portal's service role per worker process.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bankperf import settings


def state_dir() -> Path:
    path = Path(os.environ.get("BANKPERF_PORTAL_STATE") or settings.home() / "portal")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def secret_key() -> str:
    if os.environ.get("BANKPERF_PORTAL_SECRET"):
        return os.environ["BANKPERF_PORTAL_SECRET"]
    path = state_dir() / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def idle_minutes() -> float:
    return float(os.environ.get("BANKPERF_PORTAL_IDLE_MINUTES", 30))


def lockout_failures() -> int:
    return _int("BANKPERF_PORTAL_LOCKOUT_FAILURES", 5)


def lockout_minutes() -> int:
    return _int("BANKPERF_PORTAL_LOCKOUT_MINUTES", 15)


def secure_cookie() -> bool:
    return os.environ.get("BANKPERF_PORTAL_SECURE_COOKIE", "0") == "1"


def pool_size() -> int:
    return _int("BANKPERF_PORTAL_POOL", 8)
