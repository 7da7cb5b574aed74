"""The SQLite store: state tables plus the event log, written in one transaction per command.

One connection, one writer (the hub's thread). WAL, ``synchronous=FULL`` (a printed
ticket number must never be handed out twice after a power cut), a busy timeout,
and schema migrations with sqlite-utils' ``Migrations``. Order of work for a
command (DESIGN.md §5): BEGIN IMMEDIATE → check the request id → apply → append
events → store the reply → COMMIT. The hub copies its WAL back into the database
from a thread of its own (`Checkpointer`), not inside one of those commits.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from hall.core.engine import Engine, Outcome
from hall.core.events import DayStarted, Event, decode_data
from hall.core.history import History
from hall.core.model import (
    STREAMS,
    Appointment,
    FollowUpCase,
    Ticket,
    TicketState,
    WindowStatus,
)

SCHEMA_SET = "yichuang"
log = logging.getLogger("hall.store")

# With a background checkpointer, SQLite's own checkpoint stays as a backstop should the
# thread fall behind (pages of WAL; SQLite's default is 1,000), and a WAL that grew in a
# burst is cut back to this size once it has been copied into the database.
BACKSTOP_PAGES = 20_000
WAL_KEEP_BYTES = 16 * 1024 * 1024


class StoreError(Exception):
    """The database cannot be used as it is. The message says what to do."""


def _columns(cls: type) -> dict[str, type]:
    out: dict[str, type] = {}
    for f in fields(cls):
        ann = str(f.type)
        if ann.startswith("int") or ann == "bool":
            out[f.name] = int
        elif ann.startswith("float"):
            out[f.name] = float
        else:
            out[f.name] = str
    return out


migrations = Migrations(SCHEMA_SET)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("tickets").create(_columns(Ticket), pk="id")
    db.table("tickets").create_index(["day", "queue"])
    db.table("tickets").create_index(["state"])
    db.table("windows").create(_columns(WindowStatus), pk="number")
    db.table("counters").create({"day": str, "queue": str, "last": int}, pk=("day", "queue"))
    db.table("appointments").create(_columns(Appointment), pk="id")
    db.table("cases").create(_columns(FollowUpCase), pk="id")
    db.table("events").create(
        {"id": int, "stream": str, "seq": int, "type": str, "at": str, "data": str,
         "device": str, "command": str},
        pk="id",
    )  # fmt: skip
    db.table("events").create_index(["stream", "seq"], unique=True)
    db.table("events").create_index(["type", "at"])
    db.table("replies").create(
        {"req_id": str, "device": str, "command": str, "reply": str, "at": str}, pk="req_id"
    )


@migrations()
def m002_drop_events_type_index(db: sqlite_utils.Database) -> None:
    """events(type, at) was never read by a query, and every saved event paid for it: one
    more B-tree page in each commit (issue 3)."""
    db.execute("DROP INDEX IF EXISTS idx_events_type_at")


@migrations()
def m003_ticket_token(db: sqlite_utils.Database) -> None:
    """Every ticket's token, which its QR carries to the web gateway (issue 20)."""
    # (a new database has it already: m001 makes the table from today's Ticket)
    if "token" not in db.table("tickets").columns_dict:
        db.execute("ALTER TABLE tickets ADD COLUMN token TEXT")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_tickets_token ON tickets(token)")


@migrations()
def m004_booking_code(db: sqlite_utils.Database) -> None:
    """An online booking's code and whether it was cancelled (issue 20)."""
    cols = db.table("appointments").columns_dict
    if "code" not in cols:
        db.execute("ALTER TABLE appointments ADD COLUMN code TEXT")
    if "cancelled" not in cols:
        db.execute("ALTER TABLE appointments ADD COLUMN cancelled INTEGER DEFAULT 0")


KNOWN_MIGRATIONS = {
    "m001_initial", "m002_drop_events_type_index", "m003_ticket_token", "m004_booking_code",
}  # fmt: skip


class Checkpointer:
    """Copies the WAL back into the database from a thread and a connection of its own,
    so that no command waits for it.

    Left to SQLite, the commit that takes the WAL past 1,000 pages copies them all into
    the database and syncs it before it returns: in `hall bench hub` every ~100th commit
    took 3 ms instead of under one, and the requests behind it in a burst waited too. A
    PASSIVE checkpoint runs beside the writer and never blocks it; the WAL starts over
    from its beginning at the first commit after a checkpoint that caught up."""

    def __init__(self, path: Path, every: float = 0.5) -> None:
        self.path, self.every = path, every
        self.last: tuple[int, int, int] | None = None  # (busy, WAL frames, frames copied)
        self._stop = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            log.error("WAL checkpointer cannot open %s (%s); SQLite's own checkpoint "
                      "will do", self.path, e)  # fmt: skip
            return
        try:
            while not self._stop.wait(self.every):
                self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as e:  # e.g. a full disk; commits are still safe in the WAL
            if not self._failing:
                log.warning("WAL checkpoint failed (%s); will retry", e)
            self._failing = True
            return
        if self._failing:
            log.info("WAL checkpoint works again")
        self._failing = False
        self.last = (int(row[0]), int(row[1]), int(row[2]))


#: ticket columns hall.core.history does not learn from (the records get their defaults)
_NOT_LEARNED = frozenset({"history", "person_hash", "id_masked", "name_masked", "token"})


def _history(conn: sqlite3.Connection, today: date, days: int) -> History:
    since = (today - timedelta(days=days)).isoformat()
    window, args = "day >= ? AND day < ?", [since, today.isoformat()]
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in ("tickets", "appointments"):
        # every column but those History.learn never reads (a ticket's step list is most
        # of its row, and parsing it most of the time: 90 busy days are 135,000 tickets)
        keep = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                if table != "tickets" or r[1] not in _NOT_LEARNED]  # fmt: skip
        cols = ", ".join(f'"{c}"' for c in keep)
        cur = conn.execute(f"SELECT {cols} FROM {table} WHERE {window}", args)
        names = [d[0] for d in cur.description]
        rows[table] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    h = History()
    h.learn([Ticket.from_dict(r) for r in rows["tickets"]],
            [Appointment.from_dict(r) for r in rows["appointments"]])  # fmt: skip
    return h


def read_history(path: str | Path, today: date, days: int = 90) -> History:
    """`Store.history` over a read-only connection of its own: for a thread beside the
    store's owner (the hub relearns each day without holding up its loop)."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        return _history(conn, today, days)
    finally:
        conn.close()


class Store:
    """The hall database. Not thread-safe: one owner."""

    def __init__(self, path: str | Path, *, checkpoint_every: float | None = None) -> None:
        """Open (or create) the database. `checkpoint_every` (seconds): copy the WAL into
        the database from a thread (`Checkpointer`), not inside a commit — the hub's way.
        None leaves it to SQLite (scripts, reports, tests)."""
        self.path = Path(path)
        self.checkpointer: Checkpointer | None = None
        try:
            self.conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False
            )
            self.conn.execute("PRAGMA busy_timeout = 5000")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self.conn.execute("PRAGMA synchronous = FULL")
            ok = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.path}: not a usable hall database ({e}). Nothing was changed; "
                "restore it from a backup or start with a new file."
            ) from e
        if ok != "ok":
            raise StoreError(
                f"{self.path}: the database is damaged ({ok}); restore it from a backup"
            )
        if mode.lower() != "wal":
            raise StoreError(f"{self.path}: cannot use WAL journal mode (got {mode})")
        self.db = sqlite_utils.Database(self.conn)
        self._check_version()
        pending = [m.name for m in migrations.pending(self.db)]
        migrations.apply(self.db)
        if pending and len(pending) < len(KNOWN_MIGRATIONS):  # not for a new, empty file
            log.info("%s: schema upgraded (%s)", self.path, ", ".join(pending))
        self._seq = {s: self._max_seq(s) for s in STREAMS}
        self._in_tx = False
        if checkpoint_every is not None:
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
            self.conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
            self.checkpointer = Checkpointer(self.path, checkpoint_every)
            self.checkpointer.start()

    def _check_version(self) -> None:
        table = self.db.table(Migrations.migrations_table)
        if not table.exists():
            if [t for t in self.db.table_names() if not t.startswith("sqlite_")]:
                raise StoreError(f"{self.path}: this is not a hall database (unknown tables)")
            return
        applied = {r["name"] for r in table.rows_where("migration_set = ?", [SCHEMA_SET])}
        newer = applied - KNOWN_MIGRATIONS
        if newer:
            raise StoreError(
                f"{self.path}: written by a newer version of Yichuang (schema {sorted(newer)}); "
                "upgrade this program — the database was left untouched"
            )

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.conn.close()

    def _max_seq(self, stream: str) -> int:
        row = self.conn.execute("SELECT max(seq) FROM events WHERE stream = ?", [stream]).fetchone()
        return int(row[0] or 0)

    def seq(self, stream: str) -> int:
        """The last committed sequence number of a stream."""
        return self._seq[stream]

    # ------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT; ROLLBACK on any exception (sequence numbers too)."""
        seq_before = dict(self._seq)
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._seq = seq_before
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._seq = seq_before
                raise
        finally:
            self._in_tx = False

    def reply_for(self, req_id: str) -> str | None:
        """The stored reply of a request already applied (a retry), or None."""
        row = self.conn.execute("SELECT reply FROM replies WHERE req_id = ?", [req_id]).fetchone()
        return None if row is None else str(row[0])

    def save(
        self,
        outcome: Outcome,
        *,
        device: str = "",
        command: str = "",
        req_id: str | None = None,
        reply: str | None = None,
    ) -> list[Event]:
        """Write a command's changes, events and reply. Call inside `transaction()`. Returns
        the events as saved: numbered, their data encoded (what the hub publishes)."""
        if not self._in_tx:
            raise RuntimeError("Store.save outside a transaction")
        ch = outcome.changes
        self._save_tickets([t.to_row() for t in ch.tickets.values()])
        self._upsert("windows", [w.to_row() for w in ch.windows.values()])
        self._upsert("appointments", [a.to_row() for a in ch.appointments.values()])
        self._upsert("cases", [c.to_row() for c in ch.cases.values()])
        self._upsert(
            "counters",
            [{"day": d.isoformat(), "queue": q, "last": n} for (d, q), n in ch.counters.items()],
        )
        for ev in outcome.events:
            if isinstance(ev.data, DayStarted):
                self.set_meta("day", ev.data.day)
        stored = self._append(outcome.events, device, command)
        if req_id is not None and reply is not None:
            self.conn.execute(
                "INSERT INTO replies (req_id, device, command, reply, at) VALUES (?, ?, ?, ?, ?)",
                [req_id, device, command, reply, datetime.now().isoformat(timespec="seconds")],
            )
        return stored

    def save_reply(self, req_id: str, reply: str, *, device: str = "", command: str = "") -> None:
        """Remember the reply of a refused or read-only request too, so a retry sees the same."""
        self.conn.execute(
            "INSERT OR REPLACE INTO replies (req_id, device, command, reply, at) VALUES (?, ?, ?, ?, ?)",
            [req_id, device, command, reply, datetime.now().isoformat(timespec="seconds")],
        )

    def prune_replies(self, before: datetime) -> int:
        """Forget stored replies written before `before` (wall clock); returns how many.

        A reply is kept only so that a retry of the same request gets the same answer, and
        retries come within seconds (request ids carry a per-start session, so an old id is
        never reused). Replies also hold what a command answered — a ticket with the masked
        name of its holder — which the hall should not keep longer than it needs."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM replies WHERE at < ?", [before.isoformat(timespec="seconds")]
            )
        return int(cur.rowcount)

    def _save_tickets(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert new tickets and update changed ones — never replace a ticket by another
        with the same id (a number handed out twice): the row is kept and the transaction
        fails, so the hub answers 'not saved' and reloads instead of losing a ticket."""
        if not rows:
            return
        cols = list(rows[0])
        sql = (
            f"INSERT INTO tickets ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols)} "
            "WHERE tickets.issued_at = excluded.issued_at"
        )
        before = self.conn.total_changes
        self.conn.executemany(sql, [[r[c] for c in cols] for r in rows])
        if self.conn.total_changes - before != len(rows):
            taken = [r["id"] for r in rows if self._other_ticket(r)]
            raise sqlite3.IntegrityError(f"ticket number already taken: {', '.join(taken)}")

    def _other_ticket(self, row: dict[str, Any]) -> bool:
        found = self.conn.execute(
            "SELECT issued_at FROM tickets WHERE id = ?", [row["id"]]
        ).fetchone()
        return found is not None and found[0] != row["issued_at"]

    def _upsert(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        cols = list(rows[0])
        sql = (
            f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})"
        )
        self.conn.executemany(sql, [[r[c] for c in cols] for r in rows])

    def _append(self, events: Sequence[Event], device: str, command: str) -> list[Event]:
        out = []
        for ev in events:
            self._seq[ev.stream] += 1
            saved = ev.numbered(self._seq[ev.stream])  # its data encoded, once
            self.conn.execute(
                "INSERT INTO events (stream, seq, type, at, data, device, command) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [ev.stream, saved.seq, ev.type, ev.at.isoformat(), saved.encoded.decode(),
                 device, command],
            )  # fmt: skip
            out.append(saved)
        return out

    # ------------------------------------------------------------ meta

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def new_epoch(self) -> int:
        """A new epoch for this hub start (clients re-snapshot when it changes): the Unix
        time in milliseconds, or the last epoch + 1 if that is not later. Not a plain count:
        a database restored from a backup would hand out an epoch its clients already know,
        with lower sequence numbers, and they would never re-snapshot."""
        with self.transaction():
            epoch = max(int(self.get_meta("epoch", "0") or 0) + 1, int(time.time() * 1000))
            self.set_meta("epoch", str(epoch))
        return epoch

    # ------------------------------------------------------------ reading

    def events_since(self, stream: str, seq: int, limit: int = 10_000) -> list[Event]:
        """A stream's saved events after `seq`, in order (types this version does not know
        are left out)."""
        rows = self.conn.execute(
            "SELECT seq, type, at, data FROM events WHERE stream = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            [stream, seq, limit],
        ).fetchall()
        out = []
        for seq_, type_, at, data in rows:
            typed = decode_data(type_, data)
            if typed is not None:
                out.append(Event(datetime.fromisoformat(at), typed, seq_, data.encode()))
        return out

    def restore(self, engine: Engine) -> None:
        """Rebuild an engine's state from the database (after a restart or a failed commit)."""
        day_s = self.get_meta("day")
        day = date.fromisoformat(day_s) if day_s else None
        active = [s.value for s in TicketState if s.active]
        marks = ",".join("?" for _ in active)
        # today's tickets, any day's still active, and any issued after the day's
        # housekeeping last ran (a hall open across midnight)
        q = f"SELECT * FROM tickets WHERE day >= ? OR state IN ({marks})"
        cur = self.conn.execute(q, [day_s or "", *active])
        names = [d[0] for d in cur.description]
        tickets = [Ticket.from_dict(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
        windows = [WindowStatus.from_dict(r) for r in self.db.table("windows").rows]
        counters = self._counters(engine, day_s or "")
        appointments = [
            Appointment.from_dict(r)
            for r in self.db.table("appointments").rows_where("day >= ?", [day_s or ""])
        ]
        cases = [FollowUpCase.from_dict(r) for r in self.db.table("cases").rows]
        engine.restore(
            day=day, tickets=tickets, windows=windows, counters=counters,
            appointments=appointments, cases=cases,
        )  # fmt: skip

    def _counters(self, engine: Engine, since: str) -> dict[tuple[date, str], int]:
        """The last number of each queue and day from `since` on: the counters table, and
        the tickets themselves (a number in the tickets table is taken whatever the
        counters say), so no number is handed out twice."""
        out: dict[tuple[date, str], int] = {}
        for r in self.db.table("counters").rows_where("day >= ?", [since]):
            out[(date.fromisoformat(r["day"]), r["queue"])] = int(r["last"])
        queue_of = {q.prefix: q.id for q in engine.layout.queues.values()}
        rows = self.conn.execute("SELECT day, number FROM tickets WHERE day >= ?", [since])
        for day_s, number in rows:
            prefix, digits = number[:1], number[1:]
            if prefix in queue_of and digits.isdigit():
                key = (date.fromisoformat(day_s), queue_of[prefix])
                out[key] = max(out.get(key, 0), int(digits))
        return out

    def history(self, today: date, days: int = 90) -> History:
        """What the hall learned from its tickets and appointments of the `days` calendar
        days before `today` (hall.core.history: the wait estimate's and the advisor's
        constants); today's records, still open, are left out."""
        return _history(self.conn, today, days)

    def apply(self, outcome: Outcome, *, device: str = "", command: str = "") -> list[Event]:
        """Convenience for scripts and tests: save one outcome in its own transaction."""
        with self.transaction():
            return self.save(outcome, device=device, command=command)
