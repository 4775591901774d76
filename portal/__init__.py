"""The bankperf portal: managers, branch heads and the performance office at work in a browser.

``bankperf web [--host H --port P]`` (``make web``) serves it with waitress (default
127.0.0.1:8080). Modules: :mod:`portal.app` (Flask app, sessions, login, CSRF, idle timeout,
query pages and exports), :mod:`portal.db` (the user's identity on every query: ``SET ROLE``),
:mod:`portal.pages` (the query pages as data), :mod:`portal.params` (pickers),
:mod:`portal.queries` (rows, charts, ``.xlsx``), :mod:`portal.text` (Chinese-first labels and
number formats), :mod:`portal.lockout`, :mod:`portal.admin` (management inputs),
:mod:`portal.ownership` (ownership requests and approval), :mod:`portal.status` (run status).
"""
