"""deploy/: the systemd units as systemd reads them (`systemd-analyze verify`), and the
files the units name (PAM service, per-app settings, the command lines they run)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hall.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def _installed(tmp_path: Path) -> Path:
    """The units as a hall installs them, with /opt/yichuang/bin/hall this checkout's `hall`
    and cage the machine's (a stand-in script where cage is not installed: verify checks
    that a unit's command exists)."""
    hall = Path(sys.executable).with_name("hall")
    assert hall.exists(), hall
    cage = shutil.which("cage")
    if cage is None:
        cage_path = tmp_path / "cage"
        cage_path.write_text("#!/bin/sh\nexit 0\n")
        cage_path.chmod(0o755)
        cage = str(cage_path)
    out = tmp_path / "units"
    out.mkdir()
    for unit in UNITS:
        text = unit.read_text("utf-8")
        text = text.replace("/opt/yichuang/bin/hall", str(hall)).replace("/usr/bin/cage", cage)
        (out / unit.name).write_text(text, "utf-8")
    return out


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    units = _installed(tmp_path)
    names = [u.name.replace("@.service", "@kiosk-1.service") for u in UNITS]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{n}" for n in names)],
        cwd=units, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    # verify exits 0 on an unknown key or a bad value and only says so: silence is the pass
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_verify_test_can_fail(tmp_path: Path) -> None:
    units = _installed(tmp_path)
    hub = units / "yichuang-hub.service"
    hub.write_text(hub.read_text("utf-8").replace("Restart=on-failure", "Restart=sometimes"))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", "./yichuang-hub.service"],
                          cwd=units, capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert "sometimes" in done.stdout + done.stderr


def _exec_start(unit: Path) -> str:
    line = next(x for x in unit.read_text("utf-8").splitlines() if x.startswith("ExecStart="))
    return line.removeprefix("ExecStart=")


def _hall_argv(command: str, env: dict[str, str], instance: str = "kiosk-1") -> list[str]:
    """The `hall …` part of an ExecStart as systemd expands it (%i, %S, $X, ${X})."""
    command = command.replace("%i", instance).replace("%S", "/var/lib")
    words: list[str] = []
    for w in command.split():
        if m := re.fullmatch(r"\$([A-Z_]+)", w):  # $X: split into words, dropped if empty
            words += env.get(m[1], "").split()
        else:
            words.append(re.sub(r"\$\{([A-Z_]+)\}", lambda m: env.get(m[1], ""), w))
    return words[words.index("/opt/yichuang/bin/hall") + 1 :]


def _env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out


@pytest.mark.parametrize("conf", sorted((DEPLOY / "etc").glob("app-*.conf")), ids=lambda p: p.stem)
def test_each_app_settings_file_makes_a_command_hall_accepts(conf: Path) -> None:
    device = conf.stem.removeprefix("app-")
    argv = _hall_argv(_exec_start(DEPLOY / "systemd" / "yichuang-app@.service"),
                      _env_file(conf), device)  # fmt: skip
    args = build_parser(argv).parse_args(argv)
    assert args.command == _env_file(conf)["HALL_APP"]
    assert args.device == device and args.fullscreen
    assert args.keys == "/etc/yichuang/keys" and args.endpoint.startswith("tcp://")


def test_the_hub_and_backup_commands_are_ones_hall_accepts() -> None:
    hub_env = _env_file(DEPLOY / "etc" / "hub.conf")
    argv = _hall_argv(_exec_start(DEPLOY / "systemd" / "yichuang-hub.service"), hub_env)
    args = build_parser(argv).parse_args(argv)
    assert (args.command, str(args.db)) == ("serve", "/var/lib/yichuang/hall.db")
    assert args.bind == "tcp://0.0.0.0:7700" and str(args.keys) == "/etc/yichuang/keys"
    argv = _hall_argv(_exec_start(DEPLOY / "systemd" / "yichuang-backup.service"), {})
    args = build_parser(argv).parse_args(argv)
    assert args.command == "backup" and str(args.db) == "/var/lib/yichuang/hall.db"
    assert str(args.to) == "/var/lib/yichuang-backups" and args.keep == 96


def test_the_app_unit_names_the_pam_service_that_deploy_ships() -> None:
    unit = (DEPLOY / "systemd" / "yichuang-app@.service").read_text("utf-8")
    name = re.search(r"^PAMName=(\S+)$", unit, re.M)
    assert name is not None
    pam = (DEPLOY / "pam.d" / name[1]).read_text("utf-8")
    assert re.search(r"^session\s+required\s+pam_systemd\.so", pam, re.M)
