"""Switching the language goes through a real QTranslator, for every tr() in the app."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication

from hall.core.catalogue import load_catalogue
from hall.wire import protocol as P
from ui import i18n


def test_switch_to_english_and_back(qapp: QApplication, monkeypatch, tmp_path) -> None:
    table = tmp_path / "en.json"
    table.write_text(json.dumps({"取号": "Take a number"}, ensure_ascii=False), "utf-8")
    monkeypatch.setattr(i18n, "_DIR", tmp_path)
    assert QCoreApplication.translate("KioskHome", "取号") == "取号"
    i18n.set_language("en")
    try:
        assert i18n.current_language() == "en"
        assert QCoreApplication.translate("KioskHome", "取号") == "Take a number"
        # A string without an entry stays Chinese rather than going blank.
        assert QCoreApplication.translate("KioskHome", "请稍候") == "请稍候"
    finally:
        i18n.set_language("zh")
    assert QCoreApplication.translate("KioskHome", "取号") == "取号"


def test_shipped_english_table_is_a_flat_object() -> None:
    table = i18n.load_table("en")
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in table.items())


def test_each_app_reads_its_own_english(qapp: QApplication) -> None:
    """暂停 is the counter's Pause button and the console's "paused" state; 离线 is shared."""
    i18n.set_language("en")
    try:
        in_counter = eval("tr('暂停')", {"__name__": "counter.view", "tr": i18n.tr})
        in_manager = eval("tr('暂停')", {"__name__": "manager.floor", "tr": i18n.tr})
        assert (in_counter, in_manager) == ("Pause", "paused")
        assert eval("tr('办结')", {"__name__": "counter.model", "tr": i18n.tr}) == "Finish"
        assert eval("tr('办结')", {"__name__": "manager.followups", "tr": i18n.tr}) == "Close case"
        # a word only another app knows still translates (shared widgets, the demo)
        assert eval("tr('调度建议')", {"__name__": "ui.model", "tr": i18n.tr}) == (
            "Advisor's proposals"
        )
        assert eval("tr('请稍候…没有')", {"__name__": "kiosk.view", "tr": i18n.tr}) == "请稍候…没有"
    finally:
        i18n.set_language("zh")
    assert eval("tr('暂停')", {"__name__": "counter.view", "tr": i18n.tr}) == "暂停"


@dataclass
class _TicketView:
    """Like kiosk.tickets.TicketView: a field, and its English twin as a property."""

    wait_text: str

    @property
    def wait_text_en(self) -> str:
        return "about 5 min"


def test_pick_takes_the_english_twin_only_in_english_and_only_when_given() -> None:
    assert i18n.pick("综合受理", "General", "en") == "General"
    assert i18n.pick("综合受理", "General", "zh") == "综合受理"
    assert i18n.pick("综合受理", "", "en") == "综合受理"  # no English: Chinese, never blank
    assert i18n.pick("综合受理", None, "en") == "综合受理"
    assert i18n.pick(None, None, "zh") == ""


def test_text_of_reads_a_field_and_its_en_twin_from_dicts_and_objects() -> None:
    queue = {"id": "G", "name": "综合受理", "name_en": "General", "area": "A区"}
    assert i18n.text_of(queue, "name", "en") == "General"
    assert i18n.text_of(queue, "name", "zh") == "综合受理"
    assert i18n.text_of(queue, "area", "en") == "A区"  # no area_en: the Chinese
    assert i18n.text_of(queue, "notice", "en") == ""  # neither: empty, not a KeyError

    assert i18n.text_of(_TicketView("约5分钟"), "wait_text", "en") == "about 5 min"
    assert i18n.text_of(_TicketView("约5分钟"), "wait_text", "zh") == "约5分钟"
    item = next(iter(load_catalogue()))
    assert (i18n.text_of(item, "name", "en"), i18n.text_of(item, "name", "zh")) == (
        item.name_en,
        item.name,
    )
    error = P.Error(req_id="k:1", code="x", message="不行", message_en="")
    assert i18n.text_of(error, "message", "en") == "不行"


def test_pick_and_text_of_follow_the_current_language(qapp: QApplication) -> None:
    floor = {"id": "1F", "name": "一楼", "name_en": "Ground floor"}
    assert i18n.text_of(floor, "name") == "一楼"
    i18n.set_language("en")
    try:
        assert i18n.text_of(floor, "name") == "Ground floor"
        assert i18n.pick("一楼", "") == "一楼"
        assert i18n.text_of(floor, "name", "zh") == "一楼"  # an explicit language wins
    finally:
        i18n.set_language("zh")


# A choice between Chinese and English written out by hand: `lang == "en"`,
# `current_language() != "zh"`, `if english` … (ui.i18n itself is where they belong).
_HAND_CHOICE = re.compile(
    r"""current_language\(\)\s*[!=]=|\b(lang|language)\s*[!=]=\s*["']|\bif\s+(en|english)\b"""
)
APPS = ("ui", "kiosk", "counter", "display", "rating", "manager", "desk", "demo")


def test_the_apps_choose_chinese_or_english_only_through_i18n() -> None:
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        if path != root / "ui" / "i18n.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _HAND_CHOICE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_other_language_and_bracketed_tags_follow_the_language() -> None:
    assert i18n.other_language("zh") == "en" and i18n.other_language("en") == "zh"
    assert i18n.punct("【超时】A001", "en") == "[超时] A001"
    assert i18n.punct("【超时】A001", "zh") == "【超时】A001"
