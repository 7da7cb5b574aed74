"""Log lines of every `hall` process (the hub, the apps, the tools): one line per event.

On a console (or a file): ``2026-11-26 09:30:00,123 INFO hall.hub: kiosk-1 issue ok 2.1ms``
— the time, the level, the logger (with the device in brackets for an app:
``kiosk [kiosk-1]``) and the message. Run by systemd with stderr going to the journal
(``JOURNAL_STREAM`` names stderr's device and inode), the journal stamps each line with
the time itself: the line drops the timestamp and starts with the syslog priority
(``<6>INFO hall.hub: …``), which journald reads as the entry's PRIORITY
(``journalctl -p warning`` then works) and strips.

A message of several lines (a traceback) stays one line: its line breaks are written as
``\\n`` (journald would otherwise make each line an entry of its own, and a grep for a
time would find only the first).

No ID number is written: whatever a line quotes (a value a device sent in the wrong field,
an exception's message, a traceback), every run of 15–18 digits, an ID number's shape, is
masked on the way out (``1101**********002X``, `hall.core.idnumber.mask_numbers`); ticket
numbers, ticket ids and times are shorter and stay.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from hall.core.idnumber import mask_numbers

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s%(device)s: %(message)s"
JOURNAL_FORMAT = "%(levelname)s %(name)s%(device)s: %(message)s"

#: logging level → syslog priority (sd-daemon(3)'s "<N>" prefix)
_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6,
             logging.DEBUG: 7}  # fmt: skip


def journal_prefix(levelno: int) -> str:
    """journald's "<N>" for a logging level (the nearest one at or below it)."""
    level = max((lv for lv in _PRIORITY if lv <= levelno), default=logging.DEBUG)
    return f"<{_PRIORITY[level]}>"


def to_journal(stream: TextIO) -> bool:
    """Whether `stream` is systemd's journal stream (systemd.exec(5), $JOURNAL_STREAM)."""
    dev, _, ino = os.environ.get("JOURNAL_STREAM", "").partition(":")
    if not (dev.isdigit() and ino.isdigit()):
        return False
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (st.st_dev, st.st_ino) == (int(dev), int(ino))


class OneLineFormatter(logging.Formatter):
    """The formats above; every event one line; journald's priority prefix if `journal`."""

    def __init__(self, *, journal: bool = False, device: str = "") -> None:
        super().__init__(JOURNAL_FORMAT if journal else CONSOLE_FORMAT)
        self.journal = journal
        self.device = device

    def format(self, record: logging.LogRecord) -> str:
        record.device = f" [{self.device}]" if self.device else ""
        text = mask_numbers(super().format(record))
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
        if self.journal:
            text = journal_prefix(record.levelno) + text
        return text


class _Handler(logging.StreamHandler[TextIO]):
    """Ours, so that `setup` twice replaces rather than adds."""


def setup(*, verbose: bool = False, stream: TextIO | None = None) -> logging.Handler | None:
    """Send the root logger's lines to `stream` (stderr), formatted for where it goes. Like
    logging.basicConfig, nothing is changed where someone else set logging up already (a
    test's log capture, a program that calls `hall.cli.main`)."""
    stream = stream or sys.stderr
    root = logging.getLogger()
    if any(not isinstance(h, _Handler) for h in root.handlers):
        return None
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = _Handler(stream)
    handler.setFormatter(OneLineFormatter(journal=to_journal(stream)))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return handler


def set_device(device: str) -> None:
    """Name the device this process is (an app) in every line from now on."""
    for h in logging.getLogger().handlers:
        if isinstance(h, _Handler) and isinstance(h.formatter, OneLineFormatter):
            h.formatter.device = device
