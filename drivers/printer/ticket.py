"""What goes on a paper queue ticket: the one record the layout, the printer and the simulator share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket, already worded for the citizen.

    There is deliberately no ID-number or name field: a ticket is left on
    seats and in bins, so it carries nothing that identifies the person.
    ``qr_payload`` is the ticket's page on the hall's web gateway ({public-url}/t/{token}), or
    the ticket id when the hall has none.
    """

    hall_name: str  # 某某市政务服务中心
    number: str  # "A023"
    queue_name: str  # 综合受理
    item_name: str  # 企业开办
    floor_area_text: str  # 请到二楼市场监管区等候
    people_ahead: int
    wait_text: str  # a range, never a promise: "约10–20分钟"
    issued_at: datetime
    qr_payload: str  # the ticket's web page, or its id
    note: str = "请留意叫号，过号请到服务台"
    english_number_label: str = ""  # e.g. "Your number"
    english_lines: tuple[str, ...] = ()  # e.g. ("Please wait on floor 2, area B.",)

    def __post_init__(self) -> None:
        if not self.number:
            raise ValueError("a ticket needs a number")
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, got {self.people_ahead}")
        if not self.qr_payload:
            raise ValueError("a ticket needs a QR payload (the ticket id)")
