"""Management inputs (schema ``control``): import, validate, keep history, export.

The kinds are data (``kinds.yaml``); ``catalog`` reads them, ``files`` reads and writes CSV
and Excel, ``validate`` checks every row and every set (``rules``), ``store`` keeps the
append-only history in PostgreSQL.
"""
