"""Display-board fixtures: a real hub on 127.0.0.1 (the pattern of tests/ui/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt6.QtWidgets import QWidget

from hall.hub import Hub
from hall.layout import Layout
from tests.hubs import start_hub


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
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
