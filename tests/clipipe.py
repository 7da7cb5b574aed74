"""Run a command whose standard output nobody reads (`hall status | head -1` after head
has left): its first write fails with EPIPE at once, deterministically."""

from __future__ import annotations

import os
import subprocess
import sys


def run_into_a_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    r, w = os.pipe()
    os.close(r)  # the reader is gone before the command writes anything
    # buffered, as a shell runs it (some environments set PYTHONUNBUFFERED: then every
    # print raises at once, and an error at the exit's flush would go unseen)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "hall", *args],
            stdout=w, stderr=subprocess.PIPE, text=True, timeout=60, check=False, env=env,
        )  # fmt: skip
    finally:
        os.close(w)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr)
