"""The SQLite store: one transaction per command, rebuild after a restart, clear refusals."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hall.core.engine import Engine, PersonRef
from hall.core.layout import Layout, default_layout_path, load_layout
from hall.server.store import Store, StoreError


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(default_layout_path())


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


def busy_morning(engine: Engine, store: Store, clock: Clock) -> None:
    """A small scripted morning touching every kind of record."""
    store.apply(engine.housekeep())
    for w, post, no in ((9, "A", "0901"), (10, "B", "1002"), (1, "A", "0101")):
        store.apply(engine.sign_in(window=w, post=post, staff_no=no, name="王小明"))
        store.apply(engine.open_window(window=w))
    for i in range(12):
        q = "M" if i % 3 else "G"
        person = PersonRef(f"hash{i}", "5001**********1234", "张*三") if i % 2 else None
        store.apply(engine.issue(queue=q, person=person))
        clock.advance(1)
    store.apply(engine.call_next(window=9))
    store.apply(engine.start(window=9))
    clock.advance(7)
    store.apply(engine.finish(window=9))
    store.apply(
        engine.rate(ticket=engine.windows[9].last_finished or "", level=1, reasons=["态度"])
    )
    store.apply(engine.call_next(window=10))
    store.apply(engine.transfer(window=10, to_queue="G", note="需综合窗口办理"))
    store.apply(engine.call_next(window=1))
    store.apply(engine.park(window=1, note="回去取材料"))
    store.apply(engine.call_next(window=1))
    store.apply(engine.recall(window=1))
    store.apply(engine.set_profile(window=10, profile={"M": 1.0, "G": 0.5}, by="manager-1"))
    store.apply(engine.pause(window=9, reason="会议"))


def test_state_is_rebuilt_exactly_after_restart(tmp_path: Path, layout: Layout) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, 0))
    db = tmp_path / "hall.db"
    engine, store = Engine(layout, clock), Store(db)
    busy_morning(engine, store, clock)
    store.close()
    # Drop the process state entirely; reopen the file and rebuild.
    fresh = Engine(layout, clock)
    reopened = Store(db)
    reopened.restore(fresh)
    assert fresh.state_digest() == engine.state_digest()
    # The rebuilt engine goes on exactly as the original would.
    a = engine.call_next(window=10).value["ticket"]
    b = fresh.call_next(window=10).value["ticket"]
    assert a == b
    assert fresh.issue(queue="M").value["ticket"]["number"] == "B009"


def test_sequences_per_stream_survive_restart(tmp_path: Path, layout: Layout) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, 0))
    store = Store(tmp_path / "h.db")
    engine = Engine(layout, clock)
    busy_morning(engine, store, clock)
    board, staff = store.seq("board"), store.seq("staff")
    assert board > 10 and staff >= 5
    seqs = [e.seq for e in store.events_since("board", 0)]
    assert seqs == list(range(1, board + 1))
    store.close()
    again = Store(tmp_path / "h.db")
    assert (again.seq("board"), again.seq("staff")) == (board, staff)


def test_an_epoch_is_never_handed_out_twice_not_even_from_a_backup(tmp_path: Path) -> None:
    db, backup = tmp_path / "hall.db", tmp_path / "backup.db"
    s = Store(db)
    first = s.new_epoch()
    s.close()
    shutil.copy(db, backup)  # the night's backup, hub stopped
    s = Store(db)
    second = s.new_epoch()  # this morning's start: clients follow this epoch
    s.close()
    time.sleep(0.005)
    shutil.copy(backup, db)  # the disk failed; the backup goes back
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    s = Store(db)
    third = s.new_epoch()
    s.close()
    assert first < second < third  # a plain count gave second == third: no client re-snapshot


def test_a_failed_transaction_leaves_nothing(tmp_path: Path, layout: Layout) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, 0))
    store = Store(tmp_path / "h.db")
    engine = Engine(layout, clock)
    store.apply(engine.housekeep())
    before = store.seq("board")
    outcome = engine.issue(queue="G")
    with pytest.raises(RuntimeError), store.transaction():
        store.save(outcome, req_id="kiosk-1:1", reply="{}")
        raise RuntimeError("power cut before commit")
    assert store.seq("board") == before
    assert store.reply_for("kiosk-1:1") is None
    assert store.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_replies_are_kept_for_retries(tmp_path: Path, layout: Layout) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, 0))
    store = Store(tmp_path / "h.db")
    engine = Engine(layout, clock)
    with store.transaction():
        store.save(engine.issue(queue="G"), req_id="kiosk-1:7", reply='{"ok": 1}')
    assert store.reply_for("kiosk-1:7") == '{"ok": 1}'
    assert store.reply_for("kiosk-1:8") is None


def test_old_replies_are_pruned_recent_ones_kept(tmp_path: Path, layout: Layout) -> None:
    store = Store(tmp_path / "h.db")
    engine = Engine(layout, Clock(datetime(2026, 11, 26, 9, 0)))
    with store.transaction():
        store.save(engine.issue(queue="G"), req_id="kiosk-1:a.1", reply='{"old": 1}')
        store.save(engine.issue(queue="G"), req_id="kiosk-1:b.1", reply='{"new": 1}')
    two_days_ago = (datetime.now() - timedelta(days=2)).isoformat(timespec="seconds")
    store.conn.execute("UPDATE replies SET at = ? WHERE req_id = 'kiosk-1:a.1'", [two_days_ago])
    assert store.prune_replies(datetime.now() - timedelta(days=1)) == 1
    assert store.reply_for("kiosk-1:a.1") is None
    assert store.reply_for("kiosk-1:b.1") == '{"new": 1}'
    assert store.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2  # only replies
    assert store.prune_replies(datetime.now() - timedelta(days=1)) == 0


def test_durability_settings(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    Store(db).close()
    with sqlite3.connect(db) as c:
        c.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('yichuang', 'm999_future', 'x')"
        )
    size = db.stat().st_size
    with pytest.raises(StoreError, match="newer version"):
        Store(db)
    assert db.stat().st_size == size


def test_corrupt_file_is_refused_not_reset(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable hall database"):
        Store(db)
    assert db.read_bytes().startswith(b"this is not sqlite")


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not a hall database"):
        Store(db)


def test_day_rollover_is_saved(tmp_path: Path, layout: Layout) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, 0))
    store = Store(tmp_path / "h.db")
    engine = Engine(layout, clock)
    store.apply(engine.housekeep())
    store.apply(engine.issue(queue="G"))
    clock.now = datetime(2026, 11, 27, 8, 59)
    out = engine.housekeep()
    assert out.value["expired"] == 1
    store.apply(out)
    fresh = Engine(layout, clock)
    store.restore(fresh)
    assert fresh.day == engine.day
    clock.now = datetime(2026, 11, 27, 9, 0)
    assert fresh.issue(queue="G").value["ticket"]["number"] == "A001"


def _wal_pages(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return (wal.stat().st_size - 32) // (4096 + 24) if wal.exists() else 0


def _write_pages(store: Store, n: int) -> None:
    for i in range(n):  # a page-sized value per commit: about one WAL page each
        with store.transaction():
            store.set_meta(f"filler{i % 50}", "x" * 3000)


def test_the_hubs_wal_is_copied_back_outside_every_commit(tmp_path: Path) -> None:
    """SQLite's own checkpoint would have run inside the commit that passed 1,000 pages;
    with a checkpointer no commit does, and the checkpointer copies them all."""
    db = tmp_path / "h.db"
    store = Store(db, checkpoint_every=3600)  # the thread waits: the test drives it
    assert store.checkpointer is not None
    _write_pages(store, 1300)
    assert _wal_pages(db) > 1300  # no commit checkpointed (SQLite's would, at 1,000)
    conn = sqlite3.connect(db, isolation_level=None)
    store.checkpointer.checkpoint(conn)
    busy, frames, copied = store.checkpointer.last or (1, 0, -1)
    assert busy == 0 and frames > 1300 and copied == frames
    size = db.stat().st_size
    _write_pages(store, 10)  # the WAL starts over instead of growing
    assert _wal_pages(db) > 1300  # the file is reused in place (cut only past 16 MB)
    store.checkpointer.checkpoint(conn)
    assert store.checkpointer.last is not None and store.checkpointer.last[1] < 100  # 10 commits
    assert db.stat().st_size >= size
    conn.close()
    store.close()
    assert not store.checkpointer._thread.is_alive()


def test_the_checkpointer_thread_runs_and_stops(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    store = Store(db, checkpoint_every=0.02)
    assert store.checkpointer is not None
    _write_pages(store, 30)
    for _ in range(250):
        last = store.checkpointer.last
        if last is not None and last[1] > 0 and last[2] == last[1]:
            break
        time.sleep(0.02)
    else:
        pytest.fail(f"the checkpointer copied nothing: {store.checkpointer.last}")
    store.close()
    assert not store.checkpointer._thread.is_alive()
    assert Store(db).get_meta("filler29") == "x" * 3000


def test_a_failing_checkpoint_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "h.db", checkpoint_every=3600)
    assert store.checkpointer is not None
    gone = sqlite3.connect(tmp_path / "h.db")
    gone.close()
    with caplog.at_level("INFO", logger="hall.store"):
        store.checkpointer.checkpoint(gone)
        store.checkpointer.checkpoint(gone)
        assert [r.message for r in caplog.records if "failed" in r.message] == [
            "WAL checkpoint failed (Cannot operate on a closed database.); will retry"
        ]
        conn = sqlite3.connect(tmp_path / "h.db")
        store.checkpointer.checkpoint(conn)
        conn.close()
    assert "WAL checkpoint works again" in caplog.text
    store.close()


def test_the_unused_event_index_is_dropped_from_an_older_database(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    Store(db).close()
    with sqlite3.connect(db) as c:  # as the first version left it
        c.execute("CREATE INDEX idx_events_type_at ON events (type, at)")
        c.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_drop_events_type_index'")
    store = Store(db)
    names = {r[1] for r in store.conn.execute("PRAGMA index_list(events)")}
    assert "idx_events_type_at" not in names and "idx_events_stream_seq" in names
    store.close()
