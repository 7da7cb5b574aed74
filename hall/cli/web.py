"""`hall web`: the web gateway — ticket pages, scan-to-rate and browser boards over HTTP."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger("hall.web")


def _listen(text: str) -> tuple[str, int] | None:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        return None
    return host.strip("[]"), int(port)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", default="tcp://127.0.0.1:7700", help="the hub's --bind")
    p.add_argument("--keys", type=Path, help="keys directory (omit for an --insecure hub)")
    p.add_argument("--device", default="web-1", help="the gateway's device id (role web)")
    p.add_argument("--listen", default="127.0.0.1:8080", metavar="HOST:PORT",
                   help="where to serve HTTP (default 127.0.0.1:8080)")  # fmt: skip
    p.add_argument("--public-url", default="",
                   help="the address citizens reach this gateway at (shown in the log; the "
                        "ticket's QR takes the layout's [web] public_url)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from hall.core.layout import public_url_error
    from hall.net.keys import KeysError, client_keys

    listen = _listen(args.listen)
    if listen is None:
        print(f"hall web: --listen: HOST:PORT, like 127.0.0.1:8080, got {args.listen!r}",
              file=sys.stderr)  # fmt: skip
        return 2
    why = public_url_error(args.public_url)
    if why is not None:
        print(f"hall web: --public-url: {why}", file=sys.stderr)
        return 2
    if args.keys is not None:
        try:
            client_keys(args.keys, args.device)
        except (KeysError, OSError) as e:
            print(f"hall web: {e}", file=sys.stderr)
            return 2
    from hall.web.server import WebServer

    host, port = listen
    server = WebServer(args.endpoint, device=args.device, keys=args.keys, host=host, port=port,
                       log_level="info")  # fmt: skip
    where = args.public_url or f"http://{host}:{port}"
    log.info("web gateway for the hub at %s on %s (tickets at %s/t/…, boards at %s/board/…)",
             args.endpoint, f"{host}:{port}", where, where)  # fmt: skip
    server.run()
    return 0 if server.server.started else 1
