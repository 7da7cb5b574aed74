"""Starting an app (`hall kiosk|counter|display|rating|manager`) the wrong way: one line that
says what to do and exit status 2, before any window — never a traceback or a Qt abort."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hall.core.layout import Layout
from hall.net.keys import init_keys
from hall.net.sockets import free_hub_port
from tests.clirun import hall, the_message

APPS = {
    "kiosk": [],
    "counter": ["--window", "5"],
    "display": ["--floor", "2F"],
    "rating": ["--window", "5"],
    "manager": [],
}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> Path:
    d = tmp_path_factory.mktemp("startup") / "keys"
    init_keys(d, layout)
    return d


def _nobody_there() -> str:
    return f"tcp://127.0.0.1:{free_hub_port()}"


@pytest.mark.parametrize("app", sorted(APPS))
def test_no_screen_is_one_line_in_both_languages(app: str) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    run = hall(app, *APPS[app], "--endpoint", _nobody_there(), env=env, timeout=30)
    assert run.returncode == 2  # not 134, Qt's abort
    line = the_message(run)
    assert line.startswith(f"hall {app}: 没有屏幕")
    assert "no screen" in line and "QT_QPA_PLATFORM=offscreen" in line


@pytest.mark.parametrize(
    ("argv", "device"),
    [(["kiosk", "--device", "nosuch-1"], "nosuch-1"),
     (["counter", "--window", "40"], "counter-40"),
     (["display", "--device", "display-9F"], "display-9F"),
     (["rating", "--window", "77"], "rating-77"),
     (["manager", "--device", "manager-9"], "manager-9")],
)  # fmt: skip
def test_a_device_without_a_key_is_one_line(keys: Path, argv: list[str], device: str) -> None:
    run = hall(*argv, "--keys", str(keys), "--endpoint", _nobody_there(), timeout=30)
    assert run.returncode == 2
    line = the_message(run)
    assert line.startswith(f"hall {argv[0]}: ")
    assert f"'{device}'" in line and str(keys) in line


def test_a_keys_dir_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    run = hall("kiosk", "--keys", str(tmp_path / "nokeys"), "--endpoint", _nobody_there(),
               timeout=30)  # fmt: skip
    assert run.returncode == 2
    line = the_message(run)
    assert "'kiosk-1'" in line and str(tmp_path / "nokeys") in line


@pytest.mark.parametrize("app", ["kiosk", "counter"])
def test_an_endpoint_without_tcp_is_one_line(app: str) -> None:
    run = hall(app, "--endpoint", "127.0.0.1:7700", timeout=30)
    assert run.returncode == 2
    line = the_message(run)
    assert line.startswith(f"hall {app}: --endpoint '127.0.0.1:7700' is not an endpoint")
    assert "tcp://HOST:PORT" in line


@pytest.mark.parametrize("app", ["kiosk", "counter", "display"])
@pytest.mark.parametrize("sig", [15, 2])  # SIGTERM (systemd's stop), SIGINT (Ctrl-C)
def test_a_signal_closes_the_app_cleanly(
    app: str, sig: int, layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    # They were killed where they stood (exit 143): a kiosk in the middle of a ticket.
    import signal
    import subprocess
    import sys
    import time

    from hall.client import HubClient
    from tests.hubs import start_hub

    hub = start_hub(layout, items, tmp_path / "hall.db")
    device = {"kiosk": "kiosk-1", "counter": "counter-5", "display": "display-2F"}[app]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    argv = ["--device", "kiosk-1"] if app == "kiosk" else APPS[app]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hall", app, *argv, "--endpoint", hub.endpoint],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        with HubClient(hub.endpoint, device="manager-1") as mgr:
            while time.monotonic() < deadline and not mgr.snapshot()["staff"]["devices"].get(
                device
            ):
                time.sleep(0.2)  # up and talking to the hub
        assert time.monotonic() < deadline, f"{device} never came online"
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0, (signal.Signals(sig).name, proc.returncode, out[-2000:])
        assert "Traceback" not in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        hub.stop()


def test_a_display_variable_with_no_server_behind_it_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A kiosk started before its X server (systemd at boot) aborted with a core dump.
    import socket

    from ui.app import screen_problem

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":937")
    problem = screen_problem()
    assert problem is not None and "DISPLAY=:937" in problem and "offscreen" in problem
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as x:
        x.bind("\0/tmp/.X11-unix/X937")  # as an X server listens (Linux abstract socket)
        x.listen()
        assert screen_problem() is None
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-9")
    assert "WAYLAND_DISPLAY=wayland-9" in (screen_problem() or "")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as w:
        w.bind(str(tmp_path / "wayland-9"))
        w.listen()
        assert screen_problem() is None
    monkeypatch.setenv("DISPLAY", "hall-screen:0")  # remote: Qt says what it finds
    monkeypatch.delenv("WAYLAND_DISPLAY")
    assert screen_problem() is None
