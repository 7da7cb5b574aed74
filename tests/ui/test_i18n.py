"""Switching the language goes through a real QTranslator, for every tr() in the app."""

from __future__ import annotations

import json

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication

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
