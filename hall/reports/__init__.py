"""Reports from a hall database: statistics, rating follow-ups and clerk assessments.

Everything here reads the database read-only (``mode=ro``); the event log is the
source of every figure. Pure rules (no I/O) live in `rules` and `followup`.
"""
