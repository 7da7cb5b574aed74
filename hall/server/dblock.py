"""One hub per database: an exclusive lock file held while the hub serves it."""

from __future__ import annotations

import os
from pathlib import Path


class DatabaseUnusable(Exception):
    """The hub cannot take this database (said in one line by `hall serve`)."""


class DatabaseInUse(DatabaseUnusable):
    """Another hub serves this database (two writers would refuse each other's commits)."""


class DatabaseLock:
    """An exclusive lock on DB.lock (flock) for as long as the hub serves DB: a second
    hub started on the same database stops at once with a clear message, instead of
    serving devices and failing every command with "could not save". The lock goes with
    the process, however it ends."""

    def __init__(self, db: Path) -> None:
        import fcntl

        real = Path(os.path.realpath(db))  # one lock however the database is named
        if not real.parent.is_dir():
            raise DatabaseUnusable(f"{db}: its folder {real.parent} does not exist")
        self.path = Path(f"{real}.lock")
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip()
            os.close(self._fd)
            raise DatabaseInUse(
                f"{db} is in use by another hub (pid {holder or '?'}); stop it first, "
                "or give this one another --db"
            ) from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, str(os.getpid()).encode(), 0)

    def release(self) -> None:
        os.close(self._fd)  # closing drops the lock; the file stays (removing it would race)
