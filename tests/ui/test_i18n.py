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
