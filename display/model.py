"""What one floor's display board shows and says, decided without widgets.

`BoardModel` sits on a `HallModel` (STYLE.md §4) and answers the board's
questions: which calls belong on this floor, the current call, the last calls,
each window's current ticket, the queues served here with their waiting counts
and estimates, and whether the hub is reachable.

The floor rule: a call belongs on a floor's board if the calling window is on
that floor (people near the window see it) OR the ticket's queue waits on that
floor (the citizen holding it is sitting there). A G ticket waits on 1F; when a
2F window calls it, both the 1F and the 2F boards show and speak it, the 3F
board does not.

Voice: each live call or recall is announced exactly once. `HallModel.called`
is never fed from a snapshot, and on top of that every announced event is
remembered by an identity that does not depend on the hub's epoch or sequence
numbers (ticket id, kind, recall count, event time), so a hub restart, a
re-snapshot or a replayed buffer can never make the hall hear a call twice.
The announcer queues calls on its own thread: they never overlap.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from PyQt6.QtCore import QObject, pyqtSignal

from drivers.base import DriverError
from drivers.voice.phrases import Call
from hall.core.events import CALLS, Event, TicketRecalled
from ui.i18n import text_of
from ui.model import HallModel

log = logging.getLogger(__name__)

ALL_FLOORS = "all"
LAST_CALLS = 8
_SEEN_MAX = 5000  # identities kept: far more than a day's calls on one board


class Speaker(Protocol):
    """What the board needs of an announcer (drivers.voice.Announcer has it)."""

    def announce(self, call: Call) -> None: ...
    def recall(self, call: Call) -> None: ...


@dataclass(frozen=True, slots=True)
class BoardCall:
    """One call on the board: ``A023 → 5号窗口``."""

    ticket_id: str
    number: str
    window: int
    queue: str
    recall: bool
    at: str
    # the window's floor id when the citizen waits on another floor ("" on the same floor):
    # the board and the voice then say the floor ("请B012号到一楼3号窗口办理")
    floor: str = ""


def call_identity(ev: Event) -> tuple[str, str, int, str]:
    """A call's identity that survives hub restarts: no epoch, no sequence number."""
    data = ev.data
    if not isinstance(data, CALLS):
        raise TypeError(f"{ev.type} is no call")
    return (
        str(data.ticket.get("id", "")),
        ev.type,
        data.recalls if isinstance(data, TicketRecalled) else 0,
        ev.at.isoformat(),
    )


def belongs(floor: str, ev: Event) -> bool:
    """Does this call show on `floor`'s board? (window's floor or the queue's waiting floor)."""
    if floor == ALL_FLOORS:
        return True
    data = ev.data
    return isinstance(data, CALLS) and floor in (data.floor, data.queue_floor)


class BoardModel(QObject):
    """One board's state: calls for this floor, windows, queues, online; speaks new calls."""

    changed = pyqtSignal()  # windows, queues, online: redraw the tables
    new_call = pyqtSignal(object)  # BoardCall, live: flash it
    online_changed = pyqtSignal(bool)

    def __init__(
        self,
        hall: HallModel,
        floor: str,
        speaker: Speaker | None = None,
        *,
        last_calls: int = LAST_CALLS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.hall = hall
        self.floor = floor
        self.speaker = speaker
        self.calls: collections.deque[BoardCall] = collections.deque(maxlen=last_calls)
        self.current: BoardCall | None = None
        self.announced = 0
        self.speaking: BoardCall | None = None  # the call the announcer is saying now
        self.voice_error = ""  # the announcer's last failure, in Chinese ("" when fine)
        self._seen: set[tuple[str, str, int, str]] = set()
        self._seen_order: collections.deque[tuple[str, str, int, str]] = collections.deque()
        hall.called.connect(self._on_called)
        hall.changed.connect(self.changed)
        hall.layout_ready.connect(self.changed)
        hall.online_changed.connect(self._on_online)

    # ------------------------------------------------------------ inputs

    def set_speaker(self, speaker: Speaker | None) -> None:
        self.speaker = speaker

    def _on_online(self, online: bool) -> None:
        self.online_changed.emit(online)
        self.changed.emit()

    def _remember(self, ident: tuple[str, str, int, str]) -> bool:
        """True the first time an identity is seen."""
        if ident in self._seen:
            return False
        self._seen.add(ident)
        self._seen_order.append(ident)
        while len(self._seen_order) > _SEEN_MAX:
            self._seen.discard(self._seen_order.popleft())
        return True

    def _on_called(self, ev: Event) -> None:
        """A live call or recall (`HallModel.called`): shown and said once."""
        data = ev.data
        if not isinstance(data, CALLS) or not belongs(self.floor, ev):
            return
        if not self._remember(call_identity(ev)):
            log.info("call %s seen before: not shown or said again", call_identity(ev))
            return
        t = data.ticket
        wfloor, qfloor = data.floor, data.queue_floor
        elsewhere = str(wfloor) if wfloor and qfloor and wfloor != qfloor else ""
        call = BoardCall(str(t["id"]), str(t["number"]), int(data.window), str(t["queue"]),
                         isinstance(data, TicketRecalled), ev.at.isoformat(), elsewhere)  # fmt: skip
        # A recall moves the ticket's line to the top instead of adding a second one.
        for old in list(self.calls):
            if old.ticket_id == call.ticket_id and old.window == call.window:
                self.calls.remove(old)
        self.calls.appendleft(call)
        self.current = call
        self._say(call)
        self.new_call.emit(call)

    def _say(self, call: BoardCall) -> None:
        if self.speaker is None:
            return
        try:
            voice = Call(call.number, call.window, self.floor_level(call.floor))
            if call.recall:
                self.speaker.recall(voice)
            else:
                self.speaker.announce(voice)
            self.announced += 1
        except DriverError as e:  # the board still shows the call; the log says why it was silent
            log.warning("call %s → %s not announced: %s", call.number, call.window, e)

    def voice_started(self, call: Call) -> None:
        """The announcer began saying `call` (forwarded from its thread by a signal)."""
        self.speaking = next(
            (c for c in self.calls if (c.number, c.window) == (call.ticket, call.window)), None
        )
        self.changed.emit()

    def voice_ended(self, ok: bool, error: str) -> None:
        self.speaking = None
        self.voice_error = "" if ok else error
        self.changed.emit()

    # ------------------------------------------------------------ reading

    @property
    def online(self) -> bool:
        return self.hall.online

    @property
    def layout(self) -> dict[str, Any]:
        return self.hall.layout or {}

    def hall_name(self, lang: str = "zh") -> str:
        lay = self.layout
        return text_of(lay, "name", lang)

    def notice(self, lang: str = "zh") -> str:
        lay = self.layout
        return text_of(lay, "notice", lang)

    def floor_level(self, floor_id: str) -> int | None:
        """A floor's place in the layout (1 for the first listed), None for "" or unknown."""
        ids = [f["id"] for f in self.layout.get("floors", [])]
        return ids.index(floor_id) + 1 if floor_id in ids else None

    def name_of_floor(self, floor_id: str, lang: str = "zh") -> str:
        """A floor's name in `lang` ("一楼" / "1st floor"); "" for "" or an unknown id."""
        for f in self.layout.get("floors", []):
            if f["id"] == floor_id:
                return text_of(f, "name", lang)
        return ""

    def floor_name(self, lang: str = "zh") -> str:
        """This board's floor's name in `lang`."""
        return self.name_of_floor(self.floor, lang)

    def windows(self) -> list[dict[str, Any]]:
        """This floor's windows: number, name, state, current ticket number (or None)."""
        floor = None if self.floor == ALL_FLOORS else self.floor
        out = []
        for w in self.hall.windows(floor):
            live = self.hall.window_state(int(w["number"]))
            out.append({
                "number": int(w["number"]),
                "name": w.get("name") or "",
                "kind": w.get("kind", ""),
                "state": live.get("state", "closed"),
                "current": live.get("current"),
                "current_state": live.get("current_state"),
            })  # fmt: skip
        return out

    def queue_ids(self) -> list[str]:
        """Queues waiting on this floor first, then queues this floor's windows serve."""
        queues = self.hall.queues()
        if self.floor == ALL_FLOORS:
            return [q["id"] for q in queues]
        here = [q["id"] for q in queues if q["floor"] == self.floor]
        served: set[str] = set()
        for w in self.hall.windows(self.floor):
            live = self.hall.window_state(int(w["number"]))
            served.update(live.get("profile") or w.get("profile") or {})
        return here + [q["id"] for q in queues if q["id"] in served and q["id"] not in here]

    def queue_rows(self) -> list[dict[str, Any]]:
        """Per queue served here: name, area, waiting count, estimated wait text."""
        rows = []
        for qid in self.queue_ids():
            q = self.hall.queue(qid)
            rows.append({
                "queue": qid, "name": q["name"], "name_en": q.get("name_en", ""),
                "area": q.get("area", ""), "area_en": q.get("area_en", ""),
                "waiting": self.hall.waiting(qid), "estimate": self.hall.estimate_text(qid),
            })  # fmt: skip
        return rows
