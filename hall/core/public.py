"""What every device may know about the hall: names, floors, queues, windows, hours.

Sent in the hub's welcome so an app needs only the hub's address, never the
layout file. Plain data (JSON), no secrets, no person data.
"""

from __future__ import annotations

from typing import Any

from hall.core.layout import Layout


def public_layout(layout: Layout) -> dict[str, Any]:
    """The layout as plain data for apps."""
    return {
        "name": layout.name,
        "name_en": layout.name_en,
        "notice": layout.notice,
        "notice_en": layout.notice_en,
        "floors": [{"id": f.id, "name": f.name, "name_en": f.name_en} for f in layout.floors],
        "queues": [
            {
                "id": q.id,
                "name": q.name,
                "name_en": q.name_en,
                "prefix": q.prefix,
                "floor": q.floor,
                "area": q.area,
                "area_en": q.area_en,
                "domains": list(q.domains),
                "service_minutes": q.service_minutes,
                "booking_per_slot": q.booking_per_slot,
            }
            for q in layout.queues.values()
        ],
        "windows": [
            {
                "number": w.number,
                "floor": w.floor,
                "kind": w.kind.value,
                "kind_label": w.kind.label,
                "name": w.name,
                "skills": list(w.skills),
                "profile": dict(w.profile),
            }
            for w in layout.windows.values()
        ],
        "hours": {
            "sessions": [
                [a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in layout.hours.sessions
            ],
            "issue_until": layout.hours.issue_until.strftime("%H:%M"),
        },
        "priority": {"green_channel_age": layout.priority.green_channel_age},
        "allow_without_card": layout.limits.allow_without_card,
        "no_show_checkin_minutes": layout.no_show.checkin_again_minutes,
        "kiosks": [
            {
                "id": k.id,
                "floor": k.floor,
                "printer": k.printer,
                "id_reader": k.id_reader,
                "card_reader": k.card_reader,
                "paper_width": k.paper_width,
                "guide": k.guide,
                "guide_voice": k.guide_voice,
            }
            for k in layout.kiosks
        ],
        "voice": layout.voice,
        "web": {"public_url": layout.web.public_url, "booking_days": layout.web.booking_days},
    }
