"""The clerk's side of one window, without widgets (STYLE.md §4).

`CounterModel` sits on a `HallModel` (board + staff streams) and its `HubLink`:

- who is signed in (A or B post, staff number, name) — from our own replies;
- the window's state and the queues it serves now (its live profile) with how
  many wait in each;
- the current ticket with the person data only a counter gets (masked ID and
  name, item, history) — kept from the call_next / recall / start / call_back
  replies, because the board stream carries public data only;
- which actions apply now (`counter.rules`), one request at a time, nothing
  sent while offline (a press then says so); the link's own retries reuse the
  req_id, so the hub never applies a command twice;
- the hub's refusals and what happened, as one sentence (`notice`);
- the manager's profile changes for this window (staff stream);
- the service item (事项) of the ticket: the catalogue's items this window's queues take,
  the most-used first, searched by pinyin initials, Chinese or code (`item_choices`), sent
  to the hub with `record_item`. Finishing without one is allowed, with a reminder: the
  monthly 事项评价覆盖率 counts the items recorded, and the ticket finished last may still
  get its item afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from counter import rules
from hall.core import events as EV
from hall.core.catalogue import Catalogue, Item, load_catalogue
from hall.core.engine.lifecycle import AT_WINDOW, FREES_WINDOW
from hall.core.layout import CATCH_ALL
from hall.wire import commands
from hall.wire import protocol as P
from ui.i18n import text_of, tr
from ui.model import HallModel


def hhmm(iso: str | None) -> str:
    """ "09:31" from an ISO time ("" for none)."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M")
    except ValueError:
        return ""


def minutes_between(a: str | None, b: str | None) -> int | None:
    """Whole minutes from ISO time `a` to `b` (None if either is missing)."""
    if not a or not b:
        return None
    try:
        d = datetime.fromisoformat(b) - datetime.fromisoformat(a)
    except ValueError:
        return None
    return max(0, int(d.total_seconds() // 60))


class CounterModel(QObject):
    """One window's counter: clerk, window, current ticket, actions, notices."""

    changed = pyqtSignal()
    notice = pyqtSignal(str, str)  # sentence, level: info / warn / error
    signed_in_changed = pyqtSignal(bool)

    def __init__(
        self,
        hall: HallModel,
        window: int,
        *,
        item_names: Mapping[str, str] | None = None,
        catalogue: Catalogue | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.hall = hall
        self.link = hall.link
        self.window = window
        self.catalogue = catalogue if catalogue is not None else _shipped_catalogue()
        if item_names is None:
            item_names = {i.code: text_of(i, "name") for i in self.catalogue}
        self.item_names = dict(item_names)
        self.items_used: dict[str, int] = {}  # item -> times recorded here (the hub counts)
        self._last_finished: dict[str, Any] | None = None  # may still get its item
        self.clerk: dict[str, str] | None = None  # post, staff_no, name
        self.busy: str | None = None  # the action on its way to the hub
        self.notice_text = ""
        self.notice_level = "info"
        self.profile_notice = ""  # the manager's last change, kept on screen
        self._current: dict[str, Any] | None = None
        self._full: dict[str, dict[str, Any]] = {}  # ticket id -> full ticket from replies
        self._synced_once = False  # the link's online blips before the first snapshot are noise
        hall.changed.connect(self.changed)
        hall.layout_ready.connect(self.changed)
        hall.followed.connect(self._on_event)
        hall.online_changed.connect(self._on_online)
        self.link.synced.connect(self._on_synced)
        self.link.welcomed.connect(self._on_welcomed)
        self._recovering = False  # back online, waiting for the hub's welcome to say so

    # ------------------------------------------------------------ reading

    @property
    def online(self) -> bool:
        return self.hall.online

    @property
    def signed_in(self) -> bool:
        return self.clerk is not None

    def window_info(self) -> dict[str, Any]:
        """This window in the layout (floor, kind, skills, home profile); {} before the welcome."""
        return next((w for w in self.hall.windows() if w["number"] == self.window), {})

    def window_state(self) -> dict[str, Any]:
        return self.hall.window_state(self.window)

    def state_name(self) -> str:
        return str(self.window_state().get("state", ""))

    def profile(self) -> dict[str, float]:
        live = self.window_state().get("profile")
        return dict(live or self.window_info().get("profile") or {})

    def queue_name(self, qid: str | None) -> str:
        if not qid:
            return ""
        try:
            q = self.hall.queue(qid)
        except StopIteration:
            return qid
        return text_of(q, "name")

    def queue_rows(self) -> list[dict[str, Any]]:
        """The queues this window serves now, in profile order, with their waiting counts."""
        return [
            {"queue": q, "name": self.queue_name(q), "weight": w, "waiting": self.hall.waiting(q),
             "estimate": self.hall.estimate_text(q)}
            for q, w in self.profile().items()
        ]  # fmt: skip

    def current(self) -> dict[str, Any] | None:
        """The ticket at the window now (called or serving), with person data when we have it."""
        return dict(self._current) if self._current else None

    def idle_hint(self) -> str:
        """What the empty ticket card tells the clerk to do next."""
        if not self.online:
            return tr("离线，等待恢复连接")
        state = self.state_name()
        if state == "closed":
            return tr("窗口未开放 · 按 F10 开窗")
        if state == "paused":
            return tr("暂停服务中 · 按 F8 恢复")
        return tr("暂无号码 · 按 F1 叫号")

    def parked(self) -> list[dict[str, Any]]:
        """Tickets this window has set aside, oldest issue first."""
        ts = self.hall.board.get("tickets", {}).values()
        mine = [t for t in ts if t["state"] == "parked" and t.get("window") == self.window]
        return sorted(mine, key=lambda t: (t["issued_at"], t["number"]))

    def situation(self) -> rules.Situation:
        cur = self._current
        return rules.Situation(
            online=self.online, busy=self.busy is not None, signed_in=self.signed_in,
            window_state=self.state_name(), current_state=cur["state"] if cur else None,
            parked=len(self.parked()),
        )  # fmt: skip

    def why_not(self, action: str) -> str:
        """ "" if `action` applies now, else the (translated) sentence saying why not."""
        reason = rules.why_not(action, self.situation())
        return tr(reason) if reason else ""

    def enabled(self, action: str) -> bool:
        return not self.why_not(action)

    # ------------------------------------------------------------ ticket text

    def ticket_view(self, t: dict[str, Any]) -> dict[str, str]:
        """What the ticket card shows, as text (plain: a test reads it without widgets)."""
        mark = {"green": tr("绿色通道"), "appointment": tr("预约")}.get(str(t.get("priority")), "")
        waited = minutes_between(t.get("issued_at"), t.get("called_at"))
        person = "  ".join(x for x in (t.get("name_masked"), t.get("id_masked")) if x)
        item = t.get("item") or ""
        state = {"called": tr("已呼叫，等候到窗"), "serving": tr("办理中")}.get(t["state"], "")
        recalls = int(t.get("recalls") or 0)
        return {
            "number": str(t["number"]),
            "state": state,
            "queue": self.queue_name(t.get("queue")),
            "item": self.item_names.get(item, item) if item else tr("未选事项（按 F11 选择）"),
            "issued": hhmm(t.get("issued_at")),
            "waited": f"{waited} {tr('分钟')}" if waited is not None else "",
            "person": person or tr("未刷证"),
            "mark": mark,
            "recalls": tr("已重呼 {n} 次").format(n=recalls) if recalls else "",
            "history": "\n".join(self._history_lines(t)),
        }

    def _history_lines(self, t: dict[str, Any]) -> list[str]:
        out = []
        for h in t.get("history") or []:
            at = hhmm(h.get("at"))
            note = f"（{h['note']}）" if h.get("note") else ""
            if h.get("action") == "transfer":
                to = (
                    tr("{n}号窗口").format(n=h["to_window"])
                    if h.get("to_window") is not None
                    else self.queue_name(h.get("to_queue"))
                )
                src = tr("{n}号窗口").format(n=h.get("from_window"))
                out.append(tr("{at} 由{src}转至{to}").format(at=at, src=src, to=to) + note)
            elif h.get("action") == "park":
                out.append(tr("{at} 暂存").format(at=at) + note)
        return out

    # ------------------------------------------------------------ service items

    def item_name(self, code: str) -> str:
        return self.item_names.get(code, code)

    def item_ticket(self) -> dict[str, Any] | None:
        """The ticket an item picked now is for: the one at the window, else the one it
        finished last (the clerk reminded after finishing may still say)."""
        return self.current() or (dict(self._last_finished) if self._last_finished else None)

    def item_why_not(self) -> str:
        """ "" if an item may be recorded now, else the (translated) sentence saying why not."""
        reason = rules.why_not_item(self.situation(), self.item_ticket() is not None)
        return tr(reason) if reason else ""

    def window_items(self) -> list[Item]:
        """The catalogue's items this window's queues take (its skills, by the queues'
        domains), the most-used here first, then in catalogue order."""
        skills = set(self.window_info().get("skills") or self.profile())
        return self._by_use([i for i, q in self._item_queues() if q in skills])

    def queue_items(self, queue: str) -> list[Item]:
        """The catalogue's items of one queue, the most-used here first."""
        return self._by_use([i for i, q in self._item_queues() if q == queue])

    def _item_queues(self) -> list[tuple[Item, str | None]]:
        """Each item with the queue that takes it (by its domain; the catch-all queue takes
        the rest), as the hub's layout says."""
        by_domain = {d: q["id"] for q in self.hall.queues() for d in q.get("domains") or ()}
        catch_all = by_domain.get(CATCH_ALL)
        return [(i, by_domain.get(i.domain, catch_all)) for i in self.catalogue]

    def _by_use(self, items: list[Item]) -> list[Item]:
        """`items` with the most-used here first; otherwise in the order given (stable)."""
        return sorted(items, key=lambda i: -self.items_used.get(i.code, 0))

    def item_choices(self, query: str = "", limit: int | None = None) -> tuple[list[Item], bool]:
        """The items the picker offers for `query` and whether they are other windows' items.

        No query: this window's items, the most-used first. A query (pinyin initials
        ``yyzz``, Chinese ``营业执照``, a code; `Catalogue.search`): this window's matches,
        the most-used first, then the best match; when none of this window's items match,
        the whole catalogue's matches (a transfer may bring another window's matter)."""
        mine = self.window_items()
        if not query.strip():
            return mine[:limit], False
        codes = {i.code for i in mine}
        found = self.catalogue.search(query, limit=len(self.catalogue))
        here = [i for i in found if i.code in codes]
        if here:
            return self._by_use(here)[:limit], False
        return found[:limit], bool(found)

    def record_item(self, code: str) -> bool:
        """Record `code` as the service item of `item_ticket()`. False (with a notice) when it
        cannot be sent; the hub checks the code against the catalogue."""
        reason = self.item_why_not()
        if reason:
            return self._say(reason, "error" if not self.online else "warn")
        t = self.item_ticket()
        assert t is not None
        self._send("record_item", P.RecordItem, {"ticket": t["id"], "item": code}, t["id"])
        return True

    def tell(self, text: str, level: str = "info") -> None:
        """Show a sentence on the status line (the view's own refusals)."""
        self._say(text, level)

    # ------------------------------------------------------------ acting

    def sign_in(self, post: str, staff_no: str, name: str) -> bool:
        """Sign in at the A or B post. False (with a notice) when it cannot be sent."""
        staff_no, name = staff_no.strip(), name.strip()
        if not staff_no or not name:
            return self._say(tr("请填写工号和姓名"), "warn")
        if not self.online:
            return self._say(tr(rules.OFFLINE), "error")
        if self.busy:
            return self._say(tr(rules.BUSY), "warn")
        clerk = {"post": post, "staff_no": staff_no, "name": name}
        self._send("sign_in", P.SignIn, {"post": post, "staff_no": staff_no, "name": name}, clerk)
        return True

    def press(self, action: str, **fields: Any) -> bool:
        """The clerk pressed a button or key. Sends the request, or says why not (False)."""
        reason = self.why_not(action)
        if reason:
            return self._say(reason, "error" if not self.online else "warn")
        if action == "sign_out":
            assert self.clerk is not None
            fields = {"post": self.clerk["post"]}
        # each action is the window command of its name (hall.wire.commands; checked in its tests)
        self._send(action, commands.named(action).request, fields, None)
        return True

    def _send(self, action: str, cls: type[P.Request], fields: dict[str, Any], extra: Any) -> None:
        # The window always travels: a counter set up for another window is refused by the
        # hub with a sentence instead of quietly acting on its own.
        self.busy = action
        self.changed.emit()
        self.link.request(
            cls, lambda reply: self._on_reply(action, reply, extra), window=self.window, **fields
        )

    def _on_reply(self, action: str, reply: P.Ok | P.Error, extra: Any) -> None:
        self.busy = None
        if isinstance(reply, P.Error):
            if reply.code == "offline":
                self._say(tr(rules.OFFLINE), "error")
            else:
                self._say(text_of(reply, "message"), "error")
            self.changed.emit()
            return
        value = reply.value
        t = value.get("ticket")
        if isinstance(t, dict):
            self._full[t["id"]] = t
        if action == "sign_in":
            self.clerk = dict(extra)
            self._say(
                tr("签到成功：{post}岗 {name}").format(post=extra["post"], name=extra["name"])
            )
            self.signed_in_changed.emit(True)
        elif action == "sign_out":
            self.clerk = None
            self._say(tr("已签退"))
            self.signed_in_changed.emit(False)
        elif action == "record_item" and isinstance(t, dict):
            self.items_used = {str(k): int(n) for k, n in (value.get("items_used") or {}).items()}
            if self._current and self._current["id"] == t["id"]:
                self._current = self._merge(t)
            elif self._last_finished and self._last_finished["id"] == t["id"]:
                self._last_finished = t
            name = self.item_name(str(t.get("item")))
            self._say(tr("已记录 {n} 的办理事项：{item}").format(n=t["number"], item=name))
        elif action == "call_next" and t is None:
            self._say(tr("本窗口服务的队列暂无等候"), "warn")
        elif action == "recall" and value.get("no_show") and isinstance(t, dict):
            self._current = None
            self._say(tr("{n} 多次呼叫未到，已按过号处理").format(n=t["number"]), "warn")
        elif action in FREES_WINDOW and isinstance(t, dict):  # the window has none now
            self._drop(t["id"])
            if action == "finish":
                self._last_finished = t
                if t.get("item"):  # as the hub counts it (Engine.items_used): finished tickets
                    self.items_used[t["item"]] = self.items_used.get(t["item"], 0) + 1
            if value.get("warning"):  # e.g. transferred to a window that is not open
                warning = text_of(value, "warning")
                self._say(f"{self._done_text(action, t)}（{warning}）", "warn")
            elif action == "finish" and not t.get("item"):
                # allowed, but the month's item coverage counts only recorded items
                self._say(tr("{n} 已办结，但未记录办理事项（计入事项评价覆盖率），可按 F11 补记")
                          .format(n=t["number"]), "warn")  # fmt: skip
            else:
                self._say(self._done_text(action, t))
        elif isinstance(t, dict):
            self._current = self._merge(t)
            self._say(self._done_text(action, t))
        else:
            self._say(self._done_text(action, {}))
        self.changed.emit()

    def _done_text(self, action: str, t: dict[str, Any]) -> str:
        n = t.get("number", "")
        texts = {
            "call_next": tr("已呼叫 {n}"), "recall": tr("已重呼 {n}"),
            "start": tr("开始办理 {n}"), "finish": tr("{n} 已办结，请邀请群众评价"),
            "no_show": tr("{n} 已按过号处理"), "transfer": tr("{n} 已转出"),
            "park": tr("{n} 已暂存"), "call_back": tr("已叫回 {n}"),
            "pause": tr("已暂停服务"), "resume": tr("已恢复服务"),
            "open": tr("窗口已开放"), "close": tr("窗口已关闭"),
        }  # fmt: skip
        return texts.get(action, "").format(n=n)

    def _say(self, text: str, level: str = "info") -> bool:
        self.notice_text, self.notice_level = text, level
        self.notice.emit(text, level)
        return False

    # ------------------------------------------------------------ following the hub

    def _merge(self, t: dict[str, Any]) -> dict[str, Any]:
        """A ticket's newest public fields over the full form we got in a reply."""
        return {**self._full.get(t["id"], {}), **t}

    def _drop(self, ticket_id: str) -> None:
        if self._current and self._current["id"] == ticket_id:
            self._current = None

    def _on_event(self, ev: EV.Event) -> None:
        d = ev.data
        if not isinstance(d, EV.TICKET_EVENTS):
            self._on_staff(d)
            return
        t = d.ticket
        if "id" not in t:
            return
        here = t.get("window") == self.window and t["state"] in AT_WINDOW
        if here:
            if isinstance(d, EV.TicketRecalled):
                self._full.setdefault(t["id"], {})["recalls"] = d.recalls
            self._current = self._merge(t)
        elif self._current and self._current["id"] == t["id"]:
            self._current = None
            if isinstance(d, EV.TicketNoShow) and d.auto:
                self._say(tr("{n} 多次呼叫未到，已按过号处理").format(n=t["number"]), "warn")

    def _on_staff(self, d: EV.EventData) -> None:
        match d:
            case EV.WindowProfileChanged(window=self.window):
                self.profile_notice = self.profile_text(d.new, d.reason)
                self._say(self.profile_notice, "warn")
                self.changed.emit()
            case EV.ClerkSignedOut(window=self.window) if (
                self.clerk and d.post == self.clerk["post"]
            ):
                self.clerk = None
                self._say(tr("您已被管理员签退"), "warn")
                self.signed_in_changed.emit(False)

    def profile_text(self, profile: Mapping[str, float], reason: str = "") -> str:
        """ "管理员已调整本窗口服务队列：市场监管、综合受理" (weights shown when they differ)."""
        weighted = len(set(profile.values())) > 1
        parts = [
            self.queue_name(q) + (f" ×{w:.3g}" if weighted else "") for q, w in profile.items()
        ]
        text = tr("管理员已调整本窗口服务队列：") + tr("、").join(parts)
        return text + (tr("（原因：{r}）").format(r=reason) if reason else "")

    def _on_synced(self) -> None:
        # A fresh snapshot (start, reconnect, hub restart): the board says what is at the
        # window now; our full copy of that ticket survives if we have one.
        self._adopt_clerk()
        self._synced_once = True
        snapshot = getattr(self.hall.link, "snapshot_value", None) or {}
        used = snapshot.get("items_used")
        if isinstance(used, dict):
            self.items_used = {str(k): int(n) for k, n in used.items()}
        for tid, full in (snapshot.get("at_windows") or {}).items():
            if full.get("window") == self.window:  # the full form a reply would have given
                self._full[tid] = {**self._full.get(tid, {}), **full}
        if "last_finished" in snapshot:  # the hub's word (an older hub's: keep ours)
            last = snapshot["last_finished"]
            self._last_finished = dict(last) if isinstance(last, dict) else None
        number = self.window_state().get("current")
        self._current = None
        if number:
            for t in self.hall.board.get("tickets", {}).values():
                if t["number"] == number and t.get("window") == self.window:
                    self._current = self._merge(t)
        self.changed.emit()

    def _adopt_clerk(self) -> None:
        """The hub's word on who is signed in here wins: after the app restarts the clerk
        carries on without signing in again, and a sign-out the counter missed while
        offline (a manager's) shows."""
        c = self.window_state().get("clerk")
        if c and not c.get("post"):
            return  # a hub that does not say the post: keep what our own replies said
        hub = {"post": c["post"], "staff_no": c["staff_no"], "name": c["name"]} if c else None
        if hub == self.clerk:
            return
        before, self.clerk = self.clerk, hub
        if hub is not None:
            self._say(tr("已恢复签到：{post}岗 {name}").format(post=hub["post"], name=hub["name"]))
        elif self._synced_once and before is not None:
            self._say(tr("您已被管理员签退"), "warn")
        self.signed_in_changed.emit(hub is not None)

    def _on_online(self, online: bool) -> None:
        self._recovering = False
        if self._synced_once:
            if not online:
                self._say(tr("离线：与中心服务的连接中断，正在重连…"), "error")
            elif self.link.welcome is not None:
                self._say(tr("已恢复连接"))
            else:
                # The link may look online for a moment after a request gave up (its
                # follower heard the hub recently); only the hub's welcome says it is back.
                self._recovering = True
        self.changed.emit()

    def _on_welcomed(self, _welcome: dict[str, Any]) -> None:
        if self._recovering and self.online:
            self._recovering = False
            self._say(tr("已恢复连接"))


def _shipped_catalogue() -> Catalogue:
    """The shipped catalogue (config/items.csv); an empty one if it cannot be read."""
    try:
        return load_catalogue()
    except (OSError, ValueError):
        return Catalogue([])
