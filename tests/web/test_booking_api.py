"""Online booking through `hall web` against a real hub: slots, booking with the ID number
checked and kept only as the hall's keyed hash, refusals, cancelling, checking in by code."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx

from hall.client import HubClient
from hall.core.idnumber import make_id_number
from hall.server.hub import Hub
from hall.web.server import WebServer

IDN = make_id_number("50010519850501923")
TOMORROW = "2026-11-27"  # the hall's clock reads Thursday 2026-11-26 09:30


def book(web: WebServer, **kw: str) -> httpx.Response:
    body = {"queue": "G", "date": TOMORROW, "slot": "10:00", "id_number": IDN, "name": "李四"}
    return httpx.post(f"{web.url}/api/bookings", json={**body, **kw})


def test_slots_book_cancel(web: WebServer, hall_hub: Hub, tmp_path: Path) -> None:
    r = httpx.get(f"{web.url}/api/slots", params={"queue": "G", "date": TOMORROW})
    assert r.status_code == 200
    slots = {s["slot"]: s["left"] for s in r.json()["slots"]}
    assert slots["10:00"] == 3 and "08:45" not in slots
    r = book(web)
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", code)
    assert r.json()["slot"] == "2026-11-27T10:00:00"
    again = httpx.get(f"{web.url}/api/slots", params={"queue": "G", "date": TOMORROW}).json()
    assert {s["slot"]: s["left"] for s in again["slots"]}["10:00"] == 2
    # one per person, queue and day
    r = book(web, slot="11:00")
    assert r.status_code == 409 and r.json()["error"] == "booking_exists"
    # the ID number is stored only as the hall's keyed hash
    hall_hub.stop()
    db = hall_hub.db_path
    with sqlite3.connect(db) as c:
        dump = "\n".join(c.iterdump())
    assert IDN not in dump and IDN[-4:] + "'" not in dump and "李四" not in dump
    (person_hash,) = sqlite3.connect(db).execute("SELECT person_hash FROM appointments").fetchone()
    assert len(person_hash) >= 32


def test_refusals_are_polite(web: WebServer) -> None:
    cases = {
        "slot_full": None,
        "not_bookable": [dict(date="2026-11-28"), dict(date="2026-11-26", slot="09:00"),
                         dict(slot="08:30"), dict(slot="10:05"), dict(queue="O")],
        "bad_id_number": [dict(id_number=IDN[:-1] + ("0" if IDN[-1] != "0" else "1"))],
        "bad_request": [dict(slot="10:00+08:00")],  # the hall's local time has no zone
    }  # fmt: skip
    for err, variants in cases.items():
        for v in variants or []:
            r = book(web, **v)
            assert r.status_code == 400, (v, r.text)
            assert r.json()["error"] == err and r.json()["message"]
            assert IDN not in r.text
    for n in range(3):  # fill 14:00
        idn = make_id_number(f"50010519850501{n}23")
        assert book(web, slot="14:00", id_number=idn).status_code == 200
    r = book(web, slot="14:00")
    assert r.status_code == 409 and r.json()["error"] == "slot_full"
    assert httpx.post(f"{web.url}/api/bookings", content=b"[1]").status_code == 400
    assert book(web, date="27/11/2026").status_code == 400
    r = httpx.get(f"{web.url}/api/slots", params={"queue": "nosuch", "date": TOMORROW})
    assert r.status_code == 400


def test_cancel_by_code(web: WebServer) -> None:
    code = book(web).json()["code"]
    assert httpx.delete(f"{web.url}/api/bookings/ZZZZ2222").status_code == 404
    assert httpx.delete(f"{web.url}/api/bookings/x").status_code == 404
    r = httpx.delete(f"{web.url}/api/bookings/{code.lower()}")
    assert r.status_code == 200 and r.json()["cancelled"]
    assert httpx.delete(f"{web.url}/api/bookings/{code}").status_code == 404
    assert book(web).status_code == 200  # the person may book again


def test_bookings_are_limited_per_address(hall_hub: Hub) -> None:
    s = WebServer(hall_hub.endpoint, port=0, bookings_per_minute=2).start()
    try:
        codes = [book(s, slot=f"1{n}:00").status_code for n in range(4)]
        assert codes[:2] == [200, 409] and codes[2:] == [429, 429]
    finally:
        s.stop()


def test_check_in_at_the_kiosk_with_the_code(web: WebServer, hall_hub: Hub) -> None:
    code = book(web, date="2026-11-26", slot="09:45").json()["code"]
    with HubClient(hall_hub.endpoint, device="kiosk-1") as kiosk:
        t = kiosk.check_in(code=code)["ticket"]
    assert (t["queue"], t["channel"], t["priority"]) == ("G", "appointment", "appointment")
    assert not t["id_masked"] and not t["name_masked"]  # no card, no person data
