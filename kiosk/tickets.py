"""From the hub's `issue` reply to what the citizen sees: the paper ticket and the same on screen.

The kiosk knows the hall only from the public layout in the hub's welcome (a
plain dict, see `hall.core.public`), not from `hall.core.layout.Layout`, so it builds its
`TicketPrint` here; the demo's crowd prints through the same functions, so every
ticket reads the same. Pure functions, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from drivers.printer.ticket import TicketPrint


@dataclass(frozen=True)
class TicketView:
    """One issued ticket as the confirmation screen shows it: the same facts as the paper."""

    number: str
    ticket_id: str
    queue_name: str
    queue_name_en: str
    item_name: str
    floor_name: str
    floor_name_en: str
    area: str
    area_en: str
    ahead: int
    wait_text: str
    wait_text_en: str
    green: bool  # the hub gave it green-channel priority (age from the card)
    issued_at: datetime
    token: str = ""  # the ticket's token (hall web): its QR leads to the ticket's page

    def qr_payload(self, public_url: str) -> str:
        """What the ticket's QR holds: its page on the hall's web gateway when the hall has
        one (`[web] public_url`), else the ticket id."""
        if public_url and self.token:
            return f"{public_url.rstrip('/')}/t/{self.token}"
        return self.ticket_id

    @property
    def where_text(self) -> str:
        """ "请到二楼市场监管区等候" — the same sentence the paper carries."""
        return f"请到{self.area}等候"

    @property
    def where_text_en(self) -> str:
        return f"Please wait in the {self.area_en}."


def _queue(layout: dict[str, Any], qid: str) -> dict[str, Any]:
    for q in layout.get("queues", []):
        if q["id"] == qid:
            return dict(q)
    return {"id": qid, "name": qid, "name_en": qid, "floor": "", "area": "", "area_en": ""}


def _floor(layout: dict[str, Any], fid: str) -> dict[str, Any]:
    for f in layout.get("floors", []):
        if f["id"] == fid:
            return dict(f)
    return {"id": fid, "name": fid, "name_en": fid}


def ticket_view(layout: dict[str, Any], issued: dict[str, Any], item_name: str = "") -> TicketView:
    """The confirmation screen's ticket from an `issue` (or check-in) reply value."""
    t = issued["ticket"]
    q = _queue(layout, t["queue"])
    f = _floor(layout, q.get("floor", ""))
    return TicketView(
        number=t["number"],
        ticket_id=t["id"],
        queue_name=q["name"],
        queue_name_en=q.get("name_en", q["name"]),
        item_name=item_name if item_name and item_name != q["name"] else "",
        floor_name=f["name"],
        floor_name_en=f.get("name_en", f["name"]),
        area=q.get("area", ""),
        area_en=q.get("area_en", ""),
        ahead=int(issued.get("ahead", 0)),
        wait_text=str(issued.get("estimate_text", "")),
        wait_text_en=str(issued.get("estimate_text_en", "")),
        green=t.get("priority") == "green",
        issued_at=datetime.fromisoformat(t["issued_at"]),
        token=str(t.get("token") or ""),
    )


def ticket_print(layout: dict[str, Any], view: TicketView) -> TicketPrint:
    """The paper ticket for a confirmed ticket (no person data is ever printed)."""
    return TicketPrint(
        hall_name=str(layout.get("name", "")),
        number=view.number,
        queue_name=view.queue_name,
        item_name=view.item_name,
        floor_area_text=view.where_text,
        people_ahead=view.ahead,
        wait_text=view.wait_text,
        issued_at=view.issued_at,
        qr_payload=view.qr_payload(str(layout.get("web", {}).get("public_url", ""))),
        english_number_label="Your number",
        english_lines=(f"{view.queue_name_en}: please wait in the {view.area_en}.",),
    )


def age_on(birth: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def green_channel(layout: dict[str, Any], birth: date | None, day: date) -> bool:
    """Whether a card holder is old enough for the green channel (the hub decides; we explain)."""
    age = layout.get("priority", {}).get("green_channel_age")
    return birth is not None and isinstance(age, int) and age > 0 and age_on(birth, day) >= age


def wait_text_en(figures: dict[str, Any]) -> str:
    """English for a queue's estimate from its heartbeat figures ([low, high] minutes)."""
    if figures.get("estimate_text_en"):
        return str(figures["estimate_text_en"])
    est = figures.get("estimate")
    if not est or len(est) != 2:
        return ""
    low, high = float(est[0]), float(est[1])
    if high < 1:
        return "called soon"
    return f"about {round(low)}–{max(round(high), round(low) + 1)} min"
