"""deploy/udev/*.rules as udev reads them: `udevadm test` loads every rules file and names
each line it cannot use. The rules are put in /etc/udev/rules.d of a private mount
namespace (a tmpfs over it), so the machine's own udev never sees them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = sorted((DEPLOY / "udev").glob("*.rules"))

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("udevadm") is None or shutil.which("unshare") is None,
    reason="needs root, udevadm (Debian's udev; dev.sh installs it) and unshare",
)


def _udev_reads(rules: list[Path]) -> str:
    """What `udevadm test` says while it loads the rules (for the console, a device every
    machine has: the rules are parsed whatever the device)."""
    script = (
        "set -e; mount -t tmpfs yichuang-test /etc/udev/rules.d; "
        + "".join(f"cp '{r}' /etc/udev/rules.d/; " for r in rules)
        + "udevadm test --action=add /sys/class/tty/console 2>&1"
    )
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    return done.stdout + done.stderr


def test_udev_reads_every_rule_of_ours_without_a_complaint() -> None:
    said = _udev_reads(RULES)
    for r in RULES:
        assert f"Reading rules file: /etc/udev/rules.d/{r.name}" in said, said
        complaints = [line for line in said.splitlines() if f"/{r.name}:" in line]
        assert complaints == [], complaints


def test_the_check_finds_a_bad_rule(tmp_path: Path) -> None:
    bad = tmp_path / "61-yichuang-bad.rules"
    bad.write_text(
        (DEPLOY / "udev" / "60-yichuang-serial.rules").read_text("utf-8")
        .replace('GOTO="yichuang_serial_reader"', 'GOTO="yichuang_serial_raeder"')
        .replace("SYMLINK+=", "SYMLYNK+=")
    )  # fmt: skip
    complaints = [line for line in _udev_reads([bad]).splitlines() if f"/{bad.name}:" in line]
    assert len(complaints) >= 2, complaints
