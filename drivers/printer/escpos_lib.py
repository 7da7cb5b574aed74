"""python-escpos, imported so that it leaves nothing behind in /tmp.

python-escpos caches its printer capabilities in ``tempfile.mkdtemp()`` at import,
and calls it even when ``ESCPOS_CAPABILITIES_PICKLE_DIR`` names a folder: every
process that imports it (each kiosk start, each test process) leaves a folder in
/tmp for good. Here that call lands inside a folder of ours, removed when the
process ends. Import python-escpos's names from this module, not from ``escpos``.
"""

from __future__ import annotations

import tempfile

_cache = tempfile.TemporaryDirectory(prefix="yichuang-escpos-")
_tempdir, tempfile.tempdir = tempfile.tempdir, _cache.name
try:
    import escpos.capabilities  # noqa: F401  (makes its cache folder here)
finally:
    tempfile.tempdir = _tempdir

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
