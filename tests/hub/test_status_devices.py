"""`hall status --keys DIR` lists every registered device: online, offline, never seen since
the hub started, or disabled (it listed only the devices seen since the hub started)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from hall.client import HubClient
from hall.core.layout import Layout
from hall.net.keys import Registry, init_keys, set_enabled
from hall.server.hub import Security
from tests.clirun import hall
from tests.hubs import start_hub

SIM = {"state": "ok", "reason": "模拟打印机（不出纸）", "code": "sim"}
VOICE = {
    "state": "offline",
    "reason": "找不到播放程序 aplay，叫号语音无法播放",
    "code": "player-missing",
}


def _devices(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith("设备 devices"))
    out = {}
    for x in lines[start + 1 :]:
        parts = x.split()
        if len(parts) == 2:
            out[parts[0]] = parts[1]
    return out


def test_status_lists_every_registered_device_with_its_state(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    init_keys(keys, layout)
    registered = {d.id for d in Registry.load(keys).devices()}
    hub = start_hub(layout, items, tmp_path / "hall.db", security=Security.load(keys),
                    device_timeout=1.0)  # fmt: skip
    try:
        with HubClient(hub.endpoint, device="counter-5", keys=keys) as c:
            c.ping()
        time.sleep(2.5)  # counter-5 went away: offline after device_timeout
        set_enabled(keys, "kiosk-2", False)
        with HubClient(hub.endpoint, device="display-2F", keys=keys) as d:
            d.report_health({"voice": VOICE})
        with HubClient(hub.endpoint, device="kiosk-1", keys=keys) as k:
            k.report_health({"printer": SIM})
            run = hall("status", "--endpoint", hub.endpoint, "--keys", str(keys))
    finally:
        hub.stop()
    assert run.returncode == 0, run.stderr
    got = _devices(run.stdout)
    assert set(got) == registered  # every registered device, none left out
    assert got["kiosk-1"] == "online"
    assert got["manager-1"] == "online"  # hall status asks as manager-1
    assert got["counter-5"] == "OFFLINE"
    assert got["kiosk-2"] == "DISABLED"
    never = {d for d, s in got.items() if s == "NEVER-SEEN"}
    assert never == registered - {"kiosk-1", "manager-1", "counter-5", "kiosk-2", "display-2F"}
    assert got["display-2F"] in ("online", "OFFLINE")  # reported, then went away
    assert f"{len(never)} NEVER-SEEN" in run.stdout
    assert "从未连接 NEVER-SEEN" in run.stdout
    # an online device's parts that are not plain ok, under it
    lines = run.stdout.splitlines()
    under = {
        lines[i - 1].split()[0]: x.strip() for i, x in enumerate(lines) if x.startswith("      ")
    }
    assert under == {"display-2F": f"voice: 离线 offline {VOICE['reason']}",
                     "kiosk-1": f"printer: 模拟 simulated {SIM['reason']}"}  # fmt: skip


def test_status_without_keys_lists_the_devices_seen(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    hub = start_hub(layout, items, tmp_path / "hall.db")
    try:
        with HubClient(hub.endpoint, device="kiosk-1") as k:
            k.ping()
            run = hall("status", "--endpoint", hub.endpoint)
    finally:
        hub.stop()
    assert run.returncode == 0, run.stderr
    assert _devices(run.stdout) == {"kiosk-1": "online", "manager-1": "online"}


def test_status_from_a_managers_machine_lists_the_hubs_registry(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    """A manager's machine has only its own key and the hub's public key (README: nothing
    else leaves the hub's machine): the registered devices come from the hub."""
    keys = tmp_path / "keys"
    init_keys(keys, layout)
    registered = {d.id for d in Registry.load(keys).devices()}
    mine = tmp_path / "manager-keys"
    (mine / "devices").mkdir(parents=True)
    shutil.copy(keys / "hub.key", mine / "hub.key")
    shutil.copy(keys / "devices" / "manager-1.key_secret", mine / "devices")
    set_enabled(keys, "kiosk-2", False)
    hub = start_hub(layout, items, tmp_path / "hall.db", security=Security.load(keys))
    try:
        run = hall("status", "--endpoint", hub.endpoint, "--keys", str(mine))
    finally:
        hub.stop()
    assert run.returncode == 0, run.stderr
    got = _devices(run.stdout)
    assert set(got) == registered
    assert got["manager-1"] == "online" and got["kiosk-2"] == "DISABLED"
    assert {d for d, s in got.items() if s == "NEVER-SEEN"} == registered - {"manager-1", "kiosk-2"}


def _snapshot(registered: dict[str, bool], health: dict[str, dict[str, dict[str, str]]]) -> dict:
    return {"epoch": 1, "at": "2026-12-07T09:00:00", "seq": {"board": 1, "staff": 1},
            "queues": [], "board": {"windows": {}},
            "staff": {"devices": {"kiosk-1": True, "display-1F": True}, "health": health},
            "registered": registered}  # fmt: skip


def test_the_hubs_registry_wins_over_a_stale_local_copy() -> None:
    from hall.cli.status import render

    # the local --keys copy still says kiosk-1 is disabled; the hub has enabled it again
    snap = _snapshot({"kiosk-1": True, "display-1F": True, "counter-5": False}, {})
    states = _devices(render(snap, disabled=frozenset({"kiosk-1", "display-1F"})))
    assert states == {"kiosk-1": "online", "display-1F": "online", "counter-5": "DISABLED"}


def test_what_a_device_says_of_its_parts_cannot_steer_the_terminal() -> None:
    from hall.cli.status import render

    said = {"state": "offline", "reason": "缺纸\x1b]0;pwned\x07\x1b[2J", "code": "paper_out"}
    text = render(_snapshot({"kiosk-1": True}, {"kiosk-1": {"printer\x1b[31m": said}}))
    assert "\x1b" not in text and "\x07" not in text
    assert "printer?[31m: 离线 offline 缺纸?]0;pwned??[2J" in text
