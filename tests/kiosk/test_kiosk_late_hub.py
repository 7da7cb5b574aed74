"""A hub slow to answer a ticket request: the kiosk keeps the citizen and the request.

The hub runs as a process of its own (`hall serve`), stopped with SIGSTOP while the
kiosk asks for a ticket: the request waits in the hub's socket, and the hub makes the
ticket when it is continued. Before, the kiosk gave up after the link's few retries
(about a second here), sent the citizen to the service desk, and the hub then made a
ticket nobody held — a second tap made another. Or the hub runs on but answers late
(behind `tests.slownet.SlowProxy`): before, each Lazy Pirate retry closed the
connection its answer was coming back on.
"""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
from contextlib import closing

import pytest
from pytestqt.qtbot import QtBot

from drivers.printer.escpos import CUT
from hall.client import HubClient
from kiosk.model import Screen
from kiosk.pages import IssuingPage
from tests.hubs import HubProcess
from tests.slownet import SlowProxy

from .conftest import Kiosk, MakeKiosk, person
from .test_kiosk import click, home, wait_printed

pytestmark = pytest.mark.slow

SLOW_TEXT = "网络较慢，仍在为您取号，请不要离开"


def issuing_page(k: Kiosk) -> IssuingPage:
    page = k.window.pages[Screen.ISSUING]
    assert isinstance(page, IssuingPage)
    return page


def next_number(hub: HubProcess) -> str:
    """The number the hub gives the next G ticket (so: how many it made before)."""
    with HubClient(hub.endpoint, device="kiosk-2", timeout=2.0) as other:
        return str(other.issue("G")["ticket"]["number"])


def test_a_ticket_the_hub_answers_late_is_handed_out_once(
    qtbot: QtBot, hub_proc: HubProcess, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub_proc.endpoint, issue_patience=10.0, slow_seconds=1.0)
    page = issuing_page(k)
    k.id_reader.tap(person("孙八"))
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    hub_proc.signal(signal.SIGSTOP)
    try:
        click(qtbot, home(k).buttons["G"])
        # the card went with the request; the kiosk keeps nothing of the holder meanwhile
        assert k.model.person is None
        qtbot.waitUntil(lambda: k.model.issuing_slow, timeout=3000)
        assert page.hint.isVisible() and page.hint.text() == SLOW_TEXT
        qtbot.wait(2500)  # well past the link's own retries (timeout 0.5 s × 2 tries)
        assert k.model.screen is Screen.ISSUING
        k.shoot("issuing-slow")
    finally:
        hub_proc.signal(signal.SIGCONT)
    wait_printed(qtbot, k)
    assert k.model.ticket is not None and k.model.ticket.number == "A001"
    assert not k.model.issuing_slow
    assert k.emulator.received.count(CUT) == 1
    assert next_number(hub_proc) == "A002"  # one ticket made for the citizen, not two


def test_a_hub_silent_past_the_patience_sends_the_citizen_to_the_desk(
    qtbot: QtBot, hub_proc: HubProcess, make_kiosk: MakeKiosk, caplog: pytest.LogCaptureFixture
) -> None:
    k = make_kiosk(hub_proc.endpoint, issue_patience=2.0, slow_seconds=0.5)
    hub_proc.signal(signal.SIGSTOP)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.model"):
            click(qtbot, home(k).buttons["G"])
            qtbot.waitUntil(lambda: k.model.issuing_slow, timeout=3000)
            qtbot.waitUntil(lambda: k.model.screen is Screen.OFFLINE, timeout=5000)
        sent_away = [r for r in caplog.records if "no answer to ticket request" in r.message]
        assert len(sent_away) == 1
        req_id = sent_away[0].args[0]  # type: ignore[index]
        assert str(req_id).startswith("kiosk-1:") and req_id in sent_away[0].message
        assert not k.model.issuing_slow and k.model.person is None
    finally:
        hub_proc.signal(signal.SIGCONT)
    # The hub made that ticket from its socket once continued; the kiosk comes back and the
    # next tap is a ticket of its own.
    qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=8000)
    with closing(sqlite3.connect(hub_proc.db)) as db:  # where the log line says it is kept
        (reply,) = db.execute("SELECT reply FROM replies WHERE req_id = ?", [req_id]).fetchone()
    assert json.loads(reply)["value"]["ticket"]["number"] == "A001"
    click(qtbot, home(k).buttons["G"])
    wait_printed(qtbot, k)
    assert k.model.ticket is not None and k.model.ticket.number == "A002"
    assert k.emulator.received.count(CUT) == 1


def test_a_hub_answering_slower_than_the_link_timeout_still_hands_out_the_ticket(
    qtbot: QtBot, hub_proc: HubProcess, make_kiosk: MakeKiosk
) -> None:
    with SlowProxy(hub_proc.port) as slow:
        k = make_kiosk(slow.endpoint, issue_patience=10.0, slow_seconds=1.0)
        slow.delay = 1.5  # every answer three times the link's timeout (0.5 s) late
        click(qtbot, home(k).buttons["G"])
        qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=6000)
        assert k.model.ticket is not None and k.model.ticket.number == "A001"
        slow.delay = 0.0
        wait_printed(qtbot, k)
    assert k.emulator.received.count(CUT) == 1
    assert next_number(hub_proc) == "A002"
