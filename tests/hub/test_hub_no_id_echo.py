"""An ID number sent in the wrong field never comes back in an error, nor stays in the
database's replies (issue 18: "No such queue: 3201…580X" was echoed and stored)."""

from __future__ import annotations

import sqlite3

import pytest

from hall.client import HubClient
from hall.core import errors as E
from hall.core.idnumber import mask_numbers
from hall.server.hub import Hub

IDN = "11010519491231002X"


def test_mask_numbers() -> None:
    assert mask_numbers(f"没有队列：{IDN}。") == "没有队列：1101**********002X。"
    assert mask_numbers("A001 1234567 20261207-A001") == "A001 1234567 20261207-A001"
    # a letter right after it, or the number in groups, is masked too
    assert mask_numbers(f"no queue {IDN}a") == "no queue 1101**********002Xa"
    assert mask_numbers("110105 19491231 002X") == "1101************002X"
    assert mask_numbers("110105-1949-1231-002X.") == "1101*************002X."
    # not an ID number: longer runs, a Unix time in ms, a date and a time
    for text in ("12345678901234567890", "epoch 1765000000000", "2026-12-06 08:12:56,697"):
        assert mask_numbers(text) == text


@pytest.mark.parametrize("field", ["queue", "item"])
def test_an_id_number_in_the_wrong_field_is_not_echoed_or_stored(hub: Hub, field: str) -> None:
    with (
        HubClient(hub.endpoint, device="kiosk-1", timeout=2) as kiosk,
        pytest.raises(E.HallError) as e,
    ):
        kiosk.issue(**{field: IDN})  # type: ignore[arg-type]
    assert IDN not in str(e.value) and IDN[:10] not in str(e.value)
    with sqlite3.connect(hub.db_path) as db:
        stored = " ".join(r[0] for r in db.execute("SELECT reply FROM replies"))
    assert IDN[:10] not in stored  # refusals stay in memory for retries, masked there too
    kept = hub.pipeline.refusals._kept.values()
    assert kept and not any(IDN[:10].encode() in body for body in kept)
