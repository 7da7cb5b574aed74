"""Simulator scripts: cards and faults for ``drivers.idcard.sim`` from a JSON file.

Example::

    {"sam_status": "90",
     "cards": [null,
               {"name": "张伟", "gender": "男", "nation": "汉", "birth_date": "1990-03-07",
                "id_number": "11010519900307001X", "address": "北京市朝阳区…",
                "authority": "北京市公安局朝阳分局", "valid_from": "2015-06-01",
                "valid_to": "长期", "remove_mid_read": ""}],
     "faults": [{"kind": "garbage", "command": "read"},
                {"kind": "status", "command": "find", "status": "24"}]}

``null`` in ``cards`` answers one find with "no card". Status bytes are hex strings.
Other card types take ``doc_type`` ("hmt_permit", "foreign_2017", "foreign_2023") and
their own keys: ``name_en``, ``nationality``, ``permit_number``, ``issue_count``
(a foreign card's ``name`` is its Chinese name and may be "").
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from drivers.base import ConfigError, Person
from drivers.idcard.sim import Fault, IdCardSimulator
from drivers.idcard.textblock import LAYOUTS, LONG_TERM
from hall.core.idnumber import RESIDENT

_PERSON_KEYS = {"name", "gender", "nation", "birth_date", "id_number", "address", "authority",
                "doc_type", "name_en", "nationality", "permit_number", "issue_count"}  # fmt: skip
_FAULT_KEYS = {"kind", "command", "status", "pieces", "delay", "garbage", "times"}


def person_from_json(d: dict[str, Any], where: str = "card") -> Person:
    """A Person from a script's card entry (ISO dates; valid_to may be "长期")."""
    unknown = set(d) - _PERSON_KEYS - {"valid_from", "valid_to", "remove_mid_read"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        valid_to = d.get("valid_to", LONG_TERM)
        doc_type = d.get("doc_type", RESIDENT)
        if doc_type not in LAYOUTS:
            raise ValueError(f"doc_type must be one of {sorted(LAYOUTS)}")
        return Person(
            id_number=d["id_number"],
            name=d["name"],
            birth_date=date.fromisoformat(d["birth_date"]),
            source="idcard",
            gender=d.get("gender", ""),
            nation=d.get("nation", "汉" if doc_type == RESIDENT else ""),
            address=d.get("address", ""),
            authority=d.get("authority", ""),
            valid_from=date.fromisoformat(d["valid_from"]),
            valid_to=None if valid_to == LONG_TERM else date.fromisoformat(valid_to),
            valid_to_text=LONG_TERM if valid_to == LONG_TERM else valid_to.replace("-", ""),
            doc_type=doc_type,
            name_en=d.get("name_en", ""),
            nationality=d.get("nationality", ""),
            permit_number=d.get("permit_number", ""),
            issue_count=d.get("issue_count", ""),
        )
    except KeyError as e:
        raise ConfigError(f"{where}: missing key {e.args[0]!r}") from e
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e} (dates are YYYY-MM-DD)") from e


def _fault(d: dict[str, Any], where: str) -> Fault:
    unknown = set(d) - _FAULT_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    kw = dict(d)
    try:
        if "status" in kw:
            kw["status"] = int(kw["status"], 16)
        if "garbage" in kw:
            kw["garbage"] = bytes.fromhex(kw["garbage"])
        return Fault(**kw)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e}") from e


def load_script(sim: IdCardSimulator, script: str | Path | dict[str, Any]) -> None:
    """Queue a script's cards and faults on `sim`; a path is read as JSON."""
    name = "script"
    if not isinstance(script, dict):
        name = str(script)
        try:
            script = json.loads(Path(script).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"{name}: cannot read simulator script: {e}") from e
    if not isinstance(script, dict):
        raise ConfigError(f"{name}: expected a JSON object")
    try:
        sim.sam_status = int(script.get("sam_status", "90"), 16)
    except (TypeError, ValueError) as e:
        raise ConfigError(f'{name}: sam_status must be a hex string like "90"') from e
    for i, card in enumerate(script.get("cards", [])):
        where = f"{name}: cards[{i}]"
        if card is None:
            sim.no_card()
            continue
        try:
            sim.tap(person_from_json(card, where), remove_mid_read=card.get("remove_mid_read", ""))
        except ValueError as e:
            raise ConfigError(f"{where}: {e}") from e
    for i, fault in enumerate(script.get("faults", [])):
        sim.add_fault(_fault(fault, f"{name}: faults[{i}]"))
