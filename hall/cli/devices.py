"""`hall devices check`: every device a layout configures, opened through its driver, with health.

Exit 0 when every device is ok, 1 when any is degraded, offline or unknown, or when a
hall's own layout (one without ``[devices] simulators = true``) names a simulator
(``sim://…``); 2 for a configuration error (a bad URL names the key that holds it). A
simulator is reported as 模拟 simulated, never as 正常 ok.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from drivers.base import DriverError, Health, HealthState
from hall.core.layout import Layout, LayoutError, default_layout_path, load_layout


@dataclass(frozen=True)
class DeviceEntry:
    where: str  # "kiosk-1 printer", "hall voice"
    kind: str  # printer / id_reader / card_reader / voice / guide
    url: str


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="devices_command", metavar="ACTION", required=True)
    c = sub.add_parser("check", help="open each configured device and report its health")
    c.add_argument(
        "--layout",
        default=str(default_layout_path()),
        help="hall layout: a built-in name (hall layout list) or a TOML file (default: jiangbei, "
        "the production template; jiangbei-demo has simulators)",
    )
    c.add_argument("--printer", action="append", default=[], help="also check this printer URL")
    c.add_argument("--id-reader", action="append", default=[], help="also check this ID reader URL")
    c.add_argument("--card-reader", action="append", default=[], help="also check this PC/SC URL")
    c.add_argument("--voice", action="append", default=[], help="also check this announcer URL")


def _probe(kind: str, url: str) -> Health:
    """Open the device, ask its health, close it. Never raises for a device fault."""
    opener: Callable[[], Health]
    if kind == "printer":
        from drivers.printer import open_printer

        def opener() -> Health:
            p = open_printer(url)
            try:
                return p.status()
            finally:
                p.close()
    elif kind == "id_reader":
        from drivers.idcard import open_id_reader

        def opener() -> Health:
            r = open_id_reader(url)
            try:
                return r.health()
            finally:
                r.close()
    elif kind == "card_reader":
        from drivers.sscard import open_card_reader

        def opener() -> Health:
            r = open_card_reader(url)
            try:
                return r.health()
            finally:
                r.close()
    elif kind == "guide":
        from drivers.voice.guide import open_guide

        def opener() -> Health:
            g = open_guide(url)
            try:
                return g.checked(30.0)
            finally:
                g.close()
    else:
        from drivers.voice import open_announcer

        def opener() -> Health:
            a = open_announcer(url)
            try:
                return a.health()
            finally:
                a.close()

    try:
        return opener()
    except DriverError as e:
        return Health(HealthState.OFFLINE, f"{e.user_message}（{e}）", type(e).__name__)


def entries(args: argparse.Namespace, layout: Layout | None = None) -> list[DeviceEntry]:
    layout = layout or load_layout(args.layout)
    out: list[DeviceEntry] = []
    for k in layout.kiosks:
        out += [
            DeviceEntry(f"{k.id} 打印机 printer", "printer", k.printer),
            DeviceEntry(f"{k.id} 身份证读卡器 ID reader", "id_reader", k.id_reader),
            DeviceEntry(f"{k.id} 社保卡读卡器 card reader", "card_reader", k.card_reader),
        ]
        if k.guide_voice:  # else the kiosk speaks with the hall's voice, checked below
            out.append(DeviceEntry(f"{k.id} 语音提示 guide voice", "guide", k.guide_voice))
    out.append(DeviceEntry("大厅语音 hall voice", "voice", layout.voice))
    for kind, urls in (("printer", args.printer), ("id_reader", args.id_reader),
                       ("card_reader", args.card_reader), ("voice", args.voice)):  # fmt: skip
        out += [DeviceEntry(f"--{kind.replace('_', '-')}", kind, u) for u in urls]
    return out


def simulated(url: str) -> bool:
    """A simulator, not a device (`sim://printer`, `sim://idcard` …)."""
    return urlsplit(url.strip()).scheme.lower() == "sim"


_MARK = {HealthState.OK: "正常 ok", HealthState.DEGRADED: "注意 degraded",
         HealthState.OFFLINE: "离线 offline", HealthState.UNKNOWN: "未知 unknown"}  # fmt: skip
SIMULATED = "模拟 simulated"


def run(args: argparse.Namespace) -> int:
    try:
        layout = load_layout(args.layout)
        todo = entries(args, layout)
    except LayoutError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    worst = 0
    sims: list[DeviceEntry] = []
    for entry in todo:
        h = _probe(entry.kind, entry.url)
        if simulated(entry.url):
            # A simulator answers "ok" (打印机正常) for a printer that does not exist: never
            # report it as a device in order; what it simulates only when that is a fault.
            sims.append(entry)
            mark, reason = SIMULATED, "模拟器，没有真实设备 / a simulator, no real device"
            if not h.ok:
                reason += f"; {_MARK[h.state]}: {h.reason}"
        else:
            mark, reason = _MARK[h.state], h.reason
        worst = max(worst, 0 if h.ok else 1)
        print(f"{entry.where:<34} {entry.url:<40} {mark:<14} {reason}")
    if sims and not layout.simulators:
        print(
            f"hall devices check: {len(sims)} simulated device(s) in {layout.source}, a hall's "
            "own layout: put the real devices' URLs there (a demo layout says "
            "[devices] simulators = true) / 该布局用于正式大厅，不应使用模拟设备",
            file=sys.stderr,
        )
        worst = max(worst, 1)
    return worst
