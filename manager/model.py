"""The manager console's model: the live hall, alerts, rebalancing, follow-ups, figures.

A `ConsoleModel` sits on a `ui.model.HallModel` (board + staff streams) and an
injected clock (the hub's, or a test's). Its views call the plain functions of
`manager.floor`, `.alerts`, `.rebalance`, `.followups` and `.figures`; the widgets only
show what it returns and send what the manager decides through it (STYLE.md §4).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from hall.core.events import Event
from hall.wire import commands
from hall.wire import protocol as P
from manager import alerts as A
from manager import floor as F
from manager import rebalance as R
from manager.clock import Clock
from manager.figures import Figures, figures
from manager.followups import CaseView, case_views
from manager.live import LiveLog, Proposal
from ui.i18n import text_of, tr
from ui.model import HallModel

log = logging.getLogger(__name__)


class ConsoleModel(QObject):
    """What the hall manager sees and does; every decision is testable without widgets."""

    changed = pyqtSignal()  # the hall changed or time passed: views re-read
    message = pyqtSignal(str, bool)  # one sentence for the status line, and "is an error"

    def __init__(self, hall: HallModel, clock: Clock | None = None,
                 thresholds: A.Thresholds | None = None, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.hall = hall
        self.link = hall.link
        self.clock: Clock = clock or hall.now  # the hall's time (the hub's clock)
        self.thresholds = thresholds or A.Thresholds()
        self.live = LiveLog()
        self.local_log: list[dict[str, Any]] = []  # open/close/pause with who and why
        hall.changed.connect(self.changed)
        hall.followed.connect(self._on_event)
        hall.link.synced.connect(self._on_synced)

    # ------------------------------------------------------------ inputs

    def _on_synced(self) -> None:
        self.live.on_snapshot(self.hall.board, self.clock())
        self.changed.emit()

    def _on_event(self, ev: Event) -> None:
        self.live.feed(ev)

    def refresh(self) -> None:
        """Time passed (a timer, or a test advancing its clock): re-read everything."""
        self.changed.emit()

    # ------------------------------------------------------------ reading

    @property
    def now(self) -> datetime:
        return self.clock()

    @property
    def devices_state(self) -> dict[str, bool]:
        return dict(self.hall.staff.get("devices", {}))

    def floors(self) -> list[dict[str, Any]]:
        return list(self.hall.layout["floors"]) if self.hall.layout else []

    def windows(self, floor: str | None = None) -> list[F.WindowView]:
        if not self.hall.layout:
            return []
        return F.window_views(self.hall.layout, self.hall.board, self.devices_state, self.live,
                              self.now, floor)  # fmt: skip

    def window(self, number: int) -> F.WindowView | None:
        return next((w for w in self.windows() if w.number == number), None)

    def queues(self, floor: str | None = None) -> list[F.QueueView]:
        if not self.hall.layout:
            return []
        return F.queue_views(self.hall.layout, self.hall.board, self.hall.queue_figures,
                             self.now, floor)  # fmt: skip

    def queue_name(self, qid: str) -> str:
        for q in self.hall.queues():
            if q["id"] == qid:
                return text_of(q, "name")
        return qid

    def devices(self) -> list[F.DeviceView]:
        # The followed staff state (snapshot + events) is the authority on device health.
        for d, parts in self.hall.staff.get("health", {}).items():
            self.live.health[d] = {"device": d, "parts": parts}
        return F.device_views(self.devices_state, self.live)

    def alerts(self) -> list[A.Alert]:
        return A.alerts(self.hall.board, self.windows(), self.devices(), self.live, self.now,
                        self.thresholds)  # fmt: skip

    def cases(self) -> list[CaseView]:
        return case_views(self.hall.staff.get("cases", {}), self.now.date())

    def figures(self) -> Figures:
        return figures(self.hall.board, self.live)

    def proposals(self) -> list[Proposal]:
        return list(self.live.proposals)

    def take_proposals(self) -> int:
        """Apply every proposal of the advisor as it stands, each with its own reason
        (全部采纳); returns how many were sent (the hub answers each as a `message`)."""
        sent = 0
        for p in self.proposals():
            reason = f"{tr('采纳调度建议')}：{text_of(p, 'reason')}"
            sent += self.apply(R.Change(p.window, "profile", dict(p.profile), reason))
        return sent

    def change_log(self) -> list[dict[str, Any]]:
        """Profile changes from the staff stream plus this console's other window actions."""
        rows = [{"at": c["at"], "window": c["window"], "what": "profile", "new": c.get("new"),
                 "by": c.get("by", ""), "reason": c.get("reason", "")} for c in self.live.changes]  # fmt: skip
        rows = [*rows, *self.local_log][::-1]  # newest first, also among equal times
        return sorted(rows, key=lambda r: r["at"], reverse=True)

    # ------------------------------------------------------------ rebalancing

    def _live_windows(self) -> dict[int, dict[str, Any]]:
        out = {}
        for w in self.windows():
            state = {F.CLOSED: "closed", F.PAUSED: "paused"}.get(w.state, "open")
            out[w.number] = {"state": state, "profile": w.profile}
        return out

    def predict(self, change: R.Change) -> list[R.Effect]:
        """The predicted wait of each touched queue, before and after `change`."""
        waiting = {q.id: q.waiting for q in self.queues()}
        return R.predict(self.hall.queues(), self._live_windows(), waiting, change)

    def apply(self, change: R.Change) -> bool:
        """Check and send a change; the hub's answer comes back as a `message`."""
        w = self.window(change.window)
        try:
            if w is None:
                raise R.InvalidChange(f"没有{change.window}号窗口")
            R.check(change, w.skills)
        except R.InvalidChange as e:
            self.message.emit(str(e), True)
            return False
        done = f"{change.window}号窗口：{_ACTION_DONE[change.action]}"
        reason = change.reason.strip()

        def answered(reply: P.Ok | P.Error) -> None:
            if isinstance(reply, P.Error):
                self.message.emit(text_of(reply, "message"), True)
                return
            if change.action != "profile":
                self.local_log.append({"at": self.now, "window": change.window, "what": change.action,
                                       "new": None, "by": self.link.device, "reason": reason})  # fmt: skip
            self.live.drop_proposal(change.window)
            self.message.emit(done, False)
            self.changed.emit()

        if change.action == "profile":
            prof = {q: float(x) for q, x in (change.profile or {}).items() if x > 0}
            self.link.request(
                P.SetProfile, answered, window=change.window, profile=prof, reason=reason
            )
        elif change.action == "pause":
            self.link.request(P.Pause, answered, window=change.window, reason=reason)
        else:
            cls = commands.named(change.action).request  # open, close, resume
            self.link.request(cls, answered, window=change.window)
        return True

    # ------------------------------------------------------------ follow-ups

    def calendar_warning(self) -> str:
        """The hub's note when follow-up deadlines fall past the official calendar's years."""
        return str(self.hall.staff.get("calendar_warning") or "")

    def follow_up(self, case: str, action: str, note: str, answer: str = "") -> bool:
        """`answer`: with rectify or close, the citizen's satisfied / unsatisfied (回复满意率)."""
        if action in ("contact", "rectify", "close") and not note.strip():
            self.message.emit("请填写处理情况说明", True)
            return False

        def answered(reply: P.Ok | P.Error) -> None:
            if isinstance(reply, P.Error):
                self.message.emit(reply.message, True)
            else:
                self.message.emit(f"回访 {case} 已记录", False)

        if action not in ("rectify", "close"):
            answer = ""
        self.link.request(P.FollowUp, answered, case=case, action=action, note=note.strip(),
                          answer=answer)  # fmt: skip
        return True


_ACTION_DONE = {"profile": "服务队列已调整", "open": "已开启", "close": "已关闭",
                "pause": "已暂停", "resume": "已恢复"}  # fmt: skip
