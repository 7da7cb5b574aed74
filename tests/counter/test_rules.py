"""The counter's rules as a plain table, its start-up options, and its English table."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from counter import rules
from counter.app import add_arguments, resolve
from counter.rules import Situation, why_not
from hall.core.engine import lifecycle
from hall.core.engine.lifecycle import Command
from hall.core.model import TicketState

ROOT = Path(__file__).resolve().parents[2]


def at(state: str = "open", cur: str | None = None, parked: int = 0, **kw: bool) -> Situation:
    base = {"online": True, "busy": False, "signed_in": True}
    base.update(kw)
    return Situation(window_state=state, current_state=cur, parked=parked, **base)


def allowed(s: Situation) -> set[str]:
    return {a for a in rules.ACTIONS if not why_not(a, s)}


def test_what_applies_in_each_situation() -> None:
    assert allowed(at("closed")) == {"open", "sign_out"}
    assert allowed(at("open")) == {"call_next", "pause", "close", "sign_out"}
    assert allowed(at("open", parked=1)) == {"call_next", "pause", "call_back", "sign_out"}
    assert allowed(at("open", "called")) == {"recall", "start", "finish", "no_show", "transfer",
                                             "park"}  # fmt: skip
    assert allowed(at("open", "serving")) == {"finish", "transfer", "park"}
    assert allowed(at("paused")) == {"resume", "close", "sign_out"}
    # A service in progress can still end after the manager paused the window.
    assert allowed(at("paused", "serving")) == {"finish", "transfer", "park", "resume"}


@pytest.mark.parametrize(
    ("situation", "sentence"),
    [
        (at(online=False), rules.OFFLINE),
        (at(busy=True), rules.BUSY),
        (at(signed_in=False), rules.NOT_SIGNED_IN),
    ],
)
def test_offline_busy_or_signed_out_refuse_everything(situation: Situation, sentence: str) -> None:
    assert {why_not(a, situation) for a in rules.ACTIONS} == {sentence}


def test_each_refusal_says_why() -> None:
    assert why_not("call_next", at("closed")) == rules.NOT_OPEN
    assert why_not("call_next", at("paused")) == rules.PAUSED
    assert why_not("call_next", at("open", "called")) == rules.HAS_CURRENT
    assert why_not("recall", at("open", "serving")) == rules.NOT_CALLED
    assert why_not("finish", at("open")) == rules.NOTHING_CURRENT
    assert why_not("call_back", at("open")) == rules.NO_PARKED
    assert why_not("close", at("open", parked=2)) == rules.PARKED_LEFT
    assert why_not("resume", at("open")) == rules.NOT_PAUSED
    with pytest.raises(ValueError, match="unknown counter action"):
        why_not("dance", at())


@pytest.mark.parametrize("window", ["open", "paused"])
@pytest.mark.parametrize("ticket", list(TicketState))
def test_ticket_buttons_follow_the_lifecycle_table(ticket: TicketState, window: str) -> None:
    """For a ticket in each state at this window (current when at a window, set aside when
    parked), its buttons are enabled exactly where the engine's table has a move, and a
    paused window greys out just the table's ready-window commands."""
    cur = ticket.value if ticket in lifecycle.AT_WINDOW else None
    s = at(window, cur, parked=int(ticket is TicketState.PARKED))
    on_this_ticket = lifecycle.ON_CURRENT | {Command.CALL_BACK}
    for action in rules.ACTIONS:
        if action not in on_this_ticket:
            continue
        command = Command(action)
        table_says = lifecycle.allows(ticket, command) and not (
            window == "paused" and command in lifecycle.READY_WINDOW
        )
        assert (why_not(action, s) == "") == table_says, (ticket, window, action)


@pytest.mark.parametrize(
    ("argv", "device", "window"),
    [
        ([], "counter-5", 5),
        (["--window", "12"], "counter-12", 12),
        (["--device", "counter-7"], "counter-7", 7),
        (["--window", "6", "--device", "counter-5"], "counter-5", 6),
    ],
)
def test_window_and_device_options(argv: list[str], device: str, window: int) -> None:
    p = argparse.ArgumentParser()
    add_arguments(p)
    args = p.parse_args(argv)
    assert resolve(args) == window
    assert (args.device, args.window) == (device, window)


def test_every_counter_text_has_an_english_translation() -> None:
    table = json.loads((ROOT / "ui/translations/en-counter.json").read_text("utf-8"))
    table.update(json.loads((ROOT / "ui/translations/en.json").read_text("utf-8")))
    sources: set[str] = set()
    for f in (ROOT / "counter").glob("*.py"):
        text = re.sub(r'"""[\s\S]*?"""', "", f.read_text("utf-8"))  # not the docstrings
        sources |= set(re.findall(r'tr\("([^"]+)"\)', text))
        # constants and tables translated where they are shown
        sources |= {
            s for s in re.findall(r'"([^"]*[\u4e00-\u9fff][^"]*)"', text) if "{" not in s[:1]
        }
    sources -= {"：", "（", "）"}
    missing = sorted(s for s in sources if s not in table and not s.startswith(("（", "：")))
    assert not missing, f"add to ui/translations/en-counter.json: {missing}"
