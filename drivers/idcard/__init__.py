"""Resident ID-card reader (GA 467 SAM module on a serial line).

Pick a reader from a config URL::

    serial:///dev/ttyUSB0?baud=115200&timeout=2   the real reader (pyserial)
    sim://idcard[?script=cards.json]              in-process simulator (demo)

The simulator (``drivers.idcard.sim``) is imported only when a sim:// URL asks
for it, so that ``python -m drivers.idcard.sim`` does not find it half-imported.
"""

from __future__ import annotations

from drivers.base import ConfigError, parse_device_url
from drivers.idcard.errors import (
    CardDataError,
    CardNotReadable,
    CardRejected,
    CardRemoved,
    IdCardError,
    NoCard,
    ReaderFault,
    ReaderStatusError,
    RemoteProtocolError,
    UnsupportedCard,
)
from drivers.idcard.reader import IdCardReader, SerialIdCardReader

__all__ = [
    "CardDataError",
    "CardNotReadable",
    "CardRejected",
    "CardRemoved",
    "IdCardError",
    "IdCardReader",
    "NoCard",
    "ReaderFault",
    "ReaderStatusError",
    "RemoteProtocolError",
    "SerialIdCardReader",
    "UnsupportedCard",
    "open_id_reader",
]

_OPTIONS = {"serial": {"baud", "timeout"}, "sim": {"script", "timeout"}}


def open_id_reader(url: str) -> IdCardReader:
    """Open the ID-card reader a config URL names; ConfigError if the URL is wrong."""
    u = parse_device_url(url, allowed=("serial", "sim"))
    unknown = set(u.params) - _OPTIONS[u.scheme]
    if unknown:
        raise ConfigError(f"{url}: unknown options {', '.join(sorted(unknown))}")
    timeout = u.float_param("timeout", 2.0)
    if timeout <= 0:
        raise ConfigError(f"{url}: timeout must be positive")
    if u.scheme == "serial":
        if u.host or not u.path:
            raise ConfigError(f"{url}: expected serial:///dev/ttyXXX (three slashes, a path)")
        return SerialIdCardReader(
            u.path, baudrate=u.int_param("baud", 115200), reply_timeout=timeout
        )
    if u.host != "idcard" or u.path not in ("", "/"):
        raise ConfigError(f"{url}: the simulated ID-card reader is sim://idcard")
    from drivers.idcard.scripts import load_script
    from drivers.idcard.sim import SimIdCardReader

    reader = SimIdCardReader(reply_timeout=timeout)
    script = u.param("script")
    if script:
        load_script(reader.simulator, script)
    return reader
