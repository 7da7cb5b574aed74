"""systemd's service notifications (sd_notify(3)): READY, STOPPING and the watchdog.

The protocol is one datagram of "KEY=VALUE" lines to the socket named in $NOTIFY_SOCKET
(a path, or an abstract name written with a leading "@"); without it (not run by systemd,
or not Type=notify) every call does nothing.
"""

from __future__ import annotations

import os
import socket


def notify(state: str) -> bool:
    """Send `state` ("READY=1", "WATCHDOG=1", …) to systemd; False when there is none."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address or address[0] not in "/@":
        return False
    if address[0] == "@":
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.sendto(state.encode(), address)
    except OSError:
        return False
    return True


def watchdog_seconds() -> float | None:
    """The watchdog interval systemd asks of this process ($WATCHDOG_USEC, for our pid), or
    None when there is no watchdog."""
    usec, pid = os.environ.get("WATCHDOG_USEC", ""), os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1e6
