"""One hub per database, and a hub that cannot bind leaves the database alone."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.dblock import DatabaseInUse
from hall.server.hub import Hub
from tests.hubs import start_hub


def test_a_second_hub_on_the_same_database_stops_at_once(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    # Two hubs on one file refused each other's commits ("UNIQUE constraint failed:
    # events.stream, events.seq") and told every kiosk "could not save".
    db = tmp_path / "hall.db"
    first = start_hub(layout, items, db)
    try:
        with pytest.raises(RuntimeError) as e:
            start_hub(layout, items, db)
        cause = e.value.__cause__
        assert isinstance(cause, DatabaseInUse)
        assert f"is in use by another hub (pid {os.getpid()})" in str(cause)
        with HubClient(first.endpoint, device="kiosk-1") as k:
            assert k.issue("G")["ticket"]["number"] == "A001"
    finally:
        first.stop()
    again = start_hub(layout, items, db)  # the lock went with the first hub
    again.stop()


def test_hall_serve_on_a_database_in_use_is_one_line(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(db),
             "--bind", "tcp://127.0.0.1:0"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        hub.stop()
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        f"hall serve: {db} is in use by another hub (pid {os.getpid()}); stop it first, "
        "or give this one another --db"
    ), run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def _epoch(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])
    finally:
        con.close()


def test_a_hub_that_cannot_bind_does_not_touch_the_database(
    layout: Layout, items: dict[str, str], tmp_path: Path, hub: Hub
) -> None:
    # (the fixture's hub holds the port)
    used = tmp_path / "used.db"
    start_hub(layout, items, used).stop()
    epoch = _epoch(used)
    for db in (used, tmp_path / "new.db"):
        with pytest.raises(RuntimeError):
            Hub(layout, db, bind=hub.endpoint, items=items).start()
    assert _epoch(used) == epoch  # was bumped by a start that then failed to bind
    assert not (tmp_path / "new.db").exists()  # was created, empty, by that start
    assert not (tmp_path / "new.db.lock").exists()  # nor its lock: sockets come first


def test_a_database_in_a_folder_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    # It said "… No such file or directory: '…/hall.db.lock'", a file nobody had named.
    db = tmp_path / "nowhere" / "hall.db"
    run = subprocess.run(
        [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(db),
         "--bind", "tcp://127.0.0.1:0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last == f"hall serve: {db}: its folder {db.parent} does not exist"
    assert "Traceback" not in run.stderr


def test_the_lock_is_the_databases_whatever_path_names_it(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    (tmp_path / "alias.db").symlink_to(db)
    first = start_hub(layout, items, db)
    try:
        with pytest.raises(RuntimeError) as e:
            start_hub(layout, items, tmp_path / "alias.db")
        assert isinstance(e.value.__cause__, DatabaseInUse)
    finally:
        first.stop()
