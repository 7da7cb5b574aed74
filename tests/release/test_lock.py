"""requirements.lock agrees with what setup.cfg and pyproject.toml declare: every declared
dependency (with the test extra, and the build backend) is pinned at a version its range
allows, with hashes, and the lock pins nothing as setup.cfg's own that setup.cfg no longer
names. A change to setup.cfg without `./dev.sh lock` fails here, in a second, rather than
on a hall's machine."""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]

#: `name==version [; marker] \` starts an entry of the lock; its hashes and `# via` follow
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def declared(setup_cfg: Path, pyproject: Path) -> tuple[list[Requirement], list[Requirement]]:
    """(setup.cfg's install_requires and test extra, pyproject.toml's build requires)."""
    cfg = configparser.ConfigParser()
    cfg.read(setup_cfg, encoding="utf-8")
    lines = cfg["options"]["install_requires"].splitlines()
    lines += cfg["options.extras_require"]["test"].splitlines()
    ours = [Requirement(x) for x in (s.strip() for s in lines) if x and not x.startswith("#")]
    build = tomllib.loads(pyproject.read_text("utf-8"))["build-system"]["requires"]
    return ours, [Requirement(x) for x in build]


@dataclass
class Pin:
    version: str
    hashes: int = 0
    via: list[str] = field(default_factory=list)


def pinned(lock: Path) -> dict[str, list[Pin]]:
    """Name → its entries in the lock (a name may have one per Python version)."""
    out: dict[str, list[Pin]] = {}
    pin: Pin | None = None
    for line in lock.read_text("utf-8").splitlines():
        m = _PIN.match(line)
        if m:
            pin = Pin(m.group(2))
            out.setdefault(canonicalize_name(m.group(1)), []).append(pin)
        elif pin is not None and line.strip().startswith("--hash=sha256:"):
            pin.hashes += 1
        elif pin is not None and line.strip().startswith("#"):
            pin.via.append(line.strip("# ").removeprefix("via").strip())
    return out


def disagreements(setup_cfg: Path, pyproject: Path, lock: Path) -> list[str]:
    """What is wrong between the declarations and the lock, one sentence each."""
    ours, build = declared(setup_cfg, pyproject)
    pins = pinned(lock)
    wrong = []
    for req in ours + build:
        name = canonicalize_name(req.name)
        if name not in pins:
            wrong.append(f"{req} is declared but not in the lock")
            continue
        for pin in pins[name]:
            if not req.specifier.contains(pin.version, prereleases=True):
                wrong.append(f"{req} is declared but the lock pins {pin.version}")
            if pin.hashes == 0:
                wrong.append(f"{name}=={pin.version} has no hash in the lock")
    names = {canonicalize_name(r.name) for r in ours}
    for name, entries in pins.items():
        if name not in names and any("yichuang (setup.cfg)" in v for p in entries for v in p.via):
            wrong.append(f"the lock pins {name} for setup.cfg, which no longer declares it")
    return wrong


def test_the_lock_pins_what_setup_cfg_declares() -> None:
    lock = ROOT / "requirements.lock"
    assert lock.read_text("utf-8").splitlines()[1].strip() == "#    ./dev.sh lock"
    assert disagreements(ROOT / "setup.cfg", ROOT / "pyproject.toml", lock) == []
    pins = pinned(lock)
    assert len(pins) > 40 and all(p.hashes > 0 for entries in pins.values() for p in entries)


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (("    qrcode>=7.4\n", "    qrcode>=7.4\n    tomli-w>=1.0\n"),
         "tomli-w>=1.0 is declared but not in the lock"),
        (("msgspec>=0.18", "msgspec>=99"), "msgspec>=99 is declared but the lock pins"),
        (("    qrcode>=7.4\n", ""), "the lock pins qrcode for setup.cfg, which no longer declares it"),
    ],
)  # fmt: skip
def test_a_setup_cfg_changed_without_relocking_is_caught(
    tmp_path: Path, edit: tuple[str, str], says: str
) -> None:
    text = (ROOT / "setup.cfg").read_text("utf-8")
    assert edit[0] in text
    changed = tmp_path / "setup.cfg"
    changed.write_text(text.replace(edit[0], edit[1]), "utf-8")
    found = disagreements(changed, ROOT / "pyproject.toml", ROOT / "requirements.lock")
    assert len(found) == 1 and found[0].startswith(says), found
