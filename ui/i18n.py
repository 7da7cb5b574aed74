"""Translations: the apps are written in Chinese; English is a switch away.

Source strings are the Chinese texts passed to `tr()`. `TableTranslator` is a real
QTranslator (installed on the application, so every `tr()` and every
`QCoreApplication.translate()` goes through it) backed by plain tables per
language in `ui/translations/<lang>*.json`: the shared `en.json` and one file per
app (`en-counter.json` …), ``{"取号": "Take a number"}``. A table is easy for a hall
to extend without Qt's tool chain; a missing entry falls back to the Chinese
source, never to an empty label.

The same Chinese word may need different English in different apps (暂停 is the
counter's "Pause" button and the console's "paused" state), so `tr()` passes the
calling app's package as the Qt context and the translator looks in that app's
table first (shared + its own file), then in all tables merged (shared widgets,
and one process running several apps, as the demo does).

Values from the hall come in both languages already: a queue's `name` and `name_en`, a
reply's `message` and `message_en`, a ticket's `wait_text` and `wait_text_en` … `text_of`
picks the one for the language (the Chinese when the English is empty); `pick` does the
same for two texts at hand. Every app chooses that way, never with its own `lang == "en"`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from PyQt6.QtCore import QCoreApplication, QTranslator

LANGUAGES = ("zh", "en")
#: each language's name in itself, for a button that switches to it
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
_DIR = files("ui") / "translations"  # package data: found where the package is installed


class TableTranslator(QTranslator):
    """A QTranslator that looks source strings up in dicts: the context's (an app's) own
    table first, then `table`, everything merged."""

    def __init__(
        self, table: dict[str, str], lang: str, by_app: dict[str, dict[str, str]] | None = None
    ) -> None:
        super().__init__()
        self.table = table
        self.by_app = by_app or {}
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
        own = self.by_app.get(context or "")
        if own is not None and source in own:
            return own[source]
        return self.table.get(source)

    def isEmpty(self) -> bool:
        return not self.table


def _read_tables(lang: str) -> dict[str, dict[str, str]]:
    """Every file of a language, read once: "" → the shared `en.json`, "counter" →
    `en-counter.json` … ({} for Chinese, the source language)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    if lang == "zh":
        return {}
    out: dict[str, dict[str, str]] = {}
    mine = (p for p in _DIR.iterdir() if p.name.startswith(lang) and p.name.endswith(".json"))
    for path in sorted(mine, key=lambda p: p.name):
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of source → translation")
        out[path.name.removesuffix(".json")[len(lang) + 1 :]] = {
            str(k): str(v) for k, v in data.items()
        }
    return out


def _merged(tables: dict[str, dict[str, str]]) -> dict[str, str]:
    # The shared file first, so an app's own table has the last word on its words.
    table: dict[str, str] = {}
    for name in sorted(tables, key=lambda n: (n != "", n)):
        table.update(tables[name])
    return table


def _per_app(tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    shared = tables.get("", {})
    return {name: {**shared, **own} for name, own in tables.items() if name}


def load_table(lang: str) -> dict[str, str]:
    """The table of a language, every file merged ({} for Chinese, the source language)."""
    return _merged(_read_tables(lang))


def load_app_tables(lang: str) -> dict[str, dict[str, str]]:
    """Per app (`en-counter.json` → "counter"): the shared table with the app's own on top."""
    return _per_app(_read_tables(lang))


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
        tables = _read_tables(lang)  # each file read once
        _installed = TableTranslator(_merged(tables), lang, _per_app(tables))
        app.installTranslator(_installed)


def current_language() -> str:
    return _installed.lang if _installed is not None else "zh"


def other_language(lang: str | None = None) -> str:
    """The language a 中文 ⇄ English switch goes to from `lang` (the current one when None)."""
    return "zh" if (lang or current_language()) == "en" else "en"


def tr(text: str) -> str:
    """Translate a Chinese source string in the current language (for non-QObject code),
    in the context of the calling app (the caller's top package: "counter", "kiosk" …)."""
    app = sys._getframe(1).f_globals.get("__name__", "").partition(".")[0]
    return QCoreApplication.translate(app or "yichuang", text)


def pick(zh: object, en: object, lang: str | None = None) -> str:
    """The text for `lang` (the current language when None) of a value given in Chinese
    and English: `en` in English unless it is empty, else `zh` ("" for None)."""
    if (lang or current_language()) == "en" and en:
        return str(en)
    return "" if zh is None else str(zh)


def text_of(record: Mapping[str, Any] | object, field: str, lang: str | None = None) -> str:
    """`record.field` in `lang` (the current language when None): its English twin
    `field_en` in English unless it is empty, else the Chinese `field`. A record is a dict
    from the hub (a key missing reads as "") or an object (a catalogue item, a ticket view)."""
    if isinstance(record, Mapping):
        return pick(record.get(field), record.get(field + "_en"), lang)
    return pick(getattr(record, field, None), getattr(record, field + "_en", None), lang)


_PUNCT_EN = str.maketrans({"（": " (", "）": ")", "：": ": ", "，": ", ", "；": "; ",
                           "、": ", ", "。": ". ", "！": "! ", "？": "? ",
                           "【": "[", "】": "] "})  # fmt: skip


def punct(text: str, lang: str | None = None) -> str:
    """`text` with Chinese punctuation in `lang` (the current language when None): in
    English, （）：，；、。【】 become ASCII with spaces (a text put together from translated
    parts around Chinese punctuation); in Chinese, unchanged."""
    if (lang or current_language()) != "en":
        return text
    out = text.translate(_PUNCT_EN)
    return " ".join(out.split(" ")).replace("( ", "(").replace("  ", " ").strip()
