"""A full disk under a running hub: a small tmpfs holds the database, a filler file takes
the rest. Commands the disk cannot hold are refused with one sentence and change nothing;
every acknowledged ticket stays; once there is room again the hall carries on."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.client import HubClient
from hall.core import errors as E
from hall.core.layout import Layout
from tests.hubs import start_hub

from .conftest import open_windows


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (root only: mounting needs it)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(path: Path) -> None:
    """Write until the file system says it is full (down to its last 512 bytes)."""
    with path.open("wb", buffering=0) as f:
        for size in (65536, 4096, 512):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e


def test_a_full_disk_refuses_clearly_and_loses_nothing(
    small_disk: Path, layout: Layout, items: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    db = small_disk / "hall.db"
    hub = start_hub(layout, items, db)
    try:
        with HubClient(hub.endpoint, device="manager-1") as mgr, \
                HubClient(hub.endpoint, device="kiosk-1", timeout=2) as kiosk:  # fmt: skip
            open_windows(mgr, [1])
            issued = [kiosk.issue("G")["ticket"]["number"] for _ in range(5)]
            _fill(small_disk / "filler")
            refusals: list[E.HallError] = []
            for _ in range(400):  # the WAL file is reused until it must grow
                try:
                    issued.append(kiosk.issue("G")["ticket"]["number"])
                except E.HallError as e:
                    refusals.append(e)
                    if len(refusals) >= 3:
                        break
            assert refusals, "the disk never filled"
            assert {e.code for e in refusals} == {"store_failed"}
            assert "保存失败" in str(refusals[0])
            assert "could not save 1 command(s) (the disk is full, SQLITE_FULL)" in caplog.text
            assert not [r for r in caplog.records if r.exc_info]  # a clear line, no traceback
            # The hub still answers and its memory is what the disk holds.
            snap = mgr.snapshot()["board"]["tickets"]
            assert sorted(t["number"] for t in snap.values()) == sorted(issued)

            (small_disk / "filler").unlink()
            after = kiosk.issue("G")["ticket"]["number"]
            assert after not in issued  # no number handed out twice
            issued.append(after)
            assert connect_call(hub.endpoint) == issued[0]
    finally:
        hub.stop()
    with sqlite3.connect(db) as c:
        saved = sorted(r[0] for r in c.execute("SELECT number FROM tickets"))
    assert saved == sorted(issued)


def connect_call(endpoint: str) -> str:
    with HubClient(endpoint, device="counter-1") as c:
        return str(c.call_next()["ticket"]["number"])
