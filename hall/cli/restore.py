"""`hall restore --from FILE --db DB`: put a backup in place of the database (hub stopped)."""

from __future__ import annotations

from hall.cli.backup import add_restore_arguments as add_arguments
from hall.cli.backup import run_restore as run

__all__ = ["add_arguments", "run"]
