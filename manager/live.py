"""What the console remembers from the staff and board streams beyond the followed state.

The followed state says where things are now; the waits, service times, ratings and
who-did-what need the times of the events, which only the live stream carries.
`LiveLog` is fed every followed event (pure: no Qt, no clock of its own). What
happened before the console connected is not in it, and the figures say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hall.core import events as EV
from manager.clock import parse_at


@dataclass
class Proposal:
    """The advisor's suggestion: move a window to a new profile, with its reason."""

    window: int
    profile: dict[str, float]
    reason: str
    at: datetime | None
    id: str = ""
    # the advisor's own rough prediction: queue -> (wait now, wait after) in minutes
    effect: dict[str, tuple[float, float]] = field(default_factory=dict)
    reason_en: str = ""


@dataclass
class LiveLog:
    """Times and facts seen on the streams since the console connected."""

    called_at: dict[str, datetime] = field(default_factory=dict)  # ticket id → first call
    started_at: dict[str, datetime] = field(default_factory=dict)
    clerk_of: dict[str, str] = field(default_factory=dict)  # ticket id → staff number
    clerk_names: dict[str, str] = field(default_factory=dict)  # staff number → name
    window_since: dict[int, datetime] = field(default_factory=dict)  # last state/activity
    paused_since: dict[int, datetime] = field(default_factory=dict)
    ratings: list[dict[str, Any]] = field(default_factory=list)  # rating.given + "at"
    changes: list[dict[str, Any]] = field(default_factory=list)  # profile changes, who & why
    health: dict[str, dict[str, Any]] = field(default_factory=dict)  # device → last report
    proposals: list[Proposal] = field(default_factory=list)
    connected_at: datetime | None = None

    def on_snapshot(self, board: dict[str, Any], at: datetime) -> None:
        """A snapshot arrived: windows whose state we never saw change start counting now."""
        if self.connected_at is None:
            self.connected_at = at
        for key, w in board.get("windows", {}).items():
            n = int(key)
            self.window_since.setdefault(n, at)
            if w.get("state") == "paused":
                self.paused_since.setdefault(n, at)
            else:
                self.paused_since.pop(n, None)

    def feed(self, type_: str, at_text: str, data: dict[str, Any]) -> None:
        """One followed event: its type (hall.core.events), time and data as plain data (read
        with care: a proposal or a health report the console cannot read is left out)."""
        at = parse_at(at_text)
        if at is None:
            return
        t = data.get("ticket")
        tid = t.get("id") if isinstance(t, dict) else None
        if tid and type_ == EV.TicketCalled.TYPE:
            self.called_at.setdefault(tid, at)
            self.started_at.pop(tid, None)
        elif tid and type_ == EV.TicketStarted.TYPE:
            self.started_at[tid] = at
        elif tid and type_ == EV.TicketFinished.TYPE and data.get("clerk"):
            self.clerk_of[tid] = str(data["clerk"])
        if isinstance(t, dict) and t.get("window") is not None and type_ in EV.TICKET_TYPES:
            self.window_since[int(t["window"])] = at
        if type_ == EV.WindowChanged.TYPE:
            self._window_changed(data["window"], at)
        elif type_ == EV.ClerkSignedIn.TYPE:
            self.clerk_names[str(data.get("staff_no"))] = str(data.get("name", ""))
        elif type_ == EV.RatingGiven.TYPE:
            self.ratings.append({**data, "at": at})
        elif type_ == EV.WindowProfileChanged.TYPE:
            self.changes.append({**data, "at": at})
        elif type_ == EV.DeviceHealth.TYPE and data.get("device"):
            self.health[str(data["device"])] = {**data, "at": at}
        elif type_ == EV.AdvisorProposal.TYPE:
            self._proposal(data, at)

    def _window_changed(self, w: dict[str, Any], at: datetime) -> None:
        n = int(w["number"])
        self.window_since[n] = at
        if w.get("state") == "paused":
            self.paused_since.setdefault(n, at)
        else:
            self.paused_since.pop(n, None)

    def _proposal(self, data: dict[str, Any], at: datetime) -> None:
        try:
            p = Proposal(int(data["window"]), {str(k): float(v) for k, v in data["profile"].items()},
                         str(data.get("reason", "")), at, str(data.get("id", "")),
                         reason_en=str(data.get("reason_en", "")))  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            return  # a proposal we cannot read is no proposal
        effect = data.get("effect")
        if isinstance(effect, dict):
            for q, pair in effect.items():
                try:
                    before, after = (float(x) for x in pair)
                except (TypeError, ValueError):
                    continue  # an unreadable figure is left out, the proposal stays
                p.effect[str(q)] = (before, after)
        self.proposals = [x for x in self.proposals if x.window != p.window] + [p]

    def drop_proposal(self, window: int) -> None:
        self.proposals = [x for x in self.proposals if x.window != window]
