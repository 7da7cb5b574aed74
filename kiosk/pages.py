"""The kiosk's screens. Each page takes the model, calls its actions and redraws in `refresh()`.

Texts are Chinese sources through `tr()`; hall names come from the layout in the
current language. Nothing here decides anything (STYLE.md §4).
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hall.core.engine.booking import CODE_ALPHABET
from kiosk.model import OFFLINE_TEXT, PHOTO_TEXT, KioskModel, Message, PrintState
from kiosk.widgets import CodeKeyboard, Fonts, Keyboard, QueueButton, button, label
from ui import theme
from ui.i18n import pick, text_of, tr


def say(m: Message) -> str:
    """A model message in the current language (Chinese when there is no English)."""
    return pick(tr(m.zh), m.en)


class Page(QWidget):
    """A screen of the kiosk."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__()
        self.model = model
        self.fonts = fonts
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(40, 24, 40, 24)
        self.box.setSpacing(18)

    def refresh(self) -> None:
        """Redraw from the model."""


class HomePage(Page):
    """Big queue buttons with live figures, the catalogue search and the appointment check-in."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        self.greeting = label(fonts, points=22, bold=True)
        self.green = label(fonts, points=22, bold=True)
        self.green.setStyleSheet(
            f"color: white; background: {theme.GREEN}; border-radius: 10px; padding: 8px;"
        )
        self.prompt = label(fonts, points=26, bold=True)
        self.hint = label(fonts, points=16, name="muted")
        self.grid = QGridLayout()
        self.grid.setSpacing(18)
        self.buttons: dict[str, QueueButton] = {}
        row = QHBoxLayout()
        row.setSpacing(18)
        self.search = button(fonts, points=24)
        self.search.clicked.connect(model.open_search)
        self.check_in = button(fonts, points=24, role="secondary")
        self.check_in.clicked.connect(model.check_in)
        row.addWidget(self.search, 3)
        row.addWidget(self.check_in, 2)
        for w in (self.greeting, self.green, self.prompt, self.hint):
            self.box.addWidget(w)
        self.box.addLayout(self.grid, 1)
        self.box.addLayout(row)

    def _build_buttons(self) -> None:
        queues = self.model.queues()
        if [q["id"] for q in queues] == list(self.buttons):
            return
        for b in self.buttons.values():
            b.deleteLater()
        self.buttons = {}
        cols = 2 if len(queues) <= 4 else 3
        for i, q in enumerate(queues):
            b = QueueButton(self.fonts, q["id"])
            b.clicked.connect(lambda _=False, qid=q["id"]: self.model.choose_queue(qid))
            self.grid.addWidget(b, i // cols, i % cols)
            b.show()  # added to a page that may already be on screen
            self.buttons[q["id"]] = b

    def refresh(self) -> None:
        m = self.model
        self._build_buttons()
        for q in m.queues():
            waiting, wait = m.queue_figures(q["id"])
            figures = tr("等候 {n} 人").format(n=waiting)
            if say(wait):
                figures += " · " + say(wait)
            self.buttons[q["id"]].show_queue(
                text_of(q, "name"),
                text_of(q, "area"),
                figures,
            )
        self.greeting.setVisible(m.person is not None)
        self.greeting.setText(tr("{name}，您好！证件已读取，请选择业务").format(name=m.greeting))
        self.green.setVisible(m.green_offer)
        age = m.layout.get("priority", {}).get("green_channel_age", 70)
        self.green.setText(tr("绿色通道：您已满{age}周岁，取号后将优先叫号").format(age=age))
        self.prompt.setText(
            tr("预约签到：请选择您预约的业务") if m.checking_in else tr("请选择要办理的业务")
        )
        # Large text: the greeting already asks for the choice; the queues get the room.
        self.prompt.setVisible(not (m.large_text and m.person is not None and not m.checking_in))
        if m.card_needed:
            self.hint.setText(tr("请先刷身份证或社保卡，再选择业务"))
        else:
            self.hint.setText(tr("可刷身份证或社保卡取号，也可直接选择业务"))
        self.hint.setVisible(m.person is None)
        self.search.setText(tr("搜索办事事项（可用拼音首字母）"))
        self.check_in.setText(tr("预约签到"))
        self.check_in.setVisible(not m.checking_in)


class SearchPage(Page):
    """The catalogue search: a text box, an on-screen letter keyboard and the matching items."""

    MAX_SHOWN = 6

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        top = QHBoxLayout()
        self.edit = QLineEdit()
        self.edit.setMinimumHeight(64)
        fonts.set(self.edit, 26)
        self.edit.textEdited.connect(model.search)
        self.back = button(fonts, points=22, role="secondary")
        self.back.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.back.setMinimumWidth(200)
        self.back.clicked.connect(model.cancel)
        top.addWidget(self.edit, 1)
        top.addWidget(self.back)
        self.hint = label(fonts, points=16, name="muted")
        self.results = QGridLayout()
        self.results.setSpacing(12)
        self.items: list[QPushButton] = []
        for i in range(self.MAX_SHOWN):
            b = button(fonts, points=20)
            b.setMinimumHeight(64)
            b.clicked.connect(lambda _=False, i=i: self._choose(i))
            self.results.addWidget(b, i // 2, i % 2)
            self.items.append(b)
        self.none = label(fonts, points=20)
        self.keyboard = Keyboard(fonts)
        self.keyboard.key.connect(self._key)
        self.box.setSpacing(12)
        self.box.addLayout(top)
        self.box.addWidget(self.hint)
        self.box.addLayout(self.results)
        self.box.addWidget(self.none)
        self.box.addStretch(1)
        self.box.addWidget(self.keyboard)

    def _choose(self, i: int) -> None:
        if i < len(self.model.results):
            self.model.choose_item(self.model.results[i].code)

    def _key(self, k: str) -> None:
        text = self.model.search_text
        text = "" if k == "" else text[:-1] if k == "\b" else text + k
        self.model.search(text)

    def refresh(self) -> None:
        m = self.model
        if self.edit.text() != m.search_text:
            self.edit.setText(m.search_text)
        self.edit.setPlaceholderText(tr("输入事项名称或拼音首字母，如 yyzz"))
        self.back.setText(tr("返回"))
        self.keyboard.clear.setText(tr("清空"))
        self.hint.setText(tr("找到的事项（点击即可取号）") if m.results else "")
        for i, b in enumerate(self.items):
            if i < len(m.results):
                item = m.results[i]
                b.setText(text_of(item, "name"))
                b.setAccessibleName(item.code)
                b.show()
            else:
                b.hide()
        self.none.setVisible(bool(m.search_text) and not m.results)
        self.none.setText(tr("没有找到该事项，请换个说法或选择“综合受理”"))


class CardPage(Page):
    """Waiting for a card: what to do, in one sentence, and a way back."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        # A drawn card, not an emoji: kiosk fonts have no emoji glyphs (a box would show).
        self.icon = label(fonts, points=22, bold=True)
        self.icon.setFixedSize(300, 180)
        self.icon.setStyleSheet(
            f"border: 5px solid {theme.BLUE}; border-radius: 18px; color: {theme.BLUE};"
            " background: white;"
        )
        self.title = label(fonts, points=36, bold=True)
        self.detail = label(fonts, points=22)
        self.back = button(fonts, points=24, role="secondary")
        self.back.clicked.connect(model.cancel)
        # 预约签到 without a card: the online booking's code, typed on screen keys
        self.type_code = button(fonts, points=24)
        self.type_code.clicked.connect(model.open_code)
        self.box.addStretch(1)
        self.box.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        for w in (self.title, self.detail):
            self.box.addWidget(w)
        self.box.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(18)
        row.addWidget(self.back)
        row.addWidget(self.type_code)
        self.box.addLayout(row)

    def refresh(self) -> None:
        p = self.model.pending
        self.icon.setText(tr("身份证\n社保卡"))
        self.title.setText(tr("请将身份证放在感应区，或插入社保卡"))
        check_in = p is not None and p.check_in
        if check_in:
            self.detail.setText(tr("预约签到需要核对您的证件，网上预约也可输入或扫描预约码"))
        else:
            self.detail.setText(tr("本业务需要刷证件取号"))
        self.back.setText(tr("返回首页"))
        self.type_code.setText(tr("输入预约码"))
        self.type_code.setVisible(check_in)


class CodePage(Page):
    """预约签到 with an online booking's code: the 8 characters typed on keys of the code's
    alphabet, shown in groups as typed; delete, clear, back, and 签到 when complete."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        self.title = label(fonts, points=26, bold=True)
        self.hint = label(fonts, points=18, name="muted")
        self.code = label(fonts, points=40, bold=True)
        self.code.setObjectName("code")
        self.code.setStyleSheet(
            f"QLabel#code {{ color: {theme.BLUE}; background: {theme.CARD};"
            f" border: 3px solid {theme.BLUE}; border-radius: 14px; padding: 4px; }}"
        )
        self.keyboard = CodeKeyboard(fonts, CODE_ALPHABET)
        self.keyboard.key.connect(model.code_key)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.back = button(fonts, points=24, role="secondary")
        self.back.clicked.connect(model.code_back)
        self.clear = button(fonts, points=24, role="secondary")
        self.clear.clicked.connect(lambda: model.code_key(""))
        self.submit = button(fonts, points=26, role="ok")
        self.submit.clicked.connect(model.submit_code)
        for b in (self.back, self.clear, self.submit):
            b.setMinimumHeight(72)
        row.addWidget(self.back, 1)
        row.addWidget(self.clear, 1)
        row.addWidget(self.submit, 2)
        self.box.setSpacing(12)
        self.box.addWidget(self.title)
        self.box.addWidget(self.hint)
        self.box.addWidget(self.code)
        self.box.addWidget(self.keyboard, 1)
        self.box.addLayout(row)

    def refresh(self) -> None:
        m = self.model
        self.title.setText(tr("请输入预约码"))
        self.hint.setText(tr("预约成功后页面上显示的8位预约码，由数字和字母组成"))
        self.hint.setVisible(not m.large_text)  # large text: the keys get the room
        self.code.setText(m.code_shown)
        self.code.setAccessibleName(m.code_text)
        self.keyboard.delete.setAccessibleName(tr("删除"))
        self.back.setText(tr("返回"))
        self.clear.setText(tr("清空"))
        self.submit.setText(tr("签到"))
        self.submit.setEnabled(m.code_complete)


class IssuingPage(Page):
    """The short wait while the hub answers."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        self.text = label(fonts, points=36, bold=True)
        self.hint = label(fonts, points=22, name="muted")
        self.box.addStretch(1)
        self.box.addWidget(self.text)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)

    def refresh(self) -> None:
        looking = self.model.looking_up
        self.text.setText(tr("正在查询，请稍候…") if looking else tr("正在取号，请稍候…"))
        # A late answer: the citizen must not walk away (or tap again for a second ticket).
        slow = self.model.issuing_slow and not looking
        self.hint.setText(tr("网络较慢，仍在为您取号，请不要离开") if slow else "")
        self.hint.setVisible(slow)


class DonePage(Page):
    """The ticket as on paper: number, floor and area, people ahead, estimated wait."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 12, 32, 12)
        inner.setSpacing(6)
        self.your = label(fonts, points=22)
        self.number = label(fonts, points=88, bold=True)
        self.number.setStyleSheet(f"color: {theme.BLUE}; background: transparent;")
        self.queue = label(fonts, points=26, bold=True)
        self.where = label(fonts, points=26, bold=True)
        self.ahead = label(fonts, points=22)
        self.green = label(fonts, points=20, bold=True)
        self.green.setStyleSheet(
            f"color: white; background: {theme.GREEN}; border-radius: 10px; padding: 6px;"
        )
        for w in (self.your, self.number, self.queue, self.where, self.ahead, self.green):
            if w is not self.green and w is not self.number:
                w.setStyleSheet("background: transparent;")
            inner.addWidget(w)
        self.note = label(fonts, points=20, bold=True)  # a late booking's check-in
        self.note.setStyleSheet(f"color: {theme.AMBER};")
        self.note.hide()  # shown only with a notice (it takes room on 800-pixel screens)
        self.status = label(fonts, points=26, bold=True)
        self.reason = label(fonts, points=20)
        self.ok = button(fonts, points=24, role="ok")
        self.ok.setMinimumHeight(72)
        self.ok.clicked.connect(model.go_home)
        self.box.setSpacing(10)
        self.box.addWidget(card, 1)
        self.box.addWidget(self.note)
        self.box.addWidget(self.status)
        self.box.addWidget(self.reason)
        self.box.addWidget(self.ok)

    def refresh(self) -> None:
        m = self.model
        t = m.ticket
        if t is None:
            return
        self.your.setText(tr("您的号码"))
        self.number.setText(t.number)
        name = text_of(t, "queue_name")
        if t.item_name:
            name += " · " + t.item_name
        self.queue.setText(name)
        self.where.setText(text_of(t, "where_text"))
        wait = text_of(t, "wait_text")
        self.ahead.setText(tr("前面还有 {n} 人 · 预计等候 {wait}").format(n=t.ahead, wait=wait))
        self.green.setVisible(t.green)
        self.green.setText(tr("绿色通道 · 优先叫号"))
        self.note.setText(say(m.notice))
        self.note.setVisible(bool(m.notice.zh))
        failed = m.print_state is PrintState.FAILED
        self.status.setObjectName("alert" if failed else "")
        self.status.setStyleSheet(f"color: {theme.RED if failed else theme.GREEN};")
        if failed:
            self.status.setText(tr(PHOTO_TEXT))
            self.reason.setText(say(m.print_message))
        elif m.print_state is PrintState.PRINTING:
            self.status.setText(tr("正在打印号票…"))
            self.reason.setText("")
        else:
            self.status.setText(tr("请取走号票，留意叫号"))
            self.reason.setText("")
        self.reason.setVisible(failed)
        self.ok.setText(tr("完成"))


class StatusPage(Page):
    """A scanned ticket's QR: how that ticket stands (the number, where it waits and how
    long, or the window to go to); a parked ticket also names the service desk."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 24, 32, 24)
        inner.setSpacing(12)
        self.number = label(fonts, points=72, bold=True)
        self.number.setStyleSheet(f"color: {theme.BLUE}; background: transparent;")
        self.queue = label(fonts, points=24, bold=True)
        self.headline = label(fonts, points=36, bold=True)
        self.detail = label(fonts, points=22)
        for w in (self.queue, self.headline, self.detail):
            w.setStyleSheet("background: transparent;")
        for w in (self.number, self.queue, self.headline, self.detail):
            inner.addWidget(w)
        self.ok = button(fonts, points=24, role="ok")
        self.ok.setMinimumHeight(72)
        self.ok.clicked.connect(model.go_home)
        self.box.addWidget(card, 1)
        self.box.addWidget(self.ok)

    def refresh(self) -> None:
        s = self.model.status
        if s is None:
            return
        self.number.setText(s.number)
        self.queue.setText(text_of(s, "queue_name"))
        self.headline.setText(text_of(s, "headline"))
        colour = theme.AMBER if s.to_desk else theme.RED if s.state == "called" else theme.TEXT
        self.headline.setStyleSheet(f"color: {colour}; background: transparent;")
        self.detail.setText(text_of(s, "detail"))
        self.ok.setText(tr("完成"))


class ErrorPage(Page):
    """One sentence saying what went wrong, a retry for card errors, and the way home."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        self.text = label(fonts, points=34, bold=True)
        self.text.setStyleSheet(f"color: {theme.RED};")
        self.hint = label(fonts, points=20, name="muted")
        row = QHBoxLayout()
        row.setSpacing(18)
        self.retry = button(fonts, points=24)
        self.retry.clicked.connect(model.retry)
        self.home = button(fonts, points=24, role="secondary")
        self.home.clicked.connect(model.go_home)
        row.addWidget(self.retry)
        row.addWidget(self.home)
        self.box.addStretch(1)
        self.box.addWidget(self.text)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)
        self.box.addLayout(row)

    def refresh(self) -> None:
        m = self.model
        self.text.setText(say(m.error))
        self.hint.setText(tr("如需帮助，请到服务台咨询") if not m.error_is_card else "")
        self.retry.setVisible(m.error_is_card or m.code_retry)
        self.retry.setText(tr("重新输入") if m.code_retry else tr("重新读卡"))
        self.home.setText(tr("返回首页"))


class OfflinePage(Page):
    """The hub cannot be reached: say where to go; the model comes back by itself."""

    def __init__(self, model: KioskModel, fonts: Fonts) -> None:
        super().__init__(model, fonts)
        self.text = label(fonts, points=40, bold=True)
        self.text.setStyleSheet(f"color: {theme.RED};")
        self.hint = label(fonts, points=20, name="muted")
        self.box.addStretch(1)
        self.box.addWidget(self.text)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def refresh(self) -> None:
        self.text.setText(tr(OFFLINE_TEXT))
        self.hint.setText(tr("系统正在自动重新连接，恢复后即可取号"))
