"""Loaders: bulk-copy the core system's daily interface files into ``raw`` without losing a row.

One module per concern: ``contract`` (feed layouts as data), ``delivery`` (READY and
control files), ``reader`` (decoding and line validation), ``ddl`` (raw tables generated
from the contract), ``audit`` (load log and rejects), ``load`` (one feed-date, atomically).
"""
