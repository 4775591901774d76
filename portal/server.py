"""``bankperf web``: serve the portal with waitress (a production WSGI server, several threads)."""

from __future__ import annotations

import logging

from waitress import serve as waitress_serve

from portal.app import create_app


def serve(host: str = "127.0.0.1", port: int = 8080, threads: int = 8) -> None:
    logging.basicConfig(level=logging.INFO)
    print(f"bankperf portal on http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    waitress_serve(create_app(), host=host, port=port, threads=threads, ident="bankperf")
