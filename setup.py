"""Packaging: the metadata and dependencies are in setup.cfg. This file says the one thing
setup.cfg cannot with `packages = find:`: the repository's top-level config/ folder ships
inside the package as `hall.config` (DESIGN.md §3), never as a top-level `config` package."""

from setuptools import find_packages, setup

APPS = ["hall", "drivers", "ui", "kiosk", "counter", "display", "rating", "manager", "desk", "demo"]

setup(
    packages=[
        *find_packages(include=[p for a in APPS for p in (a, f"{a}.*")]),
        "hall.config",
        "ui.translations",  # data only (JSON tables), read by ui.i18n
    ],
    package_dir={"hall.config": "config"},
)
