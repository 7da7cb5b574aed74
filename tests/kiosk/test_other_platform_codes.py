"""A code of another platform at the kiosk: refused in one sentence, sent nowhere, not logged.

The electronic social security card's code (电子社保卡码) is such a code: no public
source gives its shape, every public integration hands it to a platform that decodes
it (drivers/scanner/README.md), so the kiosk cannot tell it from any other stranger
code and must not guess. Here a code comes off a real serial scanner driver on a
socat pty, from the scanner simulator on the far end.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from drivers.scanner import open_scanner
from hall.server.hub import Hub
from kiosk.devices import CardDesk
from kiosk.model import Screen
from tests.ptys import socat_pair

from .conftest import MakeKiosk
from .test_kiosk import spy_requests

TOKEN = "o5Zb+4Qk/3mW9vTn8yXcR2dLp7sHq1JfG6eAa0uKi4OzNlBtCwVyMgPjUrSxDhEFI="


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with socat_pair(tmp_path) as pair:
        yield pair


def test_a_code_of_another_platform_is_refused_and_goes_nowhere(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk, pty_pair: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    kiosk_end, sim_end = pty_pair
    k = make_kiosk(hub.endpoint, error_seconds=1.0)
    sent = spy_requests(k)
    desk = CardDesk(scanner=open_scanner(f"serial://{kiosk_end}?baudrate=9600"), poll_seconds=0.2)
    desk.code.connect(k.model.code_scanned)
    desk.start()
    try:
        with caplog.at_level(logging.DEBUG):
            subprocess.run([sys.executable, "-m", "drivers.scanner.sim", sim_end, TOKEN],
                           check=True, timeout=20)  # fmt: skip
            qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)
            assert k.model.error is not None and k.model.error.zh and k.model.error.en
            assert not k.model.error_is_card  # not "place your card again"
            qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=5000)
        assert all(TOKEN not in repr(r) for r in sent)  # nothing about it went to the hub
        assert TOKEN not in caplog.text and TOKEN[:16] not in caplog.text
        assert k.model.ticket is None and not hub.engine.tickets
    finally:
        desk.stop()
