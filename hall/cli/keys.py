"""`hall keys init|add|disable|enable|list`: device keys and the device registry.

A running hub picks up `add`, `disable` and `enable` on the device's next message
or handshake; nothing needs restarting.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from hall.core.layout import LayoutError, default_layout_path, load_layout
from hall.core.shipped import layout_file
from hall.net.keys import (
    DEVICES_DIR,
    LAYOUT_FILE,
    ROLES,
    Device,
    KeysError,
    Registry,
    add_device,
    change_enabled,
    init_keys,
    layout_of,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    i = sub.add_parser("init", help="make the hub's and every device's keys for a layout")
    i.add_argument("dir", metavar="DIR", help="keys directory to create")
    i.add_argument(
        "--layout",
        required=True,
        metavar="LAYOUT",
        help="hall layout: a built-in name (hall layout list) or a TOML file",
    )
    i.add_argument("--force", action="store_true", help="replace the keys in an existing DIR")

    a = sub.add_parser("add", help="register one more device with a fresh key pair")
    a.add_argument("dir", metavar="DIR", help="keys directory (made by `hall keys init`)")
    a.add_argument("--id", required=True, dest="device_id", metavar="ID",
                   help="the new device's id, e.g. counter-31")  # fmt: skip
    a.add_argument("--role", required=True, metavar="ROLE", help=" | ".join(ROLES))
    # --window and --floor exclude each other by role: add_device says so in its own words
    # (argparse's mutually exclusive group would answer in argparse's).
    a.add_argument("--window", type=int, metavar="N", help="for counter and rating")
    a.add_argument("--floor", metavar="F", help="for display and kiosk")
    a.add_argument(
        "--layout", metavar="LAYOUT",
        help="the hall layout the window or floor must be in (default: the one `hall keys "
        f"init` was given, or {default_layout_path()} for a folder made before that was kept)",
    )  # fmt: skip

    for name, text in (("disable", "refuse a device from now on"), ("enable", "let it in again")):
        e = sub.add_parser(name, help=text)
        e.add_argument("dir", metavar="DIR", help="keys directory")
        e.add_argument("--id", required=True, dest="device_id", metavar="ID",
                       help="the registered device's id")  # fmt: skip

    ls = sub.add_parser("list", help="show the registered devices")
    ls.add_argument("dir", metavar="DIR", help="keys directory")


def _where(d: Device) -> str:
    if d.window is not None:
        return f"window {d.window}"
    if d.floor is not None:
        return f"floor {d.floor}"
    return "whole hall"


def _line(d: Device) -> str:
    state = "enabled" if d.enabled else "DISABLED"
    return f"  {d.id:<14} {d.role:<8} {_where(d):<11} {state:<8} {d.public_key[:8]}…"


def _init(args: argparse.Namespace) -> int:
    layout = load_layout(args.layout)
    registry = init_keys(args.dir, layout, force=args.force)
    devices = registry.devices()
    roles = Counter(d.role for d in devices)
    print(f"made {args.dir} for {layout.name} ({layout.source}):")
    print("  hub.key, hub.key_secret       the hub's key pair (keep the secret on the hub)")
    print(f"  {DEVICES_DIR + '/<id>.key(_secret)':<29} {len(devices)} devices: ", end="")
    print(", ".join(f"{n} {role}" for role, n in roles.items()))
    print("  registry.json                 which key is which device; enabled or not")
    print("  layout.path                   this layout's file: `hall keys add` checks against it")
    print("  hall.secret                   key for hashing ID numbers (kept if it existed)")
    print("devices:")
    for d in devices:
        print(_line(d))
    print(
        "Give each device DIR/hub.key and its own devices/<id>.key_secret; "
        "nothing else leaves the hub."
    )
    return 0


def _add_layout(args: argparse.Namespace) -> Path | None:
    """`--layout`, else the layout the keys directory was made for, else the default; None
    when there is nothing to check (a manager's device has no window or floor)."""
    if args.layout is not None:
        return layout_file(args.layout)
    if args.window is None and args.floor is None:
        return None
    made_for = layout_of(args.dir)
    if made_for is None:
        return default_layout_path()
    if not made_for.is_file():
        raise KeysError(
            f"{args.dir} was made for the layout {made_for}, which is not on this machine "
            f"(moved, or the folder was copied here): give --layout FILE, or write that "
            f"file's path into {Path(args.dir) / LAYOUT_FILE}"
        )
    return made_for


def run(args: argparse.Namespace) -> int:
    try:
        if args.keys_command == "init":
            return _init(args)
        if args.keys_command == "add":
            source = _add_layout(args)
            layout = None if source is None else load_layout(source)
            d = add_device(
                args.dir, args.device_id, args.role, args.window, args.floor, layout=layout
            )
            print(
                f"added {d.id} ({d.role}, {_where(d)}): {args.dir}/{DEVICES_DIR}/{d.id}.key_secret"
            )
            return 0
        if args.keys_command in ("disable", "enable"):
            d, changed = change_enabled(args.dir, args.device_id, args.keys_command == "enable")
            state = "enabled" if d.enabled else "disabled"
            print(f"{d.id} is now {state}" if changed else f"{d.id} was already {state}")
            return 0
        registry = Registry.load(args.dir)
        for d in registry.devices():
            print(_line(d))
        return 0
    except (KeysError, LayoutError) as e:
        print(f"hall keys: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # `hall keys list | head`: not a keys problem (hall.cli ends it quietly)
    except OSError as e:
        print(f"hall keys: {e.filename or args.dir}: {e.strerror}", file=sys.stderr)
        return 2
