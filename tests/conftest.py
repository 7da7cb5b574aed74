"""Suite-wide test settings: offscreen Qt, no stray warnings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(os.getcwd(), ".hypothesis"))
