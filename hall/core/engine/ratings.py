"""Ratings (好差评), their follow-up cases (1/4/13 working days), device health."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import ClassVar

from hall.core import errors as E
from hall.core import events as EV
from hall.core.engine import lifecycle
from hall.core.engine.base import EngineBase, Outcome
from hall.core.engine.lifecycle import Command
from hall.core.model import (
    BAD_RATING_REASONS,
    CaseState,
    FollowUpCase,
    RatingLevel,
    Ticket,
)


class RatingCommands(EngineBase):
    """The citizen's rating, the follow-up of a bad one, and device health."""

    def rate(
        self, *, ticket: str, level: int, reasons: Iterable[str] = (), comment: str = ""
    ) -> Outcome:
        """好差评: one rating per finished ticket; a bad one opens a follow-up case."""
        now = self._now()
        t = self._ticket(ticket)
        try:
            lv = RatingLevel(level)
        except ValueError as e:
            raise E.BadRating(f"level {level!r}") from e
        lifecycle.check(t, Command.RATE)
        if t.rated:
            raise E.AlreadyRated(t.number)
        rs = list(reasons)
        for r in rs:
            if r not in BAD_RATING_REASONS:
                raise E.BadRating(f"reason {r!r}")
        self._move(t, Command.RATE)
        t.rated = True
        self._touch(t)
        self._emit(now, EV.RatingGiven(ticket=t.id, number=t.number, queue=t.queue,
                                       window=t.window, clerk=t.clerk, level=int(lv),
                                       reasons=rs))  # fmt: skip
        case_id = None
        if lv.bad:
            case_id = self._open_case(t, lv, rs, comment, now)
        return self._done({"ticket": t.id, "level": int(lv), "case": case_id})

    def _open_case(
        self, t: Ticket, lv: RatingLevel, rs: list[str], comment: str, now: datetime
    ) -> str:
        h, fu = self.layout.hours, self.layout.follow_up
        c = FollowUpCase(
            id=f"FU-{t.id}", ticket=t.id, window=t.window or 0, clerk=t.clerk, level=int(lv),
            reasons=rs, comment=comment, opened_at=now,
            contact_due=h.add_working_days(now.date(), fu.contact_days),
            rectify_due=h.add_working_days(now.date(), fu.rectify_days),
            complex_due=h.add_working_days(now.date(), fu.complex_days),
        )  # fmt: skip
        self.cases[c.id] = c
        self._touch(c)
        # A deadline past the official calendar's years is counted by weekdays: say so.
        warning = h.calendar_warning(c.contact_due, c.rectify_due, c.complex_due)
        self._emit(now, EV.FollowUpOpened(case=c.to_dict(), calendar_warning=warning))
        return c.id

    _CASE_MOVES: ClassVar[dict[str, tuple[set[CaseState], CaseState | None]]] = {
        "contact": ({CaseState.OPEN}, CaseState.CONTACTED),
        "complex": ({CaseState.OPEN, CaseState.CONTACTED}, None),
        "rectify": ({CaseState.OPEN, CaseState.CONTACTED}, CaseState.RECTIFIED),
        "close": ({CaseState.RECTIFIED}, CaseState.CLOSED),
    }

    # The citizen's answer to the feedback (回复满意率, [C] 三(二)3: “实名差评回访整改率和
    # 回复满意率要达到100%”), recorded with the rectification or the closing.
    ANSWERS: ClassVar[dict[str, str]] = {"satisfied": "满意", "unsatisfied": "不满意"}

    def follow_up(
        self, *, case: str, action: str, by: str, note: str = "", answer: str = ""
    ) -> Outcome:
        """Record contact, mark complex, record rectification, or close a case; with
        rectify or close, optionally the citizen's answer (satisfied / unsatisfied)."""
        now = self._now()
        c = self.cases.get(case)
        if c is None:
            raise E.NoSuchCase(case)
        if action not in self._CASE_MOVES:
            raise E.BadRequest(f"unknown follow-up action {action!r}")
        if answer and (answer not in self.ANSWERS or action not in ("rectify", "close")):
            raise E.BadRequest(f"answer {answer!r}: satisfied/unsatisfied, with rectify or close")
        allowed, to = self._CASE_MOVES[action]
        if c.state not in allowed:
            raise E.BadState(f"{case} {c.state.value}", state=c.state.value)
        if action == "complex":
            c.complex = True
        elif to is not None:
            c.state = to
        act: dict[str, str] = {"at": now.isoformat(), "action": action, "by": by, "note": note}
        if answer:
            act["answer"] = answer
        c.actions.append(act)
        self._touch(c)
        self._emit(now, EV.FollowUpUpdated(case=c.to_dict()))
        return self._done({"case": c.to_dict()})

    # ---------------------------------------------------------------- devices

    HEALTH_STATES: ClassVar[frozenset[str]] = frozenset({"ok", "degraded", "offline", "unknown"})

    def report_health(
        self, *, device: str, role: str, parts: Mapping[str, Mapping[str, str]]
    ) -> Outcome:
        """A device reports its parts' health; a change becomes a `device.health` event."""
        now = self._now()
        clean: dict[str, dict[str, str]] = {}
        for part, h in parts.items():
            state = h.get("state", "")
            if state not in self.HEALTH_STATES:
                raise E.BadRequest(f"{part}: state {state!r} is not ok/degraded/offline/unknown")
            clean[str(part)[:40]] = {"state": state, "reason": str(h.get("reason", ""))[:200],
                                     "code": str(h.get("code", ""))[:40]}  # fmt: skip
        self.device_health[device] = clean
        self._health_role[device] = role
        self._tell_health(device, now)
        return self._done({"device": device})

    #: a device's health changes are told (a `device.health` event, kept for good) as they
    #: come, HEALTH_BURST in a row, then one per HEALTH_HOLD: a printer flapping between
    #: 正常 and 缺纸 wrote an event per report (issue 18: 15,688 flips, 15,688 events). A
    #: held change is told, in its latest state, by `flush_health` once the hold is over.
    HEALTH_HOLD: ClassVar[timedelta] = timedelta(seconds=10)
    HEALTH_BURST: ClassVar[float] = 5.0

    def _health_due(self, device: str, now: datetime) -> float:
        """0 when the device's health is as last told; else the events it may tell now."""
        parts = self.device_health[device]
        told, tokens, at = self._health_told.get(device, (None, self.HEALTH_BURST, now))
        if told == parts:
            return 0.0
        return min(self.HEALTH_BURST, tokens + max(0.0, (now - at) / self.HEALTH_HOLD))

    def _tell_health(self, device: str, now: datetime) -> None:
        tokens = self._health_due(device, now)
        if tokens < 1.0:
            return  # nothing new (a repeated report appends nothing), or held
        parts = self.device_health[device]
        self._health_told[device] = (parts, tokens - 1.0, now)
        self._emit(now, EV.DeviceHealth(device=device, role=self._health_role[device],
                                        parts=parts))  # fmt: skip

    def health_held(self) -> bool:
        """Whether a held health change may be told now (`flush_health`)."""
        now = self.clock()
        return any(self._health_due(d, now) >= 1.0 for d in self.device_health)

    def flush_health(self) -> Outcome:
        """Tell the held health changes whose hold is over (the hub asks every second)."""
        now = self._now()
        for device in list(self.device_health):
            self._tell_health(device, now)
        return self._done({})
