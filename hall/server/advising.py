"""The hub's advisor runner: every `[advisor] every_minutes` of the hall's clock it runs the
rebalancing advisor (hall.core.advisor.run_once, as `hall simulate` does), publishes each new
proposal as a staff `advisor.proposal` event and, when the layout says `auto_apply`, applies
it (set_profile by "advisor": at the window's next call). Commands go through the hub's own
save-then-publish path, given as `command(name, fn)`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from hall.core import advisor
from hall.core import errors as E
from hall.core import events as EV
from hall.core.engine import Engine, Outcome
from hall.core.events import Event
from hall.core.layout import Layout

log = logging.getLogger("hall.hub")

#: how the runner saves and publishes a command: command(name, fn)
Command = Callable[[str, Callable[[], Outcome]], None]


class AdvisorRunner:
    def __init__(self, layout: Layout) -> None:
        self.auto_apply = layout.advisor.auto_apply
        self.config = advisor.config_for(layout)
        self.memory = advisor.Memory()
        self._proposed: dict[int, dict[str, float]] = {}  # window -> last published profile

    def note_move(self, ev: Event, now: datetime) -> None:
        """A window's profile changed (committed), whoever did it — a manager's move starts
        the advisor's hold for that window as its own moves do (at most one move per
        `hold_minutes`), and a proposal the manager took is not proposed again."""
        if not isinstance(ev.data, EV.WindowProfileChanged):
            return
        n = ev.data.window
        self.memory.last_moved[n] = now
        self._proposed.pop(n, None)

    def run(self, eng: Engine, command: Command) -> list[advisor.Proposal]:
        """One round: the proposals published (and applied, with auto_apply)."""
        try:
            props = advisor.run_once(eng, self.memory, self.config)
        except Exception:  # a bug in the advisor must never stop the hall
            log.exception("advisor failed")
            return []
        out = []
        for p in props:
            if not self.auto_apply and self._proposed.get(p.window) == p.profile:
                continue  # already proposed; the manager has it on the console
            self._proposed[p.window] = dict(p.profile)
            out.append(p)
            data = p.to_data()
            try:
                command("advisor.proposal", lambda d=data: eng.propose(proposal=d))  # type: ignore[misc]
            except E.HallError as e:
                log.warning("advisor proposal %s refused: %s", p.id, e)
                continue
            if self.auto_apply:
                try:
                    command(
                        "set_profile",
                        lambda p=p: eng.set_profile(  # type: ignore[misc]
                            window=p.window, profile=p.profile, by="advisor", reason=p.reason
                        ),
                    )
                except E.HallError as e:
                    log.warning("advisor proposal %s not applied: %s", p.id, e)
                    continue
        return out
