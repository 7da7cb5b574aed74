"""Row conversion of the model's records: the exact dicts the store saves and the hub sends."""

from __future__ import annotations

from datetime import date, datetime

from hall.core.model import (
    FollowUpCase,
    PriorityClass,
    Ticket,
    TicketState,
    WindowState,
    WindowStatus,
)


def test_a_ticket_converts_field_by_field_in_order() -> None:
    t = Ticket(
        id="2026-11-26-A007", number="A007", queue="G", day=date(2026, 11, 26),
        issued_at=datetime(2026, 11, 26, 9, 5, 0, 7),
        enqueued_at=datetime(2026, 11, 26, 9, 5),
        priority=PriorityClass.GREEN, state=TicketState.CALLED, window=3,
        estimate=4.5, history=[{"at": "2026-11-26T09:05:00", "what": "issued", "n": [1, 2]}],
    )  # fmt: skip
    d = t.to_dict()
    assert list(d)[:6] == ["id", "number", "queue", "day", "issued_at", "enqueued_at"]
    assert d["day"] == "2026-11-26"
    assert d["issued_at"] == "2026-11-26T09:05:00.000007"  # as datetime.isoformat()
    assert d["enqueued_at"] == "2026-11-26T09:05:00"
    assert d["priority"] == "green" and d["state"] == "called"
    assert d["window"] == 3 and d["called_at"] is None and d["rated"] is False
    assert d["estimate"] == 4.5
    assert d["history"] == [{"at": "2026-11-26T09:05:00", "what": "issued", "n": [1, 2]}]
    assert d["history"] is not t.history  # a copy: later changes do not leak into it
    assert Ticket.from_dict(d) == t


def test_rows_hold_nested_values_as_json_text() -> None:
    w = WindowStatus(number=9, state=WindowState.OPEN, profile={"M": 1.0, "G": 0.5},
                     posts={"A": {"staff_no": "0901", "name": "王小明"}})  # fmt: skip
    row = w.to_row()
    assert row["state"] == "open"
    assert row["profile"] == '{"M": 1.0, "G": 0.5}'
    assert row["posts"] == '{"A": {"staff_no": "0901", "name": "王小明"}}'
    assert WindowStatus.from_dict(row) == w
    c = FollowUpCase(id="c1", ticket="t1", window=9, clerk=None, level=1, reasons=["态度"],
                     comment="", opened_at=datetime(2026, 11, 26, 10, 0),
                     contact_due=date(2026, 11, 27), rectify_due=date(2026, 11, 30),
                     complex_due=date(2026, 12, 15))  # fmt: skip
    assert FollowUpCase.from_dict(c.to_row()) == c
