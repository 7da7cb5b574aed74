"""Run a `hall` command the way a user does (a real process) and check what it printed.

``from tests.clirun import hall, the_message``: `hall` runs ``python -m hall ARGS`` from the
checkout with no core files left behind; `the_message` asserts there is no traceback and
that stderr, apart from log lines, is one line, and returns it.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the `logging` lines of `hall` (cli.py's format): not the command's own message
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


def _no_core_files() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a Qt abort must not leave a core


def hall(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`hall ARGS` in a subprocess (cwd: the checkout, like the README's commands)."""
    return subprocess.run(
        [sys.executable, "-m", "hall", *args],
        capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT,
        env=dict(os.environ if env is None else env), preexec_fn=_no_core_files,
    )  # fmt: skip


def the_message(run: subprocess.CompletedProcess[str]) -> str:
    """The one line the command printed on stderr (log lines aside); no traceback anywhere."""
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.stderr
    lines = [x for x in run.stderr.splitlines() if x.strip() and not _LOG_LINE.match(x)]
    assert len(lines) == 1, run.stderr
    return lines[0]


def journal_env(stderr_file: Path, **extra: str) -> dict[str, str]:
    """The environment systemd gives a service whose stderr is the journal: JOURNAL_STREAM
    names `stderr_file` (made empty here) by its device and inode, as hall.cli.logs checks."""
    stderr_file.write_text("")
    st = stderr_file.stat()
    return {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}", **extra}
