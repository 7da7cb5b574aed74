"""The release wheel built from this checkout, as `./dev.sh wheel` would: from a copy of
the tree (setuptools' build/ folder keeps what an earlier build left there, and a module
deleted since would ship; the checkout stays untouched). For the tests that install it:
tests/release (a throwaway venv) and tests/deploy (a booted container's /opt/yichuang)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree() -> list[str]:
    """The checkout's files as git sees them (tracked or new, not ignored; not deleted)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    return sorted({f for f in listed if f and (ROOT / f).is_file()})


def build_wheel(tmp: Path) -> Path:
    """Copy the tree to tmp/src and build its wheel into tmp/dist; return the wheel."""
    for f in tree():
        (tmp / "src" / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, tmp / "src" / f)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp / "dist"), str(tmp / "src")],
        cwd=tmp, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = (tmp / "dist").glob("yichuang-*.whl")
    return built
