"""python-escpos, imported so that it leaves nothing behind in /tmp.

python-escpos caches its printer capabilities in ``tempfile.mkdtemp()`` at import,
and calls it even when ``ESCPOS_CAPABILITIES_PICKLE_DIR`` names a folder: every
process that imports it (each kiosk start, each test process) leaves a folder in
/tmp for good. Here that call lands inside a folder of ours, removed when the
process ends. Import python-escpos's names from this module, not from ``escpos``.

It also calls ``logging.basicConfig()`` at import: a handler on the root logger in
Python's bare format, which made the app's own set-up (hall.cli.logs, which leaves a
logging set up by someone else alone) step aside. A kiosk's lines lost their time, their
device and their journald priority. The handler it adds is taken off again here.
"""

from __future__ import annotations

import logging
import tempfile

_root_handlers = list(logging.getLogger().handlers)
_cache = tempfile.TemporaryDirectory(prefix="yichuang-escpos-")
_tempdir, tempfile.tempdir = tempfile.tempdir, _cache.name
try:
    import escpos.capabilities  # noqa: F401  (makes its cache folder here)
finally:
    tempfile.tempdir = _tempdir
    for _h in logging.getLogger().handlers:
        if _h not in _root_handlers:  # escpos.capabilities' logging.basicConfig()
            logging.getLogger().removeHandler(_h)

from escpos.escpos import Escpos  # noqa: E402
from escpos.exceptions import DeviceNotFoundError  # noqa: E402
from escpos.exceptions import Error as EscposLibraryError  # noqa: E402
from escpos.printer import File, Network, Serial, Usb  # noqa: E402

__all__ = [
    "DeviceNotFoundError",
    "Escpos",
    "EscposLibraryError",
    "File",
    "Network",
    "Serial",
    "Usb",
]
