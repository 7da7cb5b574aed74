"""`hall serve`: run the hub for one hall until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType

from hall.catalogue import CatalogueError, load_catalogue
from hall.layout import LayoutError, default_layout_path, load_layout

log = logging.getLogger("hall.serve")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layout", type=Path, default=default_layout_path(), help="hall layout TOML")
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


def run(args: argparse.Namespace) -> int:
    from hall.hub import Hub, Security, wall_clock

    if args.keys is None and not args.insecure:
        print("hall serve: give --keys DIR (from `hall keys init`), or --insecure for a test "
              "hall on one machine", file=sys.stderr)  # fmt: skip
        return 2
    try:
        layout = load_layout(args.layout)
        items = {i.code: i.domain for i in load_catalogue()}
    except (LayoutError, CatalogueError) as e:
        print(f"hall serve: {e}", file=sys.stderr)
        return 2
    security = Security.load(args.keys) if args.keys else None
    hub = Hub(
        layout, args.db, bind=args.bind, pub_bind=args.pub, staff_pub_bind=args.staff_pub,
        security=security,
        clock=wall_clock(args.clock_start), items=items, device_timeout=args.device_timeout,
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
        while hub._thread is not None and hub._thread.is_alive() and not stopping.wait(0.5):
            pass
    except RuntimeError as e:
        print(f"hall serve: {e} ({e.__cause__ or hub.failure})", file=sys.stderr)
        return 1
    finally:
        hub.stop()
    return 1 if hub.failure else 0
