"""Evaluation-pad fixtures: a real hub on 127.0.0.1 (the pattern of tests/ui/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PyQt6.QtWidgets import QWidget

from hall.catalogue import load_catalogue
from hall.hub import Hub, wall_clock
from hall.layout import Layout, default_layout_path, load_layout

HALL_TIME = datetime(2026, 11, 26, 9, 30)  # a Thursday morning: open and issuing


@pytest.fixture(scope="session")
def layout() -> Layout:
    return load_layout(default_layout_path())


@pytest.fixture(scope="session")
def items() -> dict[str, str]:
    return {i.code: i.domain for i in load_catalogue()}


def start_hub(layout: Layout, items: dict[str, str], db: Path, bind: str) -> Hub:
    return Hub(layout, db, bind=bind, clock=wall_clock(HALL_TIME), items=items,
               heartbeat=0.25).start()  # fmt: skip


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = start_hub(layout, items, tmp_path / "hall.db", "tcp://127.0.0.1:0")
    yield h
    h.stop()


def save_shot(widget: QWidget, tmp_path: Path, name: str) -> Path:
    """Save a screenshot into tmp_path and, when YICHUANG_SHOTS is set, that folder too."""
    image = widget.grab()
    path = tmp_path / f"{name}.png"
    assert image.save(str(path)), f"could not save {path}"
    folder = os.environ.get("YICHUANG_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / f"{name}.png"))
    return path
