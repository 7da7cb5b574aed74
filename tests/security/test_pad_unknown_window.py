"""A rating pad whose registered window the hall's layout does not have (the layout lost a
window after the keys were made) is refused plainly — no such window — not answered with
an internal error, a traceback and a reload of the hub's state."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from hall.client import HubClient
from hall.core import errors as E
from hall.core.engine import Engine
from hall.core.layout import Layout
from hall.server.hub import Hub, Security, wall_clock
from hall.wire.commands import apply
from hall.wire.peer import Peer
from hall.wire.protocol import Rate
from tests.hubs import HALL_TIME


def test_a_pad_for_a_window_the_hall_lacks_is_refused(
    jiangbei: Layout, keys_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hall.hub")
    gone = max(jiangbei.windows)  # its counter and pad keep their keys
    smaller = dataclasses.replace(
        jiangbei, windows={n: w for n, w in jiangbei.windows.items() if n != gone}
    )
    hub = Hub(smaller, tmp_path / "hall.db", bind="tcp://127.0.0.1:0",
              security=Security.load(keys_dir), clock=wall_clock(HALL_TIME)).start()  # fmt: skip
    try:
        with HubClient(hub.endpoint, device=f"rating-{gone}", keys=keys_dir) as pad:
            with pytest.raises(E.UnknownWindow) as e:
                pad.rate(5)
            assert str(gone) in e.value.detail and e.value.message_english == "No such window"
            with pytest.raises(E.UnknownWindow):
                pad.rate(4, ticket="T-1")
        with HubClient(hub.endpoint, device="kiosk-1", keys=keys_dir) as kiosk:
            assert kiosk.issue("G")["ticket"]["number"] == "A001"
    finally:
        hub.stop()
    assert "bug" not in caplog.text and "Traceback" not in caplog.text


def test_the_rule_itself(jiangbei: Layout) -> None:
    engine = Engine(jiangbei, wall_clock(HALL_TIME))
    for ticket in (None, "T-1"):
        with pytest.raises(E.UnknownWindow):
            apply(Peer("rating-99", "rating", window=99), Rate(req_id="rating-99:1", level=5,
                  ticket=ticket), engine, b"secret")  # fmt: skip
