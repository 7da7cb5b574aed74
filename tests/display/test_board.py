"""The display board against a real hub: calls show within a second and are said once."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from display.app import DisplayApp
from display.model import BoardModel
from drivers.voice import Announcer, Call
from hall.client import HubClient
from hall.core.events import Event, TicketCalled, TicketRecalled
from hall.core.layout import Layout
from hall.server.hub import Hub
from tests.hubs import start_hub
from tests.shots import save_shot
from ui.hublink import HubLink
from ui.model import HallModel


class Board:
    """One running board: link, hall model, board model, view, announcer."""

    def __init__(self, qtbot: QtBot, endpoint: str, floor: str, size: tuple[int, int]) -> None:
        device = "display-1F" if floor == "all" else f"display-{floor}"  # any display may listen
        self.link = HubLink(endpoint, device, timeout=0.5, retries=2,
                            offline_after=1.5)  # fmt: skip
        self.hall = HallModel(self.link)
        self.app = DisplayApp(self.hall, floor, "sim://voice")
        self.view = self.app.view
        qtbot.addWidget(self.view)
        self.view.resize(*size)
        self.view.show()
        with qtbot.waitSignals([self.hall.layout_ready, self.link.synced], timeout=5000):
            self.link.start()

    @property
    def model(self) -> BoardModel:
        return self.app.model

    @property
    def voice(self) -> Announcer:
        assert self.app.announcer is not None
        return self.app.announcer

    def spoken(self) -> list[tuple[str, int, bool]]:
        self.voice.wait_idle(3.0)
        return [(s.call.ticket, s.call.window, s.recall) for s in self.voice.history()]

    def close(self) -> None:
        self.link.stop()
        self.app.close()


@pytest.fixture
def boards(qtbot: QtBot) -> Iterator[list[Board]]:
    made: list[Board] = []
    yield made
    for b in made:
        b.close()


def _board(qtbot: QtBot, boards: list[Board], endpoint: str, floor: str = "2F",
           size: tuple[int, int] = (1920, 1080)) -> Board:  # fmt: skip
    b = Board(qtbot, endpoint, floor, size)
    boards.append(b)
    return b


def _open(m: HubClient, *windows: int) -> None:
    for w in windows:
        m.open_window(w)
        m.sign_in(w, staff_no=f"S{w:03d}", name="办事员")


def test_a_call_shows_within_a_second_and_is_said_once(
    qtbot: QtBot, hub: Hub, boards: list[Board], tmp_path: Path
) -> None:
    board = _board(qtbot, boards, hub.endpoint)
    with HubClient(hub.endpoint, device="manager-1") as m:
        _open(m, 9, 5)
        for _ in range(3):
            m.issue("M")
        m.issue("T")
        t0 = time.monotonic()
        m.call_next(9)
        qtbot.waitUntil(lambda: board.model.current is not None, timeout=1000)
        assert time.monotonic() - t0 < 1.0
    call = board.model.current
    assert call is not None and (call.number, call.window, call.recall) == ("B001", 9, False)
    assert board.view.current.text() == "B001 → 9号窗口"
    assert board.view.flashing
    assert board.spoken() == [("B001", 9, False)]
    cells = {n: t.text() for n, (_, _, t) in board.view._win_cells.items()}
    assert cells[9] == "B001" and cells[5] == "空闲" and cells[10] == "未开放"
    qtbot.waitUntil(lambda: board.model.queue_rows()[0]["waiting"] == 2, timeout=2000)
    save_shot(board.view, tmp_path, "display-2F-call-1920x1080")


def test_a_recall_is_said_again_and_the_list_keeps_one_line(
    qtbot: QtBot, hub: Hub, boards: list[Board]
) -> None:
    board = _board(qtbot, boards, hub.endpoint)
    with HubClient(hub.endpoint, device="manager-1") as m:
        _open(m, 9, 10)
        m.issue("M")
        m.issue("M")
        m.call_next(9)
        m.call_next(10)
        qtbot.waitUntil(lambda: len(board.model.calls) == 2, timeout=2000)
        m.recall(9)
        qtbot.waitUntil(lambda: board.model.current is not None and board.model.current.recall,
                        timeout=2000)  # fmt: skip
    assert board.spoken() == [("B001", 9, False), ("B002", 10, False), ("B001", 9, True)]
    assert [c.number for c in board.model.calls] == ["B001", "B002"]
    assert "再次呼叫" in board.view.current_hint.text()


def test_a_restart_shows_offline_then_catches_up_without_saying_old_calls(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path, boards: list[Board]
) -> None:
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db, heartbeat=0.25)
    endpoint = hub.endpoint
    try:
        board = _board(qtbot, boards, endpoint)
        with HubClient(endpoint, device="manager-1") as m:
            _open(m, 9)
            for _ in range(3):
                m.issue("M")
            m.call_next(9)
            qtbot.waitUntil(lambda: board.model.current is not None, timeout=2000)
            m.recall(9)
            qtbot.waitUntil(lambda: len(board.spoken()) == 2, timeout=2000)
        hub.stop()
        qtbot.waitUntil(lambda: not board.model.online, timeout=5000)
        assert board.view.banner.isVisible() and board.view.banner.text() == "系统连接中…"
        save_shot(board.view, tmp_path, "display-2F-offline-1920x1080")
        snaps = board.link.follower.snapshots
        hub = start_hub(layout, items, db, bind=endpoint, heartbeat=0.25)
        qtbot.waitUntil(lambda: board.model.online and board.link.follower.snapshots > snaps,
                        timeout=8000)  # fmt: skip
        assert not board.view.banner.isVisible()
        qtbot.wait(600)  # a few heartbeats after the snapshot: still nothing said again
        assert board.spoken() == [("B001", 9, False), ("B001", 9, True)]
        # While the board was away the counter moved on: the grid catches up, silently.
        with HubClient(endpoint, device="manager-1") as m:
            m.finish(9)
            m.call_next(9)
            qtbot.waitUntil(lambda: board.model.current is not None
                            and board.model.current.number == "B002", timeout=2000)  # fmt: skip
        assert board.spoken() == [("B001", 9, False), ("B001", 9, True), ("B002", 9, False)]
    finally:
        hub.stop()


def test_calls_made_before_the_board_started_are_shown_not_said(
    qtbot: QtBot, hub: Hub, boards: list[Board]
) -> None:
    with HubClient(hub.endpoint, device="manager-1") as m:
        _open(m, 9)
        m.issue("M")
        m.call_next(9)
    board = _board(qtbot, boards, hub.endpoint)
    cells = {n: t.text() for n, (_, _, t) in board.view._win_cells.items()}
    assert cells[9] == "B001"
    qtbot.wait(500)
    assert board.spoken() == [] and board.model.current is None


def test_floor_rule_window_floor_or_waiting_floor(
    qtbot: QtBot, hub: Hub, boards: list[Board]
) -> None:
    """A G ticket waits on 1F: called by 2F window 5 it shows (and is said) on 1F and 2F only."""
    b1, b2, b3 = (_board(qtbot, boards, hub.endpoint, f) for f in ("1F", "2F", "3F"))
    with HubClient(hub.endpoint, device="manager-1") as m:
        _open(m, 5, 9, 22)
        m.issue("G")
        m.issue("G")
        m.issue("M")
        m.call_next(5)  # A001: 1F queue, 2F window
        m.call_next(22)  # A002: 1F queue, 3F window
        m.call_next(9)  # B001: 2F queue, 2F window
        qtbot.waitUntil(lambda: len(b2.model.calls) == 2 and len(b1.model.calls) == 2
                        and len(b3.model.calls) == 1, timeout=2000)  # fmt: skip
    assert b1.spoken() == [("A001", 5, False), ("A002", 22, False)]
    assert b2.spoken() == [("A001", 5, False), ("B001", 9, False)]
    assert b3.spoken() == [("A002", 22, False)]
    assert [r["queue"] for r in b1.model.queue_rows()] == ["G", "O"]
    assert [r["queue"] for r in b2.model.queue_rows()] == ["M", "T", "G"]
    assert [r["queue"] for r in b3.model.queue_rows()] == ["E", "G"]


def test_a_call_to_another_floor_names_the_floor_on_the_board_and_in_the_voice(
    qtbot: QtBot, hub: Hub, boards: list[Board]
) -> None:
    """A G citizen waits on 1F; window 5 is on 2F: 请A001号到二楼5号窗口办理. A market
    citizen called on their own floor hears no floor."""
    b1 = _board(qtbot, boards, hub.endpoint, "1F")
    b2 = _board(qtbot, boards, hub.endpoint, "2F")
    with HubClient(hub.endpoint, device="manager-1") as m:
        _open(m, 5, 9)
        m.issue("G")
        m.issue("M")
        m.call_next(5)
        qtbot.waitUntil(lambda: b1.model.current is not None, timeout=2000)
        assert b1.view.current.text() == "A001 → 二楼 5号窗口"
        assert "二楼 5" in b1.view.current_hint.text()
        m.call_next(9)
        qtbot.waitUntil(lambda: len(b2.model.calls) == 2, timeout=2000)
    assert b2.view.current.text() == "B001 → 9号窗口"
    assert [lab.text() for lab in b2.view.last_labels[:2]] == [
        "B001 → 9号窗口", "A001 → 二楼 5号窗口"]  # fmt: skip
    b1.voice.wait_idle(3.0)
    assert [(s.call.ticket, s.call.floor) for s in b1.voice.history()] == [("A001", 2)]
    b2.voice.wait_idle(3.0)
    assert [(s.call.ticket, s.call.floor) for s in b2.voice.history()] == [
        ("A001", 2), ("B001", None)]  # fmt: skip


class FakeSpeaker:
    def __init__(self) -> None:
        self.said: list[tuple[Call, bool]] = []

    def announce(self, call: Call) -> None:
        self.said.append((call, False))

    def recall(self, call: Call) -> None:
        self.said.append((call, True))


def test_the_same_event_is_never_said_twice(qtbot: QtBot, hub: Hub) -> None:
    """Identity without epoch or seq: a replayed event (same ticket, kind, time) stays silent."""
    link = HubLink(hub.endpoint, "display-2F")
    hall = HallModel(link)
    speaker = FakeSpeaker()
    model = BoardModel(hall, "2F", speaker)
    ticket = {"id": "20261126-B001", "number": "B001", "queue": "M"}
    called = TicketCalled(ticket=ticket, window=9, floor="2F", queue_floor="2F")
    ev = Event(datetime(2026, 11, 26, 9, 31), called, seq=7)
    hall.called.emit(ev)
    hall.called.emit(dataclasses.replace(ev, seq=3))  # after a restart the hub numbers differently
    recalled = TicketRecalled(ticket=ticket, window=9, floor="2F", recalls=1, queue_floor="2F")
    hall.called.emit(Event(datetime(2026, 11, 26, 9, 32), recalled, seq=8))
    elsewhere = TicketCalled(ticket=ticket, window=9, floor="3F", queue_floor="3F")
    hall.called.emit(Event(datetime(2026, 11, 26, 9, 33), elsewhere, seq=9))  # not this floor
    assert [(c.ticket, c.window, r) for c, r in speaker.said] == [("B001", 9, False),
                                                                    ("B001", 9, True)]  # fmt: skip
    assert model.announced == 2 and model.current is not None and model.current.recall


def test_screenshots_other_sizes(
    qtbot: QtBot, hub: Hub, boards: list[Board], tmp_path: Path
) -> None:
    with HubClient(hub.endpoint, device="manager-1") as m:
        _open(m, 1, 5, 9, 10, 11, 20, 22, 31)
        m.pause(11, reason="午休")
        for q in ("G", "G", "G", "M", "M", "M", "T", "E", "O"):
            m.issue(q)
        small = _board(qtbot, boards, hub.endpoint, "2F", (1280, 800))
        whole = _board(qtbot, boards, hub.endpoint, "all", (1920, 1080))
        for w in (1, 5, 9, 10, 20, 22):
            m.call_next(w)
        qtbot.waitUntil(lambda: len(small.model.calls) == 4 and len(whole.model.calls) == 6,
                        timeout=3000)  # fmt: skip
        qtbot.waitUntil(lambda: small.model.queue_rows()[0]["estimate"] != "", timeout=3000)
    save_shot(small.view, tmp_path, "display-2F-call-1280x800")
    save_shot(whole.view, tmp_path, "display-all-1920x1080")


def test_a_voice_that_cannot_speak_is_told_at_start(
    qtbot: QtBot, hub: Hub, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """issue 18: a display started with `espeak://?player=aplay` where there is no aplay
    came up as if all was well; its first call was silent. Now the log says so at start and
    the hub (the manager's alerts) hears that the voice is offline."""
    monkeypatch.setenv("PATH", "/nonexistent")  # neither espeak-ng nor aplay here
    link = HubLink(hub.endpoint, "display-2F", timeout=0.5, retries=2, offline_after=1.5)
    hall = HallModel(link)
    app = DisplayApp(hall, "2F", "espeak://?player=aplay")
    qtbot.addWidget(app.view)
    try:
        assert app.voice_health is not None and not app.voice_health.ok
        assert any("cannot speak" in r.getMessage() for r in caplog.records)
        with qtbot.waitSignal(link.synced, timeout=5000):
            link.start()
        qtbot.waitUntil(
            lambda: (
                hub.engine.device_health.get("display-2F", {}).get("voice", {}).get("state")
                == "offline"
            ),
            timeout=5000,
        )
    finally:
        link.stop()
        app.close()


def test_how_often_a_call_is_said_is_the_boards_setting(qtbot: QtBot, hub: Hub) -> None:
    """--repeats N (1–5) on the board, else the voice URL's repeats=, else twice."""
    import argparse

    from display.app import add_arguments
    from drivers.base import ConfigError
    from drivers.voice import open_announcer

    board = Board(qtbot, hub.endpoint, "2F", (1280, 720))
    # on the same (live) link: a board reports its voice's health to the hub at start
    once = DisplayApp(board.hall, "2F", "sim://voice", repeats=1)
    thrice = open_announcer("sim://voice?repeats=3")
    try:
        assert board.voice.engine.repeats == 2  # the hall's default
        board.voice.engine.synthesize(Call("A001", 5))
        assert once.announcer is not None and once.announcer.engine.repeats == 1
        once.announcer.engine.synthesize(Call("A001", 5))
        thrice.engine.synthesize(Call("A001", 5))
        said = [a.engine.phrases[-1].repeats for a in (once.announcer, thrice)]  # type: ignore[attr-defined]
        assert said == [1, 3]
    finally:
        once.close()
        once.view.deleteLater()
        thrice.close()
        board.close()
    with pytest.raises(ConfigError):
        open_announcer("sim://voice?repeats=9")
    p = argparse.ArgumentParser()
    add_arguments(p)
    assert p.parse_args(["--repeats", "3"]).repeats == 3
    with pytest.raises(SystemExit):
        p.parse_args(["--repeats", "7"])
