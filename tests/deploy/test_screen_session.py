"""The screens' session: yichuang-app@.service's command line, as systemd expands it, run
under a real cage (Debian's, on wlroots' headless backend instead of a screen) as a user
that is not root: the app starts on Qt's Wayland platform, reaches the hub through CURVE,
and writes its stamped log lines, naming its device, to where systemd would read them.

What only a hall's machine shows is not tested here: the logind session that PAMName=
opens on tty7 (no seat, no virtual terminal on this machine), and the picture itself
(wlroots' headless output with its software renderer stops presenting frames after the
first, so a screenshot shows the window as it was first drawn, not full screen)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hall.net.sockets import free_hub_port
from tests.clirun import ROOT, hall

DEPLOY = ROOT / "deploy"
STAMPED = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) [\w.]+ \[display-2F\]: "

pytestmark = pytest.mark.skipif(
    shutil.which("cage") is None or shutil.which("Xwayland") is None,
    reason="no cage and Xwayland (Debian's cage, xwayland; dev.sh installs them)",
)


def _unit_command(endpoint: str, keys: Path, device: str) -> list[str]:
    """yichuang-app@DEVICE's ExecStart as systemd runs it, with this checkout's `hall`, the
    machine's cage and this test's hub and keys."""
    unit = (DEPLOY / "systemd" / "yichuang-app@.service").read_text("utf-8")
    command = re.search(r"^ExecStart=(.*)$", unit, re.M)[1]  # type: ignore[index]
    env = {}
    for line in (DEPLOY / "etc" / f"app-{device}.conf").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            env[k] = v
    env["HALL_ENDPOINT"] = endpoint
    # the shipped voice needs aplay; the check of a voice is not this test's business
    env["HALL_ARGS"] = re.sub(r"--voice \S+", "--voice sim://voice", env["HALL_ARGS"])
    words: list[str] = []
    for w in command.replace("%i", device).split():
        if m := re.fullmatch(r"\$([A-Z_]+)", w):
            words += env.get(m[1], "").split()
        else:
            words.append(re.sub(r"\$\{([A-Z_]+)\}", lambda m: env[m[1]], w))
    hall_bin = str(Path(sys.executable).with_name("hall"))
    swap = {"/usr/bin/cage": str(shutil.which("cage")), "/opt/yichuang/bin/hall": hall_bin,
            "/etc/yichuang/keys": str(keys)}  # fmt: skip
    return [swap.get(w, w) for w in words]


def test_cage_runs_the_units_command_and_the_app_reaches_the_hub(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made = hall("keys", "init", str(keys), "--layout", "jiangbei", timeout=120)
    assert made.returncode == 0, made.stderr
    endpoint = f"tcp://127.0.0.1:{free_hub_port()}"
    hub_log = tmp_path / "hub.log"
    with hub_log.open("w") as f:
        hub = subprocess.Popen(
            [sys.executable, "-m", "hall", "serve", "--layout", "jiangbei", "--keys", str(keys),
             "--db", str(tmp_path / "hall.db"), "--bind", endpoint],
            stderr=f, cwd=ROOT,
        )  # fmt: skip
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    command = _unit_command(endpoint, keys, "display-2F")
    assert command[0].endswith("cage") and command[2].endswith("hall"), command
    assert command[3:5] == ["display", "--device"] and "--fullscreen" in command
    env = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(runtime),
        "QT_QPA_PLATFORM": "wayland",  # the unit's Environment=
        "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
    }  # fmt: skip
    # cage refuses to run as root; a user namespace makes root someone else to it
    prefix = ["unshare", "--user"] if os.geteuid() == 0 else []
    app_log = tmp_path / "app.log"
    try:
        with app_log.open("w") as f:
            app = subprocess.Popen([*prefix, *command], env=env, stdout=f, stderr=f,
                                   cwd=tmp_path, start_new_session=True)  # fmt: skip
        try:
            end = time.monotonic() + 60
            while "display-2F snapshot ok" not in hub_log.read_text("utf-8"):
                assert app.poll() is None, app_log.read_text("utf-8", "replace")
                assert time.monotonic() < end, hub_log.read_text("utf-8")
                time.sleep(0.2)
            assert app.poll() is None  # still showing
        finally:
            os.killpg(app.pid, signal.SIGTERM)  # `systemctl stop`: every process of the unit
            app.wait(30)
    finally:
        hub.terminate()
        hub.wait(30)
    lines = app_log.read_text("utf-8", "replace").splitlines()
    ours = [line for line in lines if re.match(STAMPED, line)]
    assert ours, lines  # the app's own lines, among cage's
    assert any(" INFO ui [display-2F]: signal 15: closing" in line for line in ours), ours
