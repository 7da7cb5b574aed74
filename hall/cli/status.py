"""`hall status`: a running hub's queues, windows and devices: with --keys (a hub run with
keys), every device of the hub's registry, online, offline, never seen since the hub
started, or disabled — asked from any machine with a manager's key."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hall.net.keys import Device


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", default="tcp://127.0.0.1:7700", help="the hub's --bind")
    p.add_argument("--device", default="manager-1", help="ask as this device (a manager)")
    p.add_argument("--keys", type=Path, help="keys directory (omit for an --insecure hub)")
    p.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for the hub")


#: a device's state in `hall status`, one word each (the first column is the device)
STATES = {"online": "在线", "OFFLINE": "离线", "NEVER-SEEN": "从未连接", "DISABLED": "已停用"}
#: a part's health as a device reported it (as `hall devices check` says it)
HEALTH = {"ok": "正常 ok", "degraded": "注意 degraded", "offline": "离线 offline",
          "unknown": "未知 unknown"}  # fmt: skip


def render(
    snap: dict[str, Any],
    disabled: frozenset[str] = frozenset(),
    registered: Sequence[Device] = (),
    asker: str = "",
) -> str:
    """The snapshot as a few plain tables. `registered`: the keys registry's devices, each
    listed whether the hub has seen it or not (the snapshot's `registered`, the hub's own
    registry, is listed too); `disabled`: those the registry disables;
    `asker`: the device that got this snapshot, online however quickly the hub answered
    (the hub notes a device's presence only once its queue of requests is empty)."""
    seq = ", ".join(f"{stream} {n}" for stream, n in snap["seq"].items())
    at = str(snap["at"]).replace("T", " ")
    lines = [f"epoch {snap['epoch']}  at {at}  seq {seq}", "", "队列 queues:"]
    for q in snap["queues"]:
        lines.append(f"  {q['queue']:<3} {q['name']:<8} {q['floor']:<3} 等候 {q['waiting']:>4}  "
                     f"最久 {q['longest_wait']:>5.1f} 分  预计 {q['estimate_text']}")  # fmt: skip
    lines += ["", "窗口 windows:"]
    for n, w in sorted(snap["board"]["windows"].items(), key=lambda kv: int(kv[0])):
        clerk = w["clerk"]["name"] if w.get("clerk") else "-"
        current = f"{w['current']} ({w['current_state']})" if w.get("current") else "-"
        lines.append(f"  {int(n):>3} {w['state']:<7} {clerk:<8} {current}")
    seen: dict[str, bool] = dict(snap.get("staff", {}).get("devices", {}))
    if asker:
        seen[asker] = True
    ids = {r.id for r in registered}
    if "registered" in snap:  # the hub's own registry (a hub with keys, asked by a manager)
        # the hub's registry is the one that counts: a local --keys copy may be stale
        ids |= set(snap["registered"])
        hub_says = snap["registered"]
        disabled = frozenset({d for d in disabled if d not in hub_says} | {
            d for d, enabled in hub_says.items() if not enabled})  # fmt: skip
    states: dict[str, str] = {}
    for d in sorted(set(seen) | ids):
        if d in disabled:
            states[d] = "DISABLED"
        elif d not in seen:
            states[d] = "NEVER-SEEN"
        else:
            states[d] = "online" if seen[d] else "OFFLINE"
    legend = " / ".join(f"{zh} {en}" for en, zh in STATES.items())
    lines += ["", f"设备 devices ({legend}):"]
    if not states:
        lines.append("  (none seen since the hub started, and the hub runs without keys)")
    health: dict[str, dict[str, dict[str, str]]] = snap.get("staff", {}).get("health", {})
    for d, state in states.items():
        lines.append(f"  {d:<14} {state}")
        # what the device says of its parts, where that is not plain ok: an online display
        # whose voice cannot speak, a kiosk printing to a simulator or out of paper
        for part, h in sorted(health.get(d, {}).items()):
            mark = "模拟 simulated" if h.get("code") == "sim" else HEALTH.get(h.get("state", ""))
            if mark != HEALTH["ok"]:
                said = f"{mark or h.get('state')} {h.get('reason', '')}"
                lines.append(f"      {_printable(part)}: {_printable(said)}")
    counts = [f"{n} {s}" for s in STATES if (n := list(states.values()).count(s))]
    if counts:
        lines.append(f"  合计 total: {', '.join(counts)}" + (
            "; NEVER-SEEN: registered, not connected since the hub started"
            if "NEVER-SEEN" in states.values() else ""))  # fmt: skip
    return "\n".join(lines)


def _printable(text: str) -> str:
    """What a device said, safe for a terminal: a device key could send control sequences
    (ESC …) that a terminal would act on; they are shown as '?'."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


def no_answer(args: argparse.Namespace) -> str:
    """Silence explained. With CURVE a hub that refuses the key does not answer either."""
    text = (
        f"no answer from the hub at {args.endpoint} within {args.timeout:g} s; check that "
        "`hall serve` runs there and the network is up"
    )
    if args.keys is None:
        text += "; a hub run with keys (not --insecure) answers only a --keys DIR it knows"
        return text
    if args.device in _disabled(args.keys):
        return text + f". {args.device} is disabled in {args.keys}: `hall keys enable`"
    text += (
        f". With --keys, silence can also mean the hub refused {args.device}'s key "
        "(not in the hub's registry, or disabled: `hall keys list DIR` on the hub)"
    )
    return text


def _registered(keys: Path | None) -> tuple[Device, ...]:
    """The devices of this keys directory's registry (none if it cannot be read)."""
    from hall.net.keys import KeysError, Registry

    if keys is None:
        return ()
    try:
        return Registry.load(keys).devices()
    except (KeysError, OSError):
        return ()


def _disabled(keys: Path | None) -> frozenset[str]:
    """The devices this keys directory's registry disables (none if it cannot be read)."""
    return frozenset(d.id for d in _registered(keys) if not d.enabled)


def run(args: argparse.Namespace) -> int:
    from hall.client import HubClient, HubUnavailable
    from hall.core.errors import HallError
    from hall.net.keys import KeysError
    from hall.net.sockets import EndpointError, check_endpoint

    try:
        check_endpoint(args.endpoint, "--endpoint")
        client = HubClient(args.endpoint, device=args.device, keys=args.keys,
                           timeout=args.timeout, retries=1)  # fmt: skip
    except (EndpointError, KeysError) as e:
        print(f"hall status: {e}", file=sys.stderr)
        return 2
    try:
        with client as c:
            snap = c.snapshot()
        registered = _registered(args.keys)  # read after the snapshot: the newest
        print(render(snap, _disabled(args.keys), registered, args.device))
    except HubUnavailable:
        print(f"hall status: {no_answer(args)}", file=sys.stderr)
        return 1
    except HallError as e:
        print(f"hall status: the hub refused {args.device}'s request: {e}", file=sys.stderr)
        return 1
    return 0
