"""The kiosk's large-text mode for elderly citizens: one tap, offered by itself when a card
shows a citizen of 70 or more, gone for the next citizen."""

from __future__ import annotations

from datetime import date

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hall.server.hub import Hub
from kiosk.model import LARGE_TEXT_AGE, Screen
from kiosk.pages import HomePage
from tests.hubs import HALL_TIME

from .conftest import MakeKiosk, person


def click(qtbot: QtBot, w: QWidget) -> None:
    assert w.isVisible() and w.isEnabled()
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def test_a_card_of_someone_seventy_or_more_offers_large_text(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    page = k.window.pages[Screen.HOME]
    assert isinstance(page, HomePage)
    normal = page.prompt.font().pointSize()
    day = HALL_TIME.date()
    young = person("李小明", birth=date(day.year - LARGE_TEXT_AGE + 1, 1, 1))
    k.id_reader.tap(young)
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    assert not k.window.large.property("offered")  # 69: nothing offered
    k.model.go_home()
    old = person("王大爷", birth=date(day.year - LARGE_TEXT_AGE - 5, 3, 1))
    k.id_reader.tap(old)
    qtbot.waitUntil(lambda: bool(k.window.large.property("offered")), timeout=3000)
    assert k.window.large.text() == "放大字体？"
    k.shoot("large-offer")
    click(qtbot, k.window.large)  # one tap
    assert k.model.large_text and not k.window.large.property("offered")
    assert page.prompt.font().pointSize() >= round(normal * 1.3)
    assert k.window.large.text() == "标准字体"
    k.shoot("large-text")
    k.model.go_home()  # the next citizen starts with the normal text
    qtbot.waitUntil(lambda: page.prompt.font().pointSize() == normal, timeout=3000)


def test_large_text_is_one_tap_in_the_header_for_anyone(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    page = k.window.pages[Screen.HOME]
    assert isinstance(page, HomePage)
    normal = page.prompt.font().pointSize()
    assert k.window.large.text() == "大字"
    click(qtbot, k.window.large)
    assert k.model.large_text and page.prompt.font().pointSize() > normal
    click(qtbot, k.window.large)
    assert not k.model.large_text and page.prompt.font().pointSize() == normal
