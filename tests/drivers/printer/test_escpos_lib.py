"""Importing the printer drivers leaves nothing in the temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_process_using_the_printer_leaves_tmp_as_it_found_it(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    code = (
        "import tempfile; from drivers.printer import open_printer; "
        "from escpos.capabilities import pickle_path; import os; "
        "assert os.path.exists(pickle_path), pickle_path; "
        "assert pickle_path.startswith(tempfile.gettempdir()), pickle_path; print(pickle_path)"
    )
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    res = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(str(tmp))  # python-escpos did cache there while it ran
    assert list(tmp.iterdir()) == []  # and it is gone with the process
