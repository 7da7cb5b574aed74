"""`hall backup`: copy the hall database while the hub runs; `hall restore`: put a backup back.

Exit codes: 0 done, 1 the backup or restore failed (nothing was changed), 2 a usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, required=True, help="the hall database (the hub's --db)")
    p.add_argument(
        "--to", type=Path, required=True, metavar="FILE|DIR",
        help="the backup file, replaced atomically; an existing folder: "
        "a new FOLDER/hall-YYYYMMDD-HHMMSS.db in it",
    )  # fmt: skip
    p.add_argument(
        "--keep", type=int, metavar="N",
        help="with --to DIR: then delete all but the newest N hall-*.db in it",
    )  # fmt: skip


def add_restore_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE",
                   help="a backup made by `hall backup`")  # fmt: skip
    p.add_argument("--db", type=Path, required=True,
                   help="the hall database to replace; no hub may be serving it")  # fmt: skip


def _failed(text: str) -> None:
    """The one sentence of a failure on stderr; to the journal (a timer's run) at priority
    err, so that `journalctl -p warning` shows it."""
    from hall.cli.logs import journal_prefix, to_journal

    journal = to_journal(sys.stderr)
    print((journal_prefix(logging.ERROR) if journal else "") + text, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from hall.server.backup import BackupError, backup, prune, target_file

    if args.keep is not None and (args.keep < 1 or not args.to.is_dir()):
        print("hall backup: --keep N needs N ≥ 1 and --to an existing folder", file=sys.stderr)
        return 2
    to = target_file(args.to)
    try:
        done = backup(args.db, to)
    except BackupError as e:
        _failed(f"hall backup: {e}")
        return 1
    print(f"备份完成 backed up {args.db} to {to}: {done.describe()}, integrity ok")
    if args.keep is not None:
        for p in prune(args.to, args.keep):
            print(f"removed the old backup {p}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from hall.server.backup import BackupError, restore

    try:
        checked, kept = restore(args.source, args.db)
    except BackupError as e:
        _failed(f"hall restore: {e}")
        return 1
    print(f"恢复完成 restored {args.db} from {args.source}: {checked.describe()}")
    if kept is not None:
        print(f"the database it replaced is kept as {kept}")
    print("start the hub (`hall serve`); it upgrades an older schema as it starts")
    return 0
