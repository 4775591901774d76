"""General-ledger reconciliation: the finance-facing report of ``marts.rpt_gl_reconciliation``."""
