"""An event's data is encoded once, by the store, and the hub publishes those bytes as they
are: what a display receives holds the events table's `data` byte for byte."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hall.client import HubClient
from hall.core import events as EV
from hall.server.hub import Hub


def test_the_hub_publishes_the_bytes_the_store_encoded(
    hub: Hub, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[bytes] = []
    real = EV.encode_data

    def counted(data: Any) -> bytes:
        out = real(data)
        encoded.append(out)
        return out

    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        kiosk.hello()
        sub = kiosk._subscriber(("board",))
        time.sleep(0.3)  # the subscription reaches the hub before the event
        monkeypatch.setattr(EV, "encode_data", counted)
        ticket = kiosk.issue("G")["ticket"]
        monkeypatch.setattr(EV, "encode_data", real)
        body = b""
        end = time.monotonic() + 5
        while time.monotonic() < end and b'"ticket.issued"' not in body:
            if sub.poll(200):
                body = sub.recv_multipart()[1]
        sub.close(linger=0)
    assert b'"ticket.issued"' in body, "no ticket.issued on the board stream"
    with closing(sqlite3.connect(db)) as c:
        (saved,) = c.execute(
            "SELECT data FROM events WHERE type = 'ticket.issued' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert encoded == [saved.encode()]  # one event, encoded once, by the store
    sent = msgspec.json.decode(body, type=dict[str, msgspec.Raw])["data"]
    assert bytes(sent) == saved.encode()  # published as saved, not decoded and encoded again
    assert msgspec.json.decode(saved)["ticket"]["number"] == ticket["number"]


def test_the_hub_publishes_what_the_store_returned_without_re_encoding(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """msgspec writes the same bytes for the same value, so equal bytes cannot tell
    "published as saved" from "decoded and encoded again" on the way. Here the store hands
    the hub its events' bytes with a space no encoder writes: only bytes passed on as they
    are keep it."""
    assert hub.store is not None
    real = hub.store.save

    def spaced(outcome: Any, **kw: Any) -> list[EV.Event]:
        return [replace(ev, encoded=b"{ " + ev.encoded[1:]) for ev in real(outcome, **kw)]

    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        kiosk.hello()
        sub = kiosk._subscriber(("board",))
        end = time.monotonic() + 5
        body = b""
        monkeypatch.setattr(hub.store, "save", spaced)
        while time.monotonic() < end and b'"ticket.issued"' not in body:
            kiosk.issue("G")  # until the subscription has reached the hub
            if sub.poll(300):
                body = sub.recv_multipart()[1]
        sub.close(linger=0)
    assert b'"ticket.issued"' in body, "no ticket.issued on the board stream"
    sent = bytes(msgspec.json.decode(body, type=dict[str, msgspec.Raw])["data"])
    assert sent.startswith(b'{ "'), sent[:40]
