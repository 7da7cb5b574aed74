"""`hall backup` while a real hub works, and `hall restore`: nothing acknowledged is lost."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from hall.client import HubClient, HubUnavailable
from hall.core.layout import Layout
from hall.server.backup import BackupError, backup, prune, restore
from hall.server.store import Store
from tests.clirun import hall, the_message
from tests.hubs import HubProcess, start_hub


def _ticket_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(str(db))
    try:
        return {r[0] for r in conn.execute("SELECT id FROM tickets")}
    finally:
        conn.close()


@pytest.mark.slow
def test_a_backup_under_load_restores_every_ticket_acknowledged_before_it(
    hub_proc: HubProcess, tmp_path: Path
) -> None:
    acked: list[tuple[float, str]] = []  # (monotonic time of the reply, ticket id)
    stop = threading.Event()
    failures: list[BaseException] = []

    def kiosk(name: str) -> None:
        with HubClient(hub_proc.endpoint, device=name, timeout=2.0, retries=4) as c:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    t = c.issue("GM"[n % 2])["ticket"]  # two queues: under their daily caps
                    acked.append((time.monotonic(), t["id"]))
                    time.sleep(0.02)
                except HubUnavailable:
                    pass
                except BaseException as e:
                    failures.append(e)
                    return

    threads = [threading.Thread(target=kiosk, args=(f"kiosk-{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        to = tmp_path / "backup.db"
        began = time.monotonic()
        run = hall("backup", "--db", str(hub_proc.db), "--to", str(to))
        ended = time.monotonic()
        time.sleep(0.5)  # the load goes on after the backup
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not failures, failures
    assert run.returncode == 0, run.stderr
    before = {tid for at, tid in acked if at < began}
    after = {tid for at, tid in acked if at > ended}
    assert len(before) > 20 and after, (len(before), len(after))
    saved = _ticket_ids(to)
    assert before <= saved, sorted(before - saved)[:5]
    assert not after & saved  # the copy is one snapshot, taken while the backup ran
    assert not Path(f"{to}-wal").exists()  # a single self-contained file

    # A hub holds the database: restore refuses and touches nothing.
    inode = hub_proc.db.stat().st_ino
    refused = hall("restore", "--from", str(to), "--db", str(hub_proc.db))
    assert refused.returncode == 1
    assert "in use by another hub" in the_message(refused)
    assert hub_proc.db.stat().st_ino == inode
    assert not [p for p in tmp_path.iterdir() if "before-restore" in p.name]
    assert _ticket_ids(hub_proc.db) >= {tid for _, tid in acked}

    hub_proc.kill()  # the hub machine dies
    done = hall("restore", "--from", str(to), "--db", str(hub_proc.db))
    assert done.returncode == 0, done.stderr
    assert _ticket_ids(hub_proc.db) == saved
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("hall.db.before-restore-")]
    assert kept, "the replaced database is kept"

    hub_proc.start()  # serves the restored database
    with HubClient(hub_proc.endpoint, device="kiosk-1", timeout=2.0) as c:
        t = c.issue("G")["ticket"]
    assert t["id"] not in saved


def test_backup_of_a_live_in_process_hub_is_checked_and_atomic(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db)
    try:
        with HubClient(hub.endpoint, device="kiosk-1") as k:
            k.issue("G")
        to = tmp_path / "b.db"
        done = backup(db, to)
        assert done.tickets == 1 and done.schema
        to.write_bytes(b"last night's backup")
        with pytest.raises(BackupError, match="no such folder"):
            backup(db, tmp_path / "nowhere" / "b.db")
        with pytest.raises(BackupError, match="that is the database itself"):
            backup(db, db)
        with pytest.raises(BackupError, match="in use by another hub"):
            restore(to, db)
    finally:
        hub.stop()
    assert to.read_bytes() == b"last night's backup"  # a failed backup left it alone
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_backup_refuses_what_is_not_a_hall_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(str(other))
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    run = hall("backup", "--db", str(other), "--to", str(tmp_path / "b.db"))
    assert run.returncode == 1
    assert "not a hall database" in the_message(run)
    assert not (tmp_path / "b.db").exists()
    missing = hall("backup", "--db", str(tmp_path / "none.db"), "--to", str(tmp_path / "b.db"))
    assert missing.returncode == 1 and "no such file" in the_message(missing)
    assert not (tmp_path / "none.db").exists()  # not created by looking at it


def _hall_db(path: Path, tickets: int = 0) -> Path:
    s = Store(path)
    with s.transaction():
        for i in range(tickets):
            s.conn.execute(
                "INSERT INTO tickets (id, number, queue, day, issued_at, enqueued_at, state) "
                "VALUES (?, ?, 'G', '2026-11-26', ?, ?, 'waiting')",
                [f"20261126-A{i:03d}", f"A{i:03d}", f"2026-11-26T09:{i:02d}",
                 f"2026-11-26T09:{i:02d}"],
            )  # fmt: skip
    s.close()
    return path


def test_restore_refuses_a_damaged_or_newer_backup_and_changes_nothing(tmp_path: Path) -> None:
    db = _hall_db(tmp_path / "hall.db", 2)
    before = db.read_bytes()

    newer = backup(_hall_db(tmp_path / "n.db", 1), tmp_path / "newer.db").path
    conn = sqlite3.connect(str(newer))
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('yichuang', 'm999_future', '2027-01-01')")  # fmt: skip
    conn.commit()
    conn.close()
    run = hall("restore", "--from", str(newer), "--db", str(db))
    assert run.returncode == 1
    assert "newer version" in the_message(run)

    damaged = backup(_hall_db(tmp_path / "d.db", 40), tmp_path / "damaged.db").path
    data = bytearray(damaged.read_bytes())
    page = 4096
    data[3 * page : 4 * page] = os.urandom(page)
    damaged.write_bytes(bytes(data))
    run = hall("restore", "--from", str(damaged), "--db", str(db))
    assert run.returncode == 1, run.stdout
    the_message(run)

    run = hall("restore", "--from", str(tmp_path / "none.db"), "--db", str(db))
    assert run.returncode == 1 and "no such file" in the_message(run)
    assert db.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "before-restore" in p.name]


def test_restore_without_a_database_and_backups_into_a_folder(tmp_path: Path) -> None:
    src = _hall_db(tmp_path / "live.db", 3)
    folder = tmp_path / "backups"
    folder.mkdir()
    for _ in range(3):
        run = hall("backup", "--db", str(src), "--to", str(folder), "--keep", "2")
        assert run.returncode == 0, run.stderr
        time.sleep(1.05)  # one backup a second at most: the name carries the second
    kept = sorted(folder.glob("hall-*.db"))
    assert len(kept) == 2
    assert prune(folder, 1) == kept[:1]
    fresh = tmp_path / "spare" / "hall.db"
    fresh.parent.mkdir()
    done = restore(kept[1], fresh)
    assert done[1] is None
    assert len(_ticket_ids(fresh)) == 3
    assert Store(fresh).conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    bad = hall("backup", "--db", str(src), "--to", str(tmp_path / "x.db"), "--keep", "2")
    assert bad.returncode == 2


def test_a_schema_upgrade_at_start_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite_utils

    from hall.server.store import migrations

    old = tmp_path / "old.db"
    db = sqlite_utils.Database(str(old))
    migrations.apply(db, stop_before="m002_drop_events_type_index")  # as version 1 left it
    db.close()
    with caplog.at_level("INFO", logger="hall.store"):
        Store(old).close()
        Store(old).close()  # already upgraded: nothing said
    said = [r.getMessage() for r in caplog.records if "schema upgraded" in r.getMessage()]
    assert said == [
        f"{old}: schema upgraded (m002_drop_events_type_index, m003_ticket_token, "
        "m004_booking_code)"
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_restore_as_root_keeps_the_hub_users_ownership(tmp_path: Path) -> None:
    db = _hall_db(tmp_path / "hall.db", 1)
    os.chown(db, 4321, 4321)  # the hub's user
    db.chmod(0o640)
    b = backup(_hall_db(tmp_path / "other.db", 2), tmp_path / "b.db").path
    restore(b, db)
    st = db.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4321, 4321, 0o640)
    assert len(_ticket_ids(db)) == 2
    # a spare: no database yet, the state folder the hub's user owns
    spare = tmp_path / "spare"
    spare.mkdir()
    os.chown(spare, 4321, 4321)
    restore(b, spare / "hall.db")
    for made in (spare / "hall.db", spare / "hall.db.lock"):
        assert (made.stat().st_uid, made.stat().st_gid) == (4321, 4321), made


def test_a_backup_is_no_more_readable_than_the_database(tmp_path: Path) -> None:
    # the hub's database is 0640 (its unit's UMask=0027); a backup made by hand as root,
    # umask 022, must not be readable by every user of the machine
    db = _hall_db(tmp_path / "hall.db", 1)
    db.chmod(0o640)
    old = os.umask(0o022)
    try:
        made = backup(db, tmp_path / "b.db").path
    finally:
        os.umask(old)
    assert made.stat().st_mode & 0o777 == 0o640
    db.chmod(0o600)
    assert backup(db, made).path.stat().st_mode & 0o777 == 0o600


def test_the_copy_is_private_while_it_is_being_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole hall is written into the temporary file before it gets the database's mode:
    meanwhile, under umask 022, it was 0644 (any user of the machine could open it and read
    on), at a name made of the pid. Now 0600, at an unguessable name."""
    import hall.server.backup as B

    db = _hall_db(tmp_path / "hall.db", 3)
    db.chmod(0o640)
    seen: list[tuple[str, int]] = []
    real_check, real_copy = B.check, B._copy

    def spy_check(conn: sqlite3.Connection, path: Path) -> object:
        if path.name.startswith("."):  # the temporary copy, not the source
            seen.append((path.name, path.stat().st_mode & 0o777))
        return real_check(conn, path)

    def spy_copy(source: Path, to: Path) -> None:
        real_copy(source, to)
        seen.append((to.name, to.stat().st_mode & 0o777))

    monkeypatch.setattr(B, "check", spy_check)
    monkeypatch.setattr(B, "_copy", spy_copy)
    (tmp_path / "out").mkdir()
    old = os.umask(0o022)
    try:
        made = backup(db, tmp_path / "out" / "b.db").path
        restore(made, tmp_path / "out" / "restored.db")
    finally:
        os.umask(old)
    (copy_name, copy_mode), (restore_name, restore_mode) = seen
    assert (copy_mode, restore_mode) == (0o600, 0o600)
    assert str(os.getpid()) not in copy_name + restore_name
    assert made.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "b.db", "restored.db", "restored.db.lock"]  # fmt: skip


def test_a_failed_backup_is_an_error_in_the_journal(tmp_path: Path) -> None:
    # run by the timer, the sentence goes to the journal: at priority err, so that
    # `journalctl -p warning` shows a backup that failed
    import subprocess
    import sys

    from tests.clirun import ROOT, journal_env

    err = tmp_path / "stderr"
    env = journal_env(err)
    with err.open("w") as f:
        done = subprocess.run(
            [sys.executable, "-m", "hall", "backup", "--db", str(tmp_path / "none.db"),
             "--to", str(tmp_path / "b.db")],
            stderr=f, env=env, cwd=ROOT, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert err.read_text("utf-8").splitlines() == [
        f"<3>hall backup: {tmp_path / 'none.db'}: no such file"
    ]
    run = hall("backup", "--db", str(tmp_path / "none.db"), "--to", str(tmp_path / "b.db"))
    assert the_message(run) == f"hall backup: {tmp_path / 'none.db'}: no such file"  # console
