"""Window commands: open, close, pause, resume, sign in and out, serving profiles."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from hall.core import errors as E
from hall.core import events as EV
from hall.core.engine.base import EngineBase, Outcome
from hall.core.layout import PROFILE_WEIGHT_MAX, PROFILE_WEIGHT_MIN
from hall.core.model import (
    Clerk,
    WindowState,
    WindowStatus,
)


class WindowCommands(EngineBase):
    """Commands on a window itself (not on the citizen at it)."""

    def open_window(self, *, window: int) -> Outcome:
        now = self._now()
        w = self._window(window)
        if w.state is not WindowState.CLOSED:
            raise E.WindowNotClosed(f"window {window} is {w.state.value}")
        return self._window_changed(w, now, state=WindowState.OPEN)

    def close_window(self, *, window: int) -> Outcome:
        now = self._now()
        w = self._window(window)
        if w.current is not None or w.parked:
            raise E.WindowBusy(self.tickets[w.current].number if w.current else w.parked[0])
        return self._window_changed(w, now, state=WindowState.CLOSED)

    def pause(self, *, window: int, reason: str = "") -> Outcome:
        """Pause a window (never in the middle of a service)."""
        now = self._now()
        w = self._window(window)
        if w.state is not WindowState.OPEN:
            raise E.WindowClosed(str(window))
        if w.current is not None:
            raise E.WindowBusy(self.tickets[w.current].number)
        w.pause_reason, w.paused_at = reason, now
        return self._window_changed(w, now, state=WindowState.PAUSED)

    def resume(self, *, window: int) -> Outcome:
        now = self._now()
        w = self._window(window)
        if w.state is not WindowState.PAUSED:
            raise E.WindowNotPaused(f"window {window}")
        w.pause_reason, w.paused_at = "", None
        return self._window_changed(w, now, state=WindowState.OPEN)

    def sign_in(self, *, window: int, post: str, staff_no: str, name: str) -> Outcome:
        """A clerk takes the A or B post of a window and becomes its active clerk."""
        now = self._now()
        w = self._window(window)
        if post not in ("A", "B"):
            raise E.BadPost(f"post {post!r}")
        if not staff_no.strip() or not name.strip():
            raise E.StaffRequired()
        if w.current is not None and w.active_post not in (None, post):
            raise E.WindowBusy(self.tickets[w.current].number)
        w.posts[post] = Clerk(staff_no.strip(), name.strip(), now).to_dict()
        w.active_post = post
        self._emit(now, EV.ClerkSignedIn(window=window, post=post, staff_no=staff_no.strip(),
                                         name=name.strip()))  # fmt: skip
        return self._window_changed(w, now)

    def sign_out(self, *, window: int, post: str) -> Outcome:
        now = self._now()
        w = self._window(window)
        if post not in w.posts:
            raise E.PostNotSignedIn(f"window {window} post {post}")
        if w.active_post == post and w.current is not None:
            raise E.WindowBusy(self.tickets[w.current].number)
        staff_no = w.posts.pop(post)["staff_no"]
        if w.active_post == post:
            w.active_post = next(iter(w.posts), None)
        self._emit(now, EV.ClerkSignedOut(window=window, post=post, staff_no=staff_no))
        return self._window_changed(w, now)

    def set_profile(
        self, *, window: int, profile: Mapping[str, float], by: str = "", reason: str = ""
    ) -> Outcome:
        """Rebalancing: which queues a window calls from, within its skills. Takes effect at
        the window's next call; a service in progress is never interrupted."""
        now = self._now()
        w = self._window(window)
        skills = self.layout.windows[window].skills
        if not profile:
            raise E.QueueRequired()
        for q, weight in profile.items():
            if q not in self.layout.queues:
                raise E.UnknownQueue(q)
            if q not in skills:
                raise E.NotInSkills(q)
            if not PROFILE_WEIGHT_MIN <= weight <= PROFILE_WEIGHT_MAX:  # NaN fails too
                raise E.BadWeight(
                    f"weight between {PROFILE_WEIGHT_MIN:g} and {PROFILE_WEIGHT_MAX:g}: {q}={weight}"
                )
        old = dict(w.profile)
        w.profile = {q: float(x) for q, x in profile.items()}
        self._emit(now, EV.WindowProfileChanged(window=window, old=old, new=w.profile, by=by,
                                                reason=reason))  # fmt: skip
        return self._window_changed(w, now)

    def propose(self, *, proposal: Mapping[str, Any]) -> Outcome:
        """The rebalancing advisor's proposal (hall.core.advisor.Proposal.to_data()) for the
        manager console: only an `advisor.proposal` event on the staff stream, no state."""
        now = self._now()
        try:
            data = msgspec.convert(dict(proposal), EV.AdvisorProposal)
        except msgspec.ValidationError as e:
            raise E.BadRequest(f"advisor proposal: {e}") from e
        self._window(data.window)
        self._emit(now, data)
        return self._done({"id": data.id, "window": data.window})

    def _window_changed(
        self, w: WindowStatus, now: datetime, state: WindowState | None = None
    ) -> Outcome:
        if state is not None:
            w.state = state
        w.changed_at = now
        self._touch(w)
        self._emit(now, EV.WindowChanged(window=self.window_public(w)))
        return self._done({"window": w.to_dict()})

    def window_public(self, w: WindowStatus) -> dict[str, Any]:
        clerk = w.clerk
        cur = self.tickets.get(w.current) if w.current else None
        return {
            "number": w.number, "state": w.state.value, "profile": w.profile,
            "current": cur.number if cur else None,
            "current_state": cur.state.value if cur else None,
            "clerk": {"post": w.active_post, "staff_no": clerk.staff_no, "name": clerk.name}
            if clerk else None,
            "pause_reason": w.pause_reason,
        }  # fmt: skip
