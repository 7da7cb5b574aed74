"""Rebalancing one window: which queues with which weights, the predicted effect, why, apply.

The effect table is recomputed on every edit, so the manager sees what a change
would do to each queue's wait before pressing apply. Open, close, pause and resume
sit here too, each with the same required reason. The advisor's proposals (issue
7), when the hub sends any, are listed above and fill the editor on a click.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from manager import floor as F
from manager.model import ConsoleModel
from manager.rebalance import Change, Effect
from ui import theme
from ui.i18n import punct, text_of, tr

EFFECT_HEADERS = ("队列", "等候人数", "窗口数 前→后", "预计等候 前", "预计等候 后")


_WHAT = {"profile": "服务队列", "open": "开启", "close": "关闭", "pause": "暂停", "resume": "恢复"}


def minutes_text(m: float | None) -> str:
    return tr("无窗口服务") if m is None else f"{m:.0f}{tr('分钟')}"


class RebalancePanel(QWidget):
    def __init__(self, model: ConsoleModel) -> None:
        super().__init__()
        self.model = model
        self.number: int | None = None
        self.checks: dict[str, QCheckBox] = {}
        self.weights: dict[str, QDoubleSpinBox] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(tr("调整窗口：请在左侧点选一个窗口"))
        self.title.setFont(theme.font(15, bold=True))
        self.proposals = QListWidget()
        self.proposals.setMaximumHeight(150)
        self.proposals.setWordWrap(True)  # the reason and the predicted effect, whole
        self.proposals.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.proposals.itemClicked.connect(lambda item: self.take_proposal(item.data(256)))
        self.queue_box = QGridLayout()
        self.effects = QTableWidget(0, len(EFFECT_HEADERS))
        self.effects.setHorizontalHeaderLabels([tr(h) for h in EFFECT_HEADERS])
        self.effects.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        eh = self.effects.horizontalHeader()
        assert eh is not None
        eh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        eh.setStretchLastSection(True)
        self.effects.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.effects.setMaximumHeight(150)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("调整原因（必填），如：市场监管排队过长"))
        self.reason.textChanged.connect(self._update_buttons)
        self.apply_btn = QPushButton(tr("应用服务队列"))
        self.apply_btn.clicked.connect(lambda: self.send("profile"))
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for action, label, role in (("open", "开启", "ok"), ("pause", "暂停服务", "secondary"),
                                    ("resume", "恢复", "secondary"), ("close", "关闭窗口", "danger")):  # fmt: skip
            b = QPushButton(tr(label))
            b.setProperty("role", role)
            b.clicked.connect(lambda _=False, a=action: self.send(a))
            self.buttons[action] = b
            row.addWidget(b)
        self.proposals_label = QLabel(tr("调度建议"))
        self.take_all_btn = QPushButton(tr("全部采纳"))  # the advisor's opening plan: one click
        self.take_all_btn.setProperty("role", "secondary")
        self.take_all_btn.setMaximumHeight(44)
        self.take_all_btn.clicked.connect(self.take_all)
        self.log = QListWidget()
        self.log.setMaximumHeight(140)
        self.log.setWordWrap(True)  # who, when and the whole reason, without scrolling sideways
        self.log.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet(
            f"QPushButton[role]:disabled {{ background: {theme.DISABLED_BG}; "
            f"color: {theme.DISABLED_FG}; border: none; }}"
        )
        lay.addWidget(self.title)
        head = QHBoxLayout()
        head.addWidget(self.proposals_label, 1)
        head.addWidget(self.take_all_btn)
        lay.addLayout(head)
        lay.addWidget(self.proposals)
        lay.addLayout(self.queue_box)
        lay.addWidget(QLabel(tr("调整后预计等候（新取号群众）")))
        lay.addWidget(self.effects)
        lay.addWidget(self.reason)
        lay.addWidget(self.apply_btn)
        lay.addLayout(row)
        lay.addWidget(QLabel(tr("调整记录（谁、何时、为何）")))
        lay.addWidget(self.log)
        model.changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ editing

    def select_window(self, number: int) -> None:
        w = self.model.window(number)
        if w is None:
            return
        self.number = number
        while self.queue_box.count():
            item = self.queue_box.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.checks, self.weights = {}, {}
        for i, q in enumerate(w.skills):
            cb = QCheckBox(f"{self.model.queue_name(q)}（{q}）")
            cb.setChecked(q in w.profile)
            sp = QDoubleSpinBox()
            sp.setRange(0.1, 10.0)
            sp.setSingleStep(0.5)
            sp.setValue(w.profile.get(q, 1.0))
            sp.setPrefix(tr("权重 "))
            cb.toggled.connect(self.show_effect)
            sp.valueChanged.connect(self.show_effect)
            self.checks[q], self.weights[q] = cb, sp
            self.queue_box.addWidget(cb, i, 0)
            self.queue_box.addWidget(sp, i, 1)
            cb.show()  # added after the panel was shown
            sp.show()
        self.refresh()

    def set_profile(self, profile: dict[str, float]) -> None:
        """Fill the editor (from a proposal, or a test)."""
        for q, cb in self.checks.items():
            cb.setChecked(q in profile)
            if q in profile:
                self.weights[q].setValue(profile[q])
        self.show_effect()

    def profile(self) -> dict[str, float]:
        return {q: self.weights[q].value() for q, cb in self.checks.items() if cb.isChecked()}

    def take_proposal(self, number: int) -> None:
        p = next((p for p in self.model.proposals() if p.window == number), None)
        if p is None:
            return
        self.select_window(number)
        self.set_profile(p.profile)
        self.reason.setText(f"{tr('采纳调度建议')}：{p.reason}")

    def take_all(self) -> None:
        """Apply every proposal as it stands, each with its own reason."""
        self.model.take_proposals()

    def send(self, action: str) -> None:
        if self.number is None:
            return
        prof = self.profile() if action == "profile" else None
        if self.model.apply(Change(self.number, action, prof, self.reason.text())):
            self.reason.clear()

    # ------------------------------------------------------------ showing

    def refresh(self) -> None:
        props = self.model.proposals()
        self.proposals.clear()
        for p in props:
            text = "、".join(f"{self.model.queue_name(q)}×{x:.3g}" for q, x in p.profile.items())
            when = f"[{p.at:%H:%M}] " if p.at is not None else ""  # a proposal can be old
            item = punct(f"{when}{tr('{n}号窗口').format(n=p.window)} → {text}：")
            item += text_of(p, "reason")
            if p.effect:
                item += punct(
                    f"（{tr('预计等候')}："
                    + "，".join(
                        f"{self.model.queue_name(q)} {a:.0f}→{b:.0f}{tr('分钟')}"
                        for q, (a, b) in p.effect.items()
                    )
                    + "）"
                )
            self.proposals.addItem(item)
            self.proposals.item(self.proposals.count() - 1).setData(256, p.window)  # type: ignore[union-attr]
        self.proposals.setVisible(bool(props))
        self.proposals_label.setVisible(bool(props))
        self.take_all_btn.setVisible(len(props) > 1)
        self.log.clear()
        for c in self.model.change_log()[:20]:
            what = _WHAT.get(c["what"], c["what"])
            if c["what"] == "profile" and c.get("new"):
                what += "→" + "、".join(
                    f"{self.model.queue_name(q)}×{x:.3g}" for q, x in c["new"].items()
                )
            self.log.addItem(
                punct(
                    f"{c['at']:%H:%M} {tr('{n}号窗口').format(n=c['window'])} {tr(what)}  {c['by']}："
                )
                + c["reason"]
            )
        w = self.model.window(self.number) if self.number is not None else None
        if w is not None:
            self.title.setText(punct(
                f"{tr('调整窗口')}：{tr('{n}号窗口').format(n=w.number)}（{tr(F.STATE_LABELS[w.state])}）"
            ))  # fmt: skip
        self.show_effect()

    def show_effect(self) -> None:
        rows: list[Effect] = []
        if self.number is not None and self.checks:
            rows = self.model.predict(Change(self.number, "profile", self.profile()))
        self.effects.setRowCount(len(rows))
        for r, e in enumerate(rows):
            cells = (f"{self.model.queue_name(e.queue)}（{e.queue}）", str(e.waiting),
                     f"{e.servers_before:.2g} → {e.servers_after:.2g}", minutes_text(e.before),
                     minutes_text(e.after))  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 4 and (e.better or e.worse):
                    item.setForeground(QColor(theme.GREEN if e.better else theme.RED))
                self.effects.setItem(r, c, item)
        self._update_buttons()

    def effect_rows(self) -> list[list[str]]:
        """The effect table as text (tests read what the manager sees)."""
        return [[self.effects.item(r, c).text() for c in range(self.effects.columnCount())]  # type: ignore[union-attr]
                for r in range(self.effects.rowCount())]  # fmt: skip

    def _update_buttons(self) -> None:
        w = self.model.window(self.number) if self.number is not None else None
        has_reason = bool(self.reason.text().strip())
        self.apply_btn.setEnabled(w is not None and has_reason and bool(self.profile()))
        st = w.state if w else None
        self.buttons["open"].setEnabled(has_reason and st == F.CLOSED)
        self.buttons["close"].setEnabled(has_reason and st in (F.IDLE, F.PAUSED, F.OFFLINE))
        self.buttons["pause"].setEnabled(has_reason and st == F.IDLE)
        self.buttons["resume"].setEnabled(has_reason and st == F.PAUSED)
