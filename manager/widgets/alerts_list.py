"""The alerts list: what needs the manager's attention now, the severe ones in red."""

from __future__ import annotations

from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from manager.model import ConsoleModel
from ui import theme
from ui.i18n import punct, text_of, tr

# Words, not emoji: the hall's CJK font has no emoji glyphs (they showed as boxes).
TAGS = {
    "wait": "等候",
    "idle": "空闲",
    "paused": "暂停",
    "offline": "离线",
    "paper": "缺纸",
    "rating": "差评",
}


class AlertsList(QWidget):
    def __init__(self, model: ConsoleModel) -> None:
        super().__init__()
        self.model = model
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.title.setFont(theme.font(15, bold=True))
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.devices = QLabel()
        self.devices.setObjectName("muted")
        self.devices.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.devices)
        model.changed.connect(self.refresh)
        self.refresh()

    def alert_keys(self) -> list[str]:
        return [a.key for a in self.model.alerts()]

    def refresh(self) -> None:
        alerts = self.model.alerts()
        self.title.setText(punct(f"{tr('提醒')}（{len(alerts)}）"))
        self.list.clear()
        for a in alerts:
            tag = tr(TAGS.get(a.kind, "提醒"))
            shown = punct(f"【{tag}】{text_of(a, 'text')}")
            item = QListWidgetItem(shown)
            item.setData(256, a.key)
            if a.severe:
                item.setForeground(QColor(theme.RED))
            self.list.addItem(item)
        if not alerts:
            self.list.addItem(QListWidgetItem(tr("一切正常")))
        devs = self.model.devices()
        off = [d.id for d in devs if not d.online]
        notes = [f"{d.id}：{tr(d.note)}" for d in devs if d.note]
        text = f"{tr('设备')}：{len(devs) - len(off)}/{len(devs)} {tr('在线')}"
        if off:
            text += f"；{tr('离线')}：{'、'.join(off)}"
        if notes:
            text += "；" + "；".join(notes)
        self.devices.setText(punct(text))
