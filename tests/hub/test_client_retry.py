"""After HubUnavailable a command may or may not have been applied: `retry_last` finds out
without applying it twice."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from hall.client import HubClient, HubUnavailable
from hall.core.layout import Layout
from tests.hubs import HubProcess

pytestmark = pytest.mark.slow


def test_retry_last_after_the_hub_was_silent_makes_one_ticket(hub_proc: HubProcess) -> None:
    with HubClient(hub_proc.endpoint, device="kiosk-1", timeout=0.3, retries=1) as kiosk:
        kiosk.hello()
        hub_proc.signal(signal.SIGSTOP)  # the request waits in the hub's socket meanwhile
        try:
            with pytest.raises(HubUnavailable):
                kiosk.issue("G")
        finally:
            hub_proc.signal(signal.SIGCONT)
        time.sleep(0.5)  # the hub applies it now; its reply has nobody to go to
        first = kiosk.retry_last(timeout=2.0)["ticket"]
        assert kiosk.retry_last(timeout=2.0)["ticket"] == first
        assert first["number"] == "A001"
        # the next citizen's ticket: nothing was issued twice
        assert kiosk.issue("G")["ticket"]["number"] == "A002"


def test_retry_last_before_any_request_says_so() -> None:
    with HubClient("tcp://127.0.0.1:9", device="kiosk-1") as kiosk, pytest.raises(RuntimeError):
        kiosk.retry_last()


def test_retry_last_is_the_command_not_the_hello_or_a_snapshot_on_the_way(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    # A fresh client's issue() says hello first; when that hello met silence, retry_last()
    # sent the hello again and returned the welcome instead of a ticket.
    from hall.net.sockets import free_hub_port
    from tests.hubs import start_hub

    endpoint = f"tcp://127.0.0.1:{free_hub_port()}"
    with HubClient(endpoint, device="kiosk-1", timeout=0.3, retries=1) as kiosk:
        with pytest.raises(HubUnavailable):
            kiosk.issue("G")  # nobody there yet
        hub = start_hub(layout, items, tmp_path / "hall.db", bind=endpoint)
        try:
            first = kiosk.retry_last(timeout=2.0)["ticket"]
            kiosk.snapshot()
            assert kiosk.retry_last(timeout=2.0)["ticket"] == first
            assert first["number"] == "A001"
        finally:
            hub.stop()


def test_a_hub_answering_slower_than_the_timeout_is_heard_on_the_first_connection(
    hub_proc: HubProcess,
) -> None:
    # Each retry used to close the connection the answer was coming back on: a hub that
    # answers every request 0.8 s late never got through to a client waiting 0.3 s a try.
    from tests.slownet import SlowProxy

    with SlowProxy(hub_proc.port) as slow:
        with HubClient(slow.endpoint, device="kiosk-1", timeout=0.3, retries=4) as kiosk:
            kiosk.hello()  # connected before the hub slows down
            slow.delay = 0.8
            first = kiosk.issue("G")["ticket"]
            assert first["number"] == "A001"
            slow.delay = 0.0
        with HubClient(hub_proc.endpoint, device="kiosk-2", timeout=2.0) as other:
            assert other.issue("G")["ticket"]["number"] == "A002"  # made once, not per copy
