"""The gateway's link runs HubClient methods on its sender thread: passed as methods, so a
typo is a type checker's error, not a name looked up at run time (no getattr dispatch)."""

from __future__ import annotations

from hall.client import HubClient
from hall.server.hub import Hub
from hall.web.link import HubLink


def test_the_link_runs_a_hubclient_method_and_hands_back_its_value(hall_hub: Hub) -> None:
    with HubClient(hall_hub.endpoint, device="kiosk-1") as kiosk:
        token = kiosk.issue("G")["ticket"]["token"]
    link = HubLink(hall_hub.endpoint).start()
    try:
        status = link.call(HubClient.ticket_status, [token]).result(timeout=10)
        assert status["tickets"][token]["state"] == "waiting"
        unknown = link.call(HubClient.ticket_status, ["no-such-token"]).result(timeout=10)
        assert unknown["tickets"]["no-such-token"] is None
    finally:
        link.stop()
