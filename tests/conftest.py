"""Suite-wide test settings: offscreen Qt, no stray warnings; the hall's layout and items."""

from __future__ import annotations

import os

import pytest

from hall.catalogue import load_catalogue
from hall.layout import Layout, default_layout_path, load_layout

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(os.getcwd(), ".hypothesis"))


@pytest.fixture(scope="session")
def layout() -> Layout:
    """The Jiangbei hall of config/ (loaded once for the session)."""
    return load_layout(default_layout_path())


@pytest.fixture(scope="session")
def items() -> dict[str, str]:
    """Catalogue item code → domain, as the hub is given them."""
    return {i.code: i.domain for i in load_catalogue()}
