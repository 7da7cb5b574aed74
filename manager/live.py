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

import msgspec

from hall.core import events as EV


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

    def feed(self, ev: EV.Event) -> None:
        """One followed event, matched on its type (a proposal or a health report the console
        cannot read is left out)."""
        at, data = ev.at, ev.data
        if isinstance(data, EV.TICKET_EVENTS):
            self._ticket_moved(data, data.ticket, at)
        match data:
            case EV.WindowChanged(window=w):
                self._window_changed(w, at)
            case EV.ClerkSignedIn(staff_no=staff_no, name=name):
                self.clerk_names[str(staff_no)] = str(name)
            case EV.RatingGiven():
                self.ratings.append({**msgspec.structs.asdict(data), "at": at})
            case EV.WindowProfileChanged():
                self.changes.append({**msgspec.structs.asdict(data), "at": at})
            case EV.DeviceHealth(device=device) if device:
                self.health[str(device)] = {**msgspec.structs.asdict(data), "at": at}
            case EV.AdvisorProposal():
                self._proposal(data, at)

    def _ticket_moved(self, data: EV.EventData, t: dict[str, Any], at: datetime) -> None:
        tid = t.get("id") if isinstance(t, dict) else None
        if tid:
            match data:
                case EV.TicketCalled():
                    self.called_at.setdefault(tid, at)
                    self.started_at.pop(tid, None)
                case EV.TicketStarted():
                    self.started_at[tid] = at
                case EV.TicketFinished(clerk=clerk) if clerk:
                    self.clerk_of[tid] = str(clerk)
        if isinstance(t, dict) and t.get("window") is not None:
            self.window_since[int(t["window"])] = at

    def _window_changed(self, w: dict[str, Any], at: datetime) -> None:
        n = int(w["number"])
        self.window_since[n] = at
        if w.get("state") == "paused":
            self.paused_since.setdefault(n, at)
        else:
            self.paused_since.pop(n, None)

    def _proposal(self, data: EV.AdvisorProposal, at: datetime) -> None:
        try:
            p = Proposal(int(data.window), {str(k): float(v) for k, v in data.profile.items()},
                         str(data.reason), at, str(data.id),
                         reason_en=str(data.reason_en))  # fmt: skip
        except (TypeError, ValueError, AttributeError):
            return  # a proposal we cannot read is no proposal
        if isinstance(data.effect, dict):
            for q, pair in data.effect.items():
                try:
                    before, after = (float(x) for x in pair)
                except (TypeError, ValueError):
                    continue  # an unreadable figure is left out, the proposal stays
                p.effect[str(q)] = (before, after)
        self.proposals = [x for x in self.proposals if x.window != p.window] + [p]

    def drop_proposal(self, window: int) -> None:
        self.proposals = [x for x in self.proposals if x.window != window]
