"""The counter's service-item picker (F11) through the real widgets against a real hub: the
kiosk's item preselected, search by pinyin initials, Chinese and code, the window's most-used
items first, the pick recorded by the hub, and the reminder after finishing without one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter.dialogs import ItemDialog
from hall.client import HubClient
from hall.server.hub import Hub
from tests.shots import save_shot
from tests.ui.test_english import chinese_in, texts_of
from ui import i18n

from .conftest import Counter, CounterFactory, key, sign_in

LICENCE = "SC-0001"  # 营业执照设立登记 (market: queue M, taken at window 5)
FREIGHT = "SC-0052"  # 道路货物运输经营许可 (transport: queue T, taken at window 5)


def picker(qtbot: QtBot, c: Counter) -> ItemDialog:
    qtbot.keyClick(c.view.work, Qt.Key.Key_F11)
    dialog = c.view.work.dialog
    assert isinstance(dialog, ItemDialog), c.model.notice_text
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    dialog.resize(820, 680)
    return dialog


def rows(dialog: ItemDialog) -> list[str]:
    return [
        str(dialog.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(dialog.list.count())
    ]


def pick(qtbot: QtBot, c: Counter, dialog: ItemDialog) -> None:
    """Enter in the search box takes the selected item; wait for the hub's answer."""
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: c.view.work.dialog is None and c.model.busy is None, timeout=3000)


def open_and_call(qtbot: QtBot, c: Counter) -> None:
    sign_in(qtbot, c)
    key(qtbot, c, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: c.model.enabled("call_next"), timeout=2000)
    key(qtbot, c, Qt.Key.Key_F1)


def test_search_pick_and_the_hub_records_it(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory, tmp_path: Path
) -> None:
    c = make_counter(hub.endpoint, 5)
    work = c.view.work
    with HubClient(hub.endpoint, device="manager-1") as m:
        tid = m.issue("G", item=LICENCE)["ticket"]["id"]
        plain = m.issue("G")["ticket"]["id"]
    assert not work.buttons["record_item"].isEnabled()  # nobody signed in, no ticket
    open_and_call(qtbot, c)
    assert work.buttons["record_item"].isEnabled()
    assert work.ticket.values["item"].text() == "营业执照设立登记"

    dialog = picker(qtbot, c)
    assert dialog.selected() == LICENCE  # the kiosk's choice, preselected
    offered = set(rows(dialog))
    # window 5 takes queues G, M, T: market and transport items, not construction (queue E)
    assert {LICENCE, FREIGHT} <= offered
    assert not any(c.model.catalogue[code].domain == "construction" for code in offered)
    assert dialog.hint.text() == f"本窗口常办事项在前，共 {len(offered)} 项"
    assert len(offered) == sum(  # every item but those of queue E's domains
        i.domain not in ("construction", "investment", "natural_resources")
        for i in c.model.catalogue
    )
    save_shot(dialog, tmp_path, "counter-item-picker-zh")

    # pinyin initials: 道路货物运输 → dlhwys
    qtbot.keyClicks(dialog.search, "dlhwys")
    assert rows(dialog)[0] == FREIGHT and dialog.selected() == FREIGHT
    # a Chinese substring (from the IME, not QTest keys)
    dialog.search.clear()
    dialog.search.insert("营业执照")
    assert rows(dialog)[:4] == ["SC-0001", "SC-0002", "SC-0003", "SC-0004"]
    assert all("营业执照" in c.model.catalogue[code].name for code in rows(dialog))
    # Down in the search box moves the choice
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    assert dialog.selected() == "SC-0002"
    # nothing of this window's: other windows' items, marked
    dialog.search.clear()
    construction = next(i for i in c.model.catalogue if i.domain == "construction")
    dialog.search.insert(construction.name)
    assert rows(dialog)[0] == construction.code
    assert "其他窗口" in dialog.hint.text()
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "zzzzq")
    assert rows(dialog) == [] and not dialog.ok.isEnabled()
    assert "没有匹配" in dialog.hint.text()
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, FREIGHT)
    assert dialog.selected() == FREIGHT
    pick(qtbot, c, dialog)

    assert hub.engine.tickets[tid].item == FREIGHT  # the hub has it
    qtbot.waitUntil(
        lambda: work.ticket.values["item"].text() == "道路货物运输经营许可", timeout=2000
    )
    assert "已记录" in work.status.notice.text()

    # finished: the next ticket has no item; finishing without one is allowed, with a reminder
    assert c.model.items_used == {}  # the hub counts finished tickets
    key(qtbot, c, Qt.Key.Key_F4)
    assert c.model.items_used == {FREIGHT: 1}
    key(qtbot, c, Qt.Key.Key_F1)
    assert c.model.current()["id"] == plain  # type: ignore[index]
    assert work.ticket.values["item"].text() == "未选事项（按 F11 选择）"
    key(qtbot, c, Qt.Key.Key_F4)
    assert hub.engine.tickets[plain].state.value == "finished"
    assert "未记录办理事项" in work.status.notice.text()
    assert c.model.notice_level == "warn"

    # … and the ticket finished last still takes its item; the most-used come first
    dialog = picker(qtbot, c)
    assert "补记" in dialog.about.text()
    assert dialog.selected() == ""  # nothing preselected: the clerk must choose
    assert not dialog.ok.isEnabled()
    pick_first = rows(dialog)[0]
    assert pick_first == FREIGHT  # finished once here: first in the list
    assert "本窗口已办 1 次" in dialog.list.item(0).text()
    save_shot(dialog, tmp_path, "counter-item-picker-zh-after-finish")
    dialog.list.setCurrentRow(0)
    pick(qtbot, c, dialog)
    assert hub.engine.tickets[plain].item == FREIGHT
    assert c.model.items_used == {FREIGHT: 2}


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("zh")


def test_the_picker_in_english(
    qtbot: QtBot, english: None, hub: Hub, make_counter: CounterFactory, tmp_path: Path
) -> None:
    c = make_counter(hub.endpoint, 5)
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.issue("G", item=LICENCE)
    open_and_call(qtbot, c)
    dialog = picker(qtbot, c)
    assert dialog.list.currentItem().text().startswith("Business licence: establishment")
    qtbot.keyClicks(dialog.search, "licence")  # English names are searched too
    assert LICENCE in rows(dialog)
    assert all("licence" in c.model.catalogue[code].name_en.lower() for code in rows(dialog))
    dialog.search.clear()
    save_shot(dialog, tmp_path, "counter-item-picker-en")
    assert not chinese_in(texts_of(dialog), [])
    pick(qtbot, c, dialog)
    assert "Service item recorded" in c.view.work.status.notice.text()


def test_after_a_restart_the_ticket_finished_last_still_takes_its_item(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    """The app forgot the ticket it finished last: F11 after a restart had nothing to record
    for. The hub's snapshot now names it (no token, no person hash) and the picker takes it."""
    first = make_counter(hub.endpoint, 5)
    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        tid = kiosk.issue("G")["ticket"]["id"]
    open_and_call(qtbot, first)
    key(qtbot, first, Qt.Key.Key_F4)  # finished without an item: the reminder
    assert hub.engine.tickets[tid].state.value == "finished"
    assert "未记录办理事项" in first.view.work.status.notice.text()
    first.link.stop()
    first.view.close()

    again = make_counter(hub.endpoint, 5)  # the same window's app, started afresh
    work = again.view.work
    qtbot.waitUntil(lambda: again.view.pages.currentWidget() is work, timeout=3000)
    assert again.model.current() is None
    last = again.model.item_ticket()
    assert last is not None and last["id"] == tid and last["state"] == "finished"
    assert not {"token", "person_hash"} & set(last)
    assert work.buttons["record_item"].isEnabled(), again.model.item_why_not()
    dialog = picker(qtbot, again)
    assert "补记" in dialog.about.text()
    qtbot.keyClicks(dialog.search, FREIGHT)
    assert dialog.selected() == FREIGHT
    pick(qtbot, again, dialog)
    assert hub.engine.tickets[tid].item == FREIGHT  # the hub has it
    assert again.model.items_used == {FREIGHT: 1}
    assert "已记录" in work.status.notice.text()


def test_a_new_counter_has_no_ticket_finished_last(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    """Nothing finished at this window today (another window's finish does not count)."""
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.issue("G")
        m.open_window(6)
        m.sign_in(6, staff_no="S0601", name="钱二")
        m.call_next(6)
        m.finish(6)
    c = make_counter(hub.endpoint, 5)
    snapshot = c.link.snapshot_value or {}
    assert "last_finished" in snapshot and snapshot["last_finished"] is None
    assert c.model.item_ticket() is None
