"""`hall serve`: run the hub for one hall until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from hall.cli import systemd
from hall.core.catalogue import CatalogueError, load_catalogue
from hall.core.layout import LayoutError, default_layout_path, load_layout
from hall.core.shipped import layout_file

if TYPE_CHECKING:
    from hall.server.hub import Hub, Security

log = logging.getLogger("hall.serve")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layout", type=layout_file, default=default_layout_path(),
                   help="hall layout: a built-in name (hall layout list) or a TOML file")  # fmt: skip
    p.add_argument("--db", type=Path, required=True, help="the hall database (SQLite)")
    p.add_argument("--keys", type=Path, help="keys directory from `hall keys init` (CURVE)")
    p.add_argument(
        "--insecure", action="store_true",
        help="no keys: devices say who they are (tests and demos on one machine only)",
    )  # fmt: skip
    p.add_argument("--bind", default="tcp://127.0.0.1:7700", help="command endpoint (ROUTER)")
    p.add_argument("--pub", help="board stream endpoint (PUB); default: the --bind port + 1")
    p.add_argument(
        "--staff-pub",
        help="staff stream endpoint (PUB, counters and managers only); default: --pub port + 1",
    )
    p.add_argument(
        "--clock-start", type=datetime.fromisoformat, metavar="ISO",
        help="the hall clock reads this at start (tests, demo); default: the wall clock",
    )  # fmt: skip
    p.add_argument("--device-timeout", type=float, default=5.0, help="seconds to offline")
    p.add_argument("--rate-limit", type=float, default=100.0, metavar="N",
                   help="commands a second one device may send on average (twice that in a "
                   "burst; 0: no limit)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from hall.net.keys import KeysError
    from hall.net.sockets import EndpointError, check_endpoint
    from hall.server.dblock import DatabaseUnusable
    from hall.server.hub import Hub, wall_clock

    if args.keys is None and not args.insecure:
        print("hall serve: give --keys DIR (from `hall keys init`), or --insecure for a test "
              "hall on one machine", file=sys.stderr)  # fmt: skip
        return 2
    try:
        for option in ("bind", "pub", "staff_pub"):
            if getattr(args, option) is not None:
                check_endpoint(getattr(args, option), "--" + option.replace("_", "-"))
        layout = load_layout(args.layout)
        items = {i.code: i.domain for i in load_catalogue()}
    except (EndpointError, LayoutError, CatalogueError) as e:
        print(f"hall serve: {e}", file=sys.stderr)
        return 2
    try:
        security = _security(args.keys) if args.keys else None
    except KeysError as e:
        print(f"hall serve: --keys {args.keys}: {e}", file=sys.stderr)
        return 2
    if warning := layout.calendar_warning(wall_clock(args.clock_start)().date()):
        log.warning("hall calendar: %s", warning)
        print(f"hall serve: warning: {warning}", file=sys.stderr)
    other = layout_mismatch(args.keys, args.layout) if args.keys else None
    if other is not None:
        print(f"hall serve: note: {other}", file=sys.stderr)
    hub = Hub(
        layout, args.db, bind=args.bind, pub_bind=args.pub, staff_pub_bind=args.staff_pub,
        security=security,
        clock=wall_clock(args.clock_start), items=items, device_timeout=args.device_timeout,
        rate_limit=args.rate_limit,
    )  # fmt: skip

    # The handlers only set a flag: raising in the main thread while it waits in
    # Thread.join (as a KeyboardInterrupt did) left CPython thinking the hub thread had
    # ended, so the process exited under it — no last log lines, the database not closed.
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        hub.start()
        systemd.notify(f"READY=1\nSTATUS=serving {hub.endpoint}")
        watchdog = systemd.watchdog_seconds()
        while hub._thread is not None and hub._thread.is_alive() and not stopping.wait(0.5):
            # systemd's watchdog (WatchdogSec=): fed only while the hub's loop still sends
            # its heartbeats, so a hub stuck (a hung disk, a deadlock) is restarted
            if watchdog is not None and time.monotonic() - hub.last_beat < watchdog / 2:
                systemd.notify("WATCHDOG=1")
    except RuntimeError as e:
        busy = _port_in_use(args, hub, e.__cause__ or hub.failure)
        if busy is not None:
            print(f"hall serve: the hub did not start: {busy}", file=sys.stderr)
        elif isinstance(e.__cause__, DatabaseUnusable):
            print(f"hall serve: {e.__cause__}", file=sys.stderr)
        else:
            print(f"hall serve: {e} ({e.__cause__ or hub.failure})", file=sys.stderr)
        return 1
    finally:
        systemd.notify("STOPPING=1")
        hub.stop()
    return 1 if hub.failure else 0


def layout_mismatch(keys: Path, layout: Path) -> str | None:
    """A sentence if the keys directory was made for another layout file than the one served
    (its devices may name windows or floors this layout lacks), else None."""
    from hall.net.keys import KeysError, layout_of

    try:
        made_for = layout_of(keys)
    except KeysError as e:  # only a note depends on it: say so and serve
        return f"cannot tell which layout --keys {keys} was made for: {e}"
    served = Path(os.path.abspath(layout))
    if made_for is None or made_for == served or made_for.resolve() == served.resolve():
        return None
    return (f"--keys {keys} was made for the layout {made_for}, and this hub serves "
            f"{served}; if that is not the same hall, its devices are not this hall's")  # fmt: skip


def _security(keys: Path) -> Security:
    """The keys directory read the way the hub will read it, so that a wrong --keys is one
    line here rather than a traceback (registry) or a hub that fails to start (keys, secret).
    """
    from hall.net.keys import REGISTRY_FILE, KeysError, hub_keys, load_hall_secret
    from hall.server.hub import Security

    make = "make one with `hall keys init DIR --layout FILE`"
    if not keys.is_dir():
        raise KeysError(f"no such directory; {make}")
    if not (keys / REGISTRY_FILE).exists():
        raise KeysError(f"not a keys directory (no {REGISTRY_FILE} in it); {make}")
    security = Security.load(keys)
    hub_keys(keys)
    load_hall_secret(keys)
    return security


def _port_in_use(args: argparse.Namespace, hub: Hub, failure: BaseException | None) -> str | None:
    """Which of the hub's three endpoints is in use and the option that moves it; None when
    the hub failed for another reason. (pyzmq's bind error names the address: (addr='…').)
    The streams' ports are not on the command line unless --pub/--staff-pub were given."""
    import zmq

    if not isinstance(failure, zmq.ZMQError) or failure.errno != errno.EADDRINUSE:
        return None
    text = str(failure)

    def failed(endpoint: str) -> bool:
        return f"(addr={endpoint!r})" in text

    if failed(hub.bind):
        return (
            f"{hub.bind} (--bind) is in use; is another hub running there? "
            "Choose another with --bind tcp://HOST:PORT"
        )
    if failed(hub.pub_bind):
        endpoint, stream, option = hub.pub_bind, "board", "--pub"
        whose = "--pub" if args.pub else "--bind's port + 1"
    elif failed(hub.staff_pub_bind):
        endpoint, stream, option = hub.staff_pub_bind, "staff", "--staff-pub"
        whose = (
            "--staff-pub" if args.staff_pub
            else "--pub's port + 1" if args.pub
            else "--bind's port + 2"
        )  # fmt: skip
    else:
        return None
    return (
        f"{endpoint}, the {stream} stream's endpoint ({whose}), is in use; "
        f"choose another with {option} tcp://HOST:PORT"
    )
