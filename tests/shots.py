"""Screenshots the app tests save: into the test's tmp_path and, when YICHUANG_SHOTS names a
folder, there too (so a person can look at what a citizen or clerk would see)."""

from __future__ import annotations

import os
from pathlib import Path

from PyQt6.QtWidgets import QWidget


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
