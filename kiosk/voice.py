"""Spoken guidance at the kiosk (optional): each screen's one sentence, said once.

Off unless the kiosk's layout entry says ``guide = true`` or a citizen taps the header's
toggle. The voice is the board's driver (`drivers.voice.guide`: espeak-ng, the board's
players) from the entry's ``guide_voice``, else the hall's ``voice``. The kiosk's own
texts are said, in the kiosk's language: the start screen's prompt, the card prompt after
a service was chosen, the greeting after a card read (with the large-text offer's question
for a citizen of 70 or more), the ticket ("您的号码是 A 零 二 三，前面还有 三 人，请到二楼…
等候", numbers read as the board reads them) and the error's sentence.

The model is only watched: a sentence is said when what it would say changes (screen,
ticket, error, language). Speaking never blocks the screen (a worker thread; a new
sentence cuts the old one) and never shows on it: a voice that cannot work is a log line.
"""

from __future__ import annotations

import logging
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from drivers.base import DriverError
from drivers.voice.guide import (
    Guide,
    Utterance,
    compose,
    count_speech,
    open_guide,
    speech_lang,
    ticket_speech,
    utter,
)
from kiosk.model import OFFLINE_TEXT, PHOTO_TEXT, KioskModel, PrintState, Screen
from ui import i18n
from ui.i18n import pick, text_of, tr

log = logging.getLogger(__name__)

DONE_TEMPLATE = "您的号码是 {number}，前面还有 {n} 人，{where}"
LARGE_QUESTION = "需要放大字体吗？请点屏幕左上角的按钮"


class KioskVoice(QObject):
    """The kiosk's spoken guidance: on or off, and the guide that speaks."""

    changed = pyqtSignal()  # on/off changed: the header's toggle redraws

    def __init__(self, model: KioskModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.guide: Guide | None = None
        self.on = False
        self.default_on = False  # the kiosk's setting: each citizen starts with it
        self._last: tuple[Any, ...] | None = None
        model.changed.connect(self.update)
        model.visit_ended.connect(self._next_citizen)

    # ------------------------------------------------------------ set-up

    def open(self, url: str, *, on: bool = False) -> None:
        """Use the voice `url` names; `on`: guidance starts on (the kiosk's setting).
        A URL that cannot be used is logged; the toggle then changes nothing audible."""
        if self.guide is None and url:
            try:
                self.guide = open_guide(url)
            except DriverError as e:
                log.error("spoken guidance %s cannot be used, the kiosk stays silent: %s", url, e)
        self.default_on = on
        self.set_on(on)

    def close(self) -> None:
        if self.guide is not None:
            self.guide.close()
            self.guide = None

    # ------------------------------------------------------------ the toggle

    def toggle(self) -> None:
        """One tap: on (and say this screen's sentence at once) or off (silence now)."""
        self.set_on(not self.on)
        self.model.touch()

    def _next_citizen(self) -> None:
        """One citizen's tap does not follow the next one: back to the kiosk's setting."""
        if self.on != self.default_on:
            self.set_on(self.default_on)

    def set_on(self, on: bool) -> None:
        self.on = on
        if on:
            self._last = None  # say where we are
            self.update()
        elif self.guide is not None:
            self.guide.stop()
        self.changed.emit()

    # ------------------------------------------------------------ what to say

    def update(self) -> None:
        """Say the current screen's sentence if it is not the one said last."""
        key, utt = self.sentence()
        if key == self._last:
            return
        self._last = key
        if self.on and utt is not None and self.guide is not None:
            self.guide.say(utt)

    def sentence(self) -> tuple[tuple[Any, ...], Utterance | None]:
        """What the kiosk would say now, and what it is about (said again only when that
        changes)."""
        m = self.model
        lang = i18n.current_language()
        s = m.screen
        if s is Screen.OFFLINE:
            return (s, lang), utter(tr(OFFLINE_TEXT), lang)
        if s is Screen.HOME:
            if m.checking_in:
                return (s, lang, "check-in"), utter(tr("预约签到：请选择您预约的业务"), lang)
            if m.person is not None:
                text = tr("证件已读取，请选择业务")
                if m.large_offer:
                    text += " " + tr(LARGE_QUESTION)
                # said once per card read: not again when the large text is taken
                return (s, lang, m.person), utter(text, lang)
            return (s, lang), utter(tr("请选择要办理的业务"), lang)
        if s is Screen.CARD:
            return (s, lang), utter(tr("请将身份证放在感应区，或插入社保卡"), lang)
        if s is Screen.ISSUING:
            if m.issuing_slow:
                return (s, lang, "slow"), utter(tr("网络较慢，仍在为您取号，请不要离开"), lang)
            return (s, lang), None
        if s is Screen.DONE and m.ticket is not None:
            failed = m.print_state is PrintState.FAILED
            return (s, lang, m.ticket.number, failed), self._ticket(lang, failed)
        if s is Screen.ERROR:
            text = pick(tr(m.error.zh), m.error.en)
            return (s, lang, text), utter(text, lang) if text else None
        return (s, lang), None

    def _ticket(self, lang: str, failed: bool) -> Utterance:
        t = self.model.ticket
        assert t is not None
        template = tr(DONE_TEMPLATE)
        where = text_of(t, "where_text")
        speak_lang = speech_lang(template.replace("{", "").replace("}", ""), lang)
        # a Chinese area in an English sentence is shown, not mangled by the English voice
        where_said = (
            utter(where, speak_lang) if speech_lang(where, speak_lang) == speak_lang else ""
        )
        text = template.format(number=t.number, n=t.ahead, where=where)
        utt = compose(template, speak_lang, text, number=ticket_speech(t.number, speak_lang),
                      n=count_speech(t.ahead, speak_lang), where=where_said)  # fmt: skip
        if failed:
            photo = utter(tr(PHOTO_TEXT), speak_lang)
            if photo.lang == utt.lang:
                utt = utt + Utterance(utt.lang, " ", ((True, ","),)) + photo
        return utt
