"""Online backups of the hall database and their restore.

`backup` copies a database that a running hub keeps writing, with SQLite's online backup
API: one step, inside one read transaction, so the copy is the database as it stood at one
commit — every command acknowledged before the backup began is in it, and a command
half-written is not. WAL readers never block the hub's writer (nor it them). The copy is
switched to a single self-contained file (journal_mode DELETE), given the database's
permissions, integrity-checked, synced, and only then renamed over the target: a crash or
a full disk leaves the last good backup as it was.

`restore` puts a backup in place of the database while no hub serves it: it takes the
hub's own lock (DB.lock, `hall.server.dblock.DatabaseLock`) for the whole time, so a hub
started meanwhile stops at once, and it checks the backup (integrity, a hall database,
no schema newer than this program) before it touches anything. The database it replaces
is kept beside it (DB.before-restore-TIMESTAMP, with its WAL), never deleted.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hall.server.store import KNOWN_MIGRATIONS, SCHEMA_SET

BACKUP_GLOB = "hall-*.db"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do.
    Nothing was changed."""


@dataclass(frozen=True)
class Checked:
    """What a check of a database file found."""

    path: Path
    tickets: int
    last_ticket: str  # the latest issued ticket's "day number", or ""
    schema: tuple[str, ...]  # migrations applied
    size: int

    def describe(self) -> str:
        last = f", last {self.last_ticket}" if self.last_ticket else ""
        return (f"{self.tickets} tickets{last}, schema {len(self.schema)}, "
                f"{self.size / 1e6:.1f} MB")  # fmt: skip


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to an existing file (sqlite3 would create a missing one)."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn
    except sqlite3.Error as e:
        raise BackupError(f"{path}: cannot open it ({e})") from e


def check(conn: sqlite3.Connection, path: Path) -> Checked:
    """A hall database in good order, of a schema this program knows; else BackupError."""
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise BackupError(f"{path}: damaged ({'; '.join(problems[:3])})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "_sqlite_migrations" not in tables or "tickets" not in tables:
            raise BackupError(f"{path}: not a hall database")
        schema = tuple(
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY name",
                [SCHEMA_SET],
            )
        )
        newer = sorted(set(schema) - KNOWN_MIGRATIONS)
        if newer:
            raise BackupError(
                f"{path}: written by a newer version of Yichuang (schema {newer}); "
                "use that version, or upgrade this one"
            )
        tickets = int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
        row = conn.execute("SELECT day, number FROM tickets ORDER BY issued_at DESC LIMIT 1")
        last = row.fetchone()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path}: not a usable hall database ({e})") from e
    return Checked(path, tickets, f"{last[0]} {last[1]}" if last else "", schema,
                   path.stat().st_size)  # fmt: skip


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def target_file(to: Path, now: datetime | None = None) -> Path:
    """--to FILE as given; --to DIR (an existing folder): DIR/hall-YYYYMMDD-HHMMSS.db."""
    if to.is_dir():
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        return to / f"hall-{stamp}.db"
    return to


def backup(db: Path, to: Path) -> Checked:
    """Copy `db` (a hub may be serving it) to the file `to`, atomically. Returns the check of
    the copy. Raises BackupError, leaving `to` as it was."""
    if to.exists() and not to.is_file():
        raise BackupError(f"{to}: not a file")
    if not to.parent.is_dir():
        raise BackupError(f"{to.parent}: no such folder")
    if to.resolve() == db.resolve():
        raise BackupError(f"{to}: that is the database itself")
    src = _connect(db)
    tmp: Path | None = None
    try:
        tmp = _private_file(to.parent, f".{to.name}.")
        check_source(src, db)
        dst = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(dst)  # pages=-1: every page in one step, one consistent snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            checked = check(dst, tmp)
        finally:
            dst.close()
        os.chmod(tmp, db.stat().st_mode & 0o666)  # no more readable than the database
        _fsync_file(tmp)
        os.replace(tmp, to)
        _fsync_dir(to.parent)
    except sqlite3.Error as e:
        raise BackupError(f"backup of {db} to {to} failed ({e}); {to} was left as it was") from e
    except OSError as e:
        raise BackupError(f"backup of {db} to {to} failed ({e.strerror}); "
                          f"{to} was left as it was") from e  # fmt: skip
    finally:
        src.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return Checked(to, checked.tickets, checked.last_ticket, checked.schema, to.stat().st_size)


def check_source(conn: sqlite3.Connection, path: Path) -> None:
    """The live database is a hall database (a quick look: no integrity check of the live
    file, which would hold a read transaction over the whole of it for long)."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path}: not a usable hall database ({e})") from e
    if "_sqlite_migrations" not in tables or "tickets" not in tables:
        raise BackupError(f"{path}: not a hall database")


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` hall-*.db backups in `folder`; returns the deleted."""
    found = sorted(folder.glob(BACKUP_GLOB))  # the timestamp in the name sorts by time
    gone = found[:-keep] if keep > 0 else []
    for p in gone:
        p.unlink(missing_ok=True)
    return gone


def restore(source: Path, db: Path, now: datetime | None = None) -> tuple[Checked, Path | None]:
    """Put the backup `source` in place of `db`, which no hub may be serving. Returns the
    check of the backup and where the replaced database was kept (None if there was none).
    Raises BackupError (DatabaseInUse's message when a hub holds `db`) and changes nothing
    then."""
    from hall.server.dblock import DatabaseLock, DatabaseUnusable

    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if db.exists() and source.resolve() == db.resolve():
        raise BackupError(f"{source}: that is the database itself")
    try:
        lock = DatabaseLock(db)
    except DatabaseUnusable as e:
        raise BackupError(f"{e}; the database was not touched") from None
    if os.geteuid() == 0:  # a lock file root made must stay one the hub's user can open
        folder = lock.path.parent.stat()
        os.chown(lock.path, folder.st_uid, folder.st_gid)
    try:
        conn = _connect(source)
        try:
            checked = check(conn, source)
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                # a live database copied by hand: its WAL would not travel with it
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        tmp: Path | None = None
        try:
            tmp = _private_file(db.parent, f".{db.name}.restore-")
            _copy(source, tmp)
            _same_owner(tmp, db)
            kept = _set_aside(db, now or datetime.now())
            os.replace(tmp, db)
            _fsync_dir(db.parent)
        except OSError as e:
            raise BackupError(f"restore of {db} failed ({e.strerror})") from e
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
    finally:
        lock.release()
    return checked, kept


def _private_file(folder: Path, prefix: str) -> Path:
    """An empty file of an unguessable name in `folder`, readable by its owner only (0600,
    whatever the umask): a copy of the hall is written into it, and only once whole and
    checked does it get the database's mode. (SQLite makes a journal with its database's
    mode.) Created by open(O_EXCL), so nobody can have put a link there first."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(name)


def _copy(source: Path, to: Path) -> None:
    with source.open("rb") as f, to.open("wb") as g:
        while chunk := f.read(1 << 20):
            g.write(chunk)
        g.flush()
        os.fsync(g.fileno())


def _same_owner(new: Path, old: Path) -> None:
    """The restored file gets the owner and mode of the one it replaces (or, with none, the
    owner of its folder, mode 0640): a restore run as root must leave a database the hub's
    user can write."""
    try:
        st, mode = old.stat(), old.stat().st_mode & 0o7777
    except FileNotFoundError:
        st, mode = old.parent.stat(), 0o640
    os.chmod(new, mode)
    if os.geteuid() == 0:
        os.chown(new, st.st_uid, st.st_gid)


def _set_aside(db: Path, now: datetime) -> Path | None:
    """Move DB and its -wal and -shm to DB.before-restore-TIMESTAMP (and -wal): SQLite
    names a WAL after its database, so the pair stays a pair, and the restored file never
    meets the old WAL (which SQLite would replay into it)."""
    if not db.exists():
        for extra in ("-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        return None
    aside = db.with_name(f"{db.name}.before-restore-{now.strftime('%Y%m%d-%H%M%S')}")
    while aside.exists():
        aside = aside.with_name(aside.name + "+")
    for extra in ("-wal", "-shm"):
        old = Path(f"{db}{extra}")
        if old.exists():
            os.replace(old, Path(f"{aside}{extra}"))
    os.replace(db, aside)
    return aside
