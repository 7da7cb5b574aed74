"""What the package ships: the repository's config/ folder (layouts, the service-item
catalogue, scenarios, assessment schemes), installed inside the package as `hall.config`
(setup.py maps it; DESIGN.md §3) and read with importlib.resources, so an installed `hall`
finds it from any folder. In a clone the editable install maps `hall.config` to config/.

Built-in layouts can be named (`hall layout check jiangbei`, `hall serve --layout county`);
a path to a layout file works everywhere a name does.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: config/*.toml files that are not hall layouts
_NOT_LAYOUTS = ("scenario-", "assessment-")


def config_dir() -> Path:
    """The folder of the shipped config files (a wheel installs unzipped: a real folder)."""
    return Path(str(files("hall.config")))


def config_file(name: str) -> Path:
    """A shipped config file by its file name (`items.csv`, `scenario-standard.toml`)."""
    return config_dir() / name


def builtin_layouts() -> dict[str, Path]:
    """Name → file of every layout the package ships (`jiangbei`, `county`, `town`)."""
    return {
        p.stem: p
        for p in sorted(config_dir().glob("*.toml"))
        if not p.name.startswith(_NOT_LAYOUTS)
    }


def names_a_layout(name_or_path: str | Path) -> bool:
    """Is this what a `--layout` names by name (a plain word), not by path? (A Path of a
    plain word too: argparse's `type=layout_file` makes one of what was typed.)"""
    text = str(name_or_path)
    return not ("/" in text or text.endswith(".toml"))


def layout_file(name_or_path: str | Path) -> Path:
    """The file a `--layout` names: a built-in layout's name, or a path as given. A plain
    word that is not a file here is taken as a name; an unknown name is returned as a path,
    so the error names what was typed."""
    text = str(name_or_path)
    if not names_a_layout(name_or_path) or Path(text).is_file():
        return Path(name_or_path)
    return builtin_layouts().get(text, Path(text))
