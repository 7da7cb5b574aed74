"""HallModel: layout from the welcome, live calls as signals, queue figures from heartbeats."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.events import Event, TicketCalled, TicketRecalled
from hall.server.hub import Hub
from ui.hublink import HubLink
from ui.model import HallModel


def test_model_follows_the_hall(qtbot: QtBot, hub: Hub) -> None:
    link = HubLink(hub.endpoint, "display-2F")
    model = HallModel(link)
    with qtbot.waitSignals([model.layout_ready, link.synced], timeout=5000):
        link.start()
    assert {q["id"] for q in model.queues()} == {"G", "M", "T", "E", "O"}
    assert len(model.windows("2F")) == 17
    calls: list[Event] = []
    model.called.connect(calls.append)
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
        m.issue("M")
        m.issue("M")
        qtbot.waitUntil(lambda: model.waiting("M") == 2, timeout=2000)
        # The board heartbeat brings the queue figures (waiting count and estimate).
        qtbot.waitUntil(lambda: model.queue_figures.get("M", {}).get("waiting") == 2, timeout=3000)
        assert model.estimate_text("M")
        m.call_next(9)
        qtbot.waitUntil(lambda: len(calls) == 1, timeout=2000)
        m.recall(9)
        qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    assert [type(c.data) for c in calls] == [TicketCalled, TicketRecalled]
    first = calls[0].data
    assert isinstance(first, TicketCalled)
    assert first.ticket["number"] == "B001" and first.window == 9
    assert model.window_state(9)["current"] == "B001"
    assert model.waiting("M") == 1
    link.stop()
