"""`hall status`: a running hub's queues, windows and devices."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", default="tcp://127.0.0.1:7700", help="the hub's --bind")
    p.add_argument("--device", default="manager-1", help="ask as this device (a manager)")
    p.add_argument("--keys", type=Path, help="keys directory (omit for an --insecure hub)")
    p.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for the hub")


def render(snap: dict[str, Any], disabled: frozenset[str] = frozenset()) -> str:
    """The snapshot as a few plain tables; `disabled`: devices the registry has disabled."""
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
    devices = snap.get("staff", {}).get("devices", {})
    lines += ["", "设备 devices:"]
    if not devices:
        lines.append("  (none seen since the hub started)")
    for d, up in sorted(devices.items()):
        state = "DISABLED" if d in disabled else "online" if up else "OFFLINE"
        lines.append(f"  {d:<14} {state}")
    return "\n".join(lines)


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


def _disabled(keys: Path | None) -> frozenset[str]:
    """The devices this keys directory's registry disables (none if it cannot be read)."""
    from hall.net.keys import KeysError, Registry

    if keys is None:
        return frozenset()
    try:
        return frozenset(d.id for d in Registry.load(keys).devices() if not d.enabled)
    except (KeysError, OSError):
        return frozenset()


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
            print(render(c.snapshot(), _disabled(args.keys)))
    except HubUnavailable:
        print(f"hall status: {no_answer(args)}", file=sys.stderr)
        return 1
    except HallError as e:
        print(f"hall status: the hub refused {args.device}'s request: {e}", file=sys.stderr)
        return 1
    return 0
