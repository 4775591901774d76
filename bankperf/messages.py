"""How a long message is shown where there is room for one line (progress, logs, status)."""

from __future__ import annotations

DBT_ERRORS_MARKER = "Errors parsed from dbt logs:"


def first_line(text: str | None, empty: str = "") -> str:
    """The message's first line; for a failed dbt build, the errors dbt reported, joined.

    dagster-dbt's failure text starts with a generic line and lists dbt's own errors after
    ``Errors parsed from dbt logs:``; those name the failing model or test, so they are the line.
    ``empty`` is what an empty or missing message shows as.
    """
    text = (text or "").strip()
    if DBT_ERRORS_MARKER in text:
        errors = [line.strip() for line in text.split(DBT_ERRORS_MARKER, 1)[1].splitlines() if line.strip()]
        return "dbt build failed: " + "; ".join(errors)
    return text.splitlines()[0] if text else empty
