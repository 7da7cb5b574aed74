"""A socat pty pair for serial devices: the device's end and the simulator's end."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def socat_pair(folder: Path) -> Iterator[tuple[str, str]]:
    """Two linked ptys, `folder`/kiosk and `folder`/sim (skips the test without socat);
    socat is stopped afterwards."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    kiosk, sim = folder / "kiosk", folder / "sim"
    proc = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={kiosk}", f"pty,raw,echo=0,link={sim}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 5
        while not (kiosk.exists() and sim.exists()):
            assert time.monotonic() < deadline, "socat made no pty pair"
            time.sleep(0.02)
        yield str(kiosk), str(sim)
    finally:
        proc.terminate()
        proc.wait(timeout=5)
