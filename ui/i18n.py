"""Translations: the apps are written in Chinese; English is a switch away.

Source strings are the Chinese texts passed to `tr()`. `TableTranslator` is a real
QTranslator (installed on the application, so every `tr()` and every
`QCoreApplication.translate()` goes through it) backed by a plain table per
language in `ui/translations/<lang>*.json` (one file per app, merged): ``{"取号": "Take a number"}``. A table
is easy for a hall to extend without Qt's tool chain; a missing entry falls back
to the Chinese source, never to an empty label.
"""

from __future__ import annotations

import json
from pathlib import Path

from PyQt6.QtCore import QCoreApplication, QTranslator

LANGUAGES = ("zh", "en")
_DIR = Path(__file__).resolve().parent / "translations"


class TableTranslator(QTranslator):
    """A QTranslator that looks source strings up in a dict."""

    def __init__(self, table: dict[str, str], lang: str) -> None:
        super().__init__()
        self.table = table
        self.lang = lang

    def translate(  # type: ignore[override]
        self,
        context: str | None,
        source: str | None,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        if source is None:
            return None
        return self.table.get(source)

    def isEmpty(self) -> bool:
        return not self.table


def load_table(lang: str) -> dict[str, str]:
    """The table of a language ({} for Chinese, the source language)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    if lang == "zh":
        return {}
    table: dict[str, str] = {}
    # One file per app (`en-kiosk.json` …) plus the shared `en.json`, merged.
    # The shared file first, so an app's own table has the last word on its words.
    for path in sorted(
        _DIR.glob(f"{lang}*.json"), key=lambda p: (p.name != f"{lang}.json", p.name)
    ):
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of source → translation")
        table.update({str(k): str(v) for k, v in data.items()})
    return table


_installed: TableTranslator | None = None


def set_language(lang: str) -> None:
    """Switch the whole application's language (widgets re-read texts on LanguageChange)."""
    global _installed
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("set_language needs a QApplication")
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if lang != "zh":
        _installed = TableTranslator(load_table(lang), lang)
        app.installTranslator(_installed)


def current_language() -> str:
    return _installed.lang if _installed is not None else "zh"


def tr(text: str) -> str:
    """Translate a Chinese source string in the current language (for non-QObject code)."""
    return QCoreApplication.translate("yichuang", text)
