"""From an issued ticket (the hub's reply) to what the paper shows. Shared by the kiosk and the demo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.printer.ticket import TicketPrint
from hall.layout import Layout


def floor_area_text(layout: Layout, queue_id: str) -> str:
    """ "请到二楼市场监管区等候"."""
    q = layout.queues[queue_id]
    return f"请到{q.area}等候"


def ticket_print(
    layout: Layout, issued: dict[str, Any], item_name: str | None = None
) -> TicketPrint:
    """Build the printed ticket from an `issue` reply value (no person data is ever printed)."""
    t = issued["ticket"]
    q = layout.queues[t["queue"]]
    return TicketPrint(
        hall_name=layout.name,
        number=t["number"],
        queue_name=q.name,
        item_name=item_name if item_name and item_name != q.name else "",
        floor_area_text=floor_area_text(layout, q.id),
        people_ahead=int(issued.get("ahead", 0)),
        wait_text=str(issued.get("estimate_text", "")),
        issued_at=datetime.fromisoformat(t["issued_at"]),
        qr_payload=t["id"],
        english_number_label="Your number",
        english_lines=(f"{q.name_en}: please wait in the {q.area_en}.",),
    )
