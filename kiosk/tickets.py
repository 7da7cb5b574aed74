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


@dataclass(frozen=True)
class StatusView:
    """A scanned ticket's QR at the kiosk: how the ticket stands, in one headline and one
    line of detail, each in both languages (never its token)."""

    number: str
    queue_name: str
    queue_name_en: str
    state: str
    headline: str
    headline_en: str
    detail: str
    detail_en: str
    to_desk: bool = False  # the citizen is sent to the service desk


def _floor_of_window(layout: dict[str, Any], status: dict[str, Any]) -> tuple[str, str]:
    fid = status.get("window_floor")
    if not fid:
        return "", ""
    f = _floor(layout, str(fid))
    return str(f["name"]), str(f.get("name_en", f["name"]))


def status_view(layout: dict[str, Any], status: dict[str, Any]) -> StatusView:
    """The kiosk's words for a ticket's status (the hub's ``ticket_status`` value, as the
    web gateway's ticket page shows it): where it stands, or which window to go to. A
    missed ticket is checked in again by the kiosk (it never gets here); a parked one waits
    for its window's call back, and the service desk helps."""
    q = _queue(layout, str(status.get("queue", "")))
    number = str(status.get("number", ""))
    state = str(status.get("state", ""))
    window = status.get("window")
    floor, floor_en = _floor_of_window(layout, status)
    to_desk = False
    if state in ("waiting", "transferred"):
        ahead = int(status.get("ahead") or 0)
        lo, hi = (status.get("wait_min") or [0, 0])[:2]
        head, head_en = f"{number}号正在等候", f"{number} is waiting"
        if hi and int(hi) > 1:
            wait, wait_en = f"约{lo}–{hi}分钟", f"about {lo}–{hi} min"
        else:
            wait, wait_en = "即将叫号", "called soon"
        detail = f"前面还有 {ahead} 人 · 预计等候 {wait} · 请到{q.get('area', '')}等候"
        detail_en = f"{ahead} ahead of you · estimated wait {wait_en} · please wait in the " + str(
            q.get("area_en", "")
        )
    elif state in ("called", "serving"):
        head, head_en = f"请到 {window} 号窗口", f"Please go to window {window}"
        where = f"（{floor}）" if floor else ""
        where_en = f" ({floor_en})" if floor_en else ""
        if state == "called":
            detail, detail_en = f"{number}号已叫到{where}", f"{number} has been called{where_en}"
        else:
            detail, detail_en = f"{number}号正在办理{where}", f"{number} is being served{where_en}"
    elif state == "parked":
        to_desk = True
        head, head_en = f"{number}号已挂起", f"{number} is on hold"
        detail = f"请留意{window}号窗口回叫；如有疑问，请到服务台"
        detail_en = f"Wait for window {window} to call you back; the service desk can help"
    elif state == "finished":
        head, head_en = f"{number}号已办结", f"{number} is finished"
        detail = "感谢您的耐心等候，可用手机扫描号票二维码评价"
        detail_en = "Thank you for waiting; rate the service by scanning the ticket with a phone"
    elif state == "no_show":  # the kiosk checks it in again instead; shown if that fails
        to_desk = True
        head, head_en = f"{number}号已过号", f"{number} was missed"
        detail, detail_en = "请到服务台重新签到", "Please check in again at the service desk"
    else:  # cancelled, expired
        head, head_en = f"{number}号已作废", f"{number} is no longer valid"
        detail, detail_en = "如需办理，请重新取号", "Please take a new ticket"
    return StatusView(number=number, queue_name=str(q["name"]),
                      queue_name_en=str(q.get("name_en", q["name"])), state=state,
                      headline=head, headline_en=head_en, detail=detail, detail_en=detail_en,
                      to_desk=to_desk)  # fmt: skip
