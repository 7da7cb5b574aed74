"""The release as a hall installs it: the wheel built from this tree, installed with the
lock (`--require-hashes`) into a throwaway venv, run from a folder that is not the
checkout. It must hold every module and data file of the tree and nothing else, find its
layouts, catalogue, scenario and translations as package data, and play a short headless
morning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hall.core.catalogue import load_catalogue
from tests.wheelbuild import build_wheel, tree

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
#: the packages setup.py ships (config/ goes in as hall/config/)
APPS = ("hall", "drivers", "ui", "kiosk", "counter", "display", "rating", "manager", "desk", "demo")


def _run(*argv: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip
    assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr
    return done


def _shipped(tree: list[str]) -> set[str]:
    """What the wheel must hold of the tree: every module, config/ as hall/config/, and the
    translation tables."""
    want = {f for f in tree if f.split("/")[0] in APPS and f.endswith(".py")}
    want |= {f for f in tree if f.startswith("ui/translations/") and f.endswith(".json")}
    want |= {f"hall/{f}" for f in tree if f.startswith("config/")}
    return want


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The wheel built from a copy of the tree: setuptools' build/ folder keeps what an
    earlier build left there (a module deleted since would ship), and the checkout stays
    untouched. Returns (wheel, the tree's files)."""
    return build_wheel(tmp_path_factory.mktemp("wheel")), tree()


@pytest.fixture(scope="module")
def installed(wheel: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the lock's dependencies and the wheel of this tree, nothing else."""
    tmp = tmp_path_factory.mktemp("release")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp)
    pip = venv / "bin" / "pip"
    _run(pip, "install", "-q", "--require-hashes", "-r", ROOT / "requirements.lock", cwd=tmp)
    _run(pip, "install", "-q", "--no-deps", wheel[0], cwd=tmp)
    return venv


def test_the_wheel_holds_the_tree_and_nothing_else(wheel: tuple[Path, list[str]]) -> None:
    built, tree = wheel
    names = {n for n in zipfile.ZipFile(built).namelist() if ".dist-info/" not in n}
    assert names == _shipped(tree)
    assert {"hall/config/items.csv", "hall/config/jiangbei.toml", "hall/config/county.toml",
            "hall/config/scenario-standard.toml", "ui/translations/en.json",
            "ui/translations/en-display.json"} <= names  # fmt: skip


def test_the_installed_hall_names_its_versions(installed: Path, tmp_path: Path) -> None:
    out = _run(installed / "bin" / "hall", "--version", cwd=tmp_path).stdout
    assert out.startswith("hall (yichuang) 0.") and "protocol 1" in out and "schema" in out


def test_the_installed_hall_reads_its_package_data(installed: Path, tmp_path: Path) -> None:
    hall = installed / "bin" / "hall"
    check = _run(hall, "layout", "check", "jiangbei", cwd=tmp_path).stdout
    assert "江北区政务服务中心" in check and "site-packages/hall/config/jiangbei.toml" in check
    check = _run(hall, "layout", "check", "county", cwd=tmp_path).stdout
    assert "垫江县行政服务中心" in check and "site-packages/hall/config/county.toml" in check
    listed = _run(hall, "layout", "list", cwd=tmp_path).stdout
    assert [line.split()[0] for line in listed.splitlines()] == [
        "county",
        "jiangbei-demo",
        "jiangbei",
        "town",
    ]
    probe = (
        "import hall, json; from hall.core.catalogue import load_catalogue; "
        "from hall.sim.simulate import load_scenario, standard_scenario_path; "
        "from hall.reports.scheme import load_scheme; from ui import i18n; "
        "print(json.dumps([hall.__file__, len(load_catalogue()), "
        "load_scenario(standard_scenario_path()).source, load_scheme('district').name, "
        "i18n._read_tables('en')['kiosk']['取号机']]))"
    )
    where, items, scenario, scheme, take = json.loads(
        _run(installed / "bin" / "python", "-c", probe, cwd=tmp_path).stdout
    )
    assert where.startswith(str(installed)) and items == len(load_catalogue())  # all of them
    assert scenario.endswith("hall/config/scenario-standard.toml") and scheme
    assert take == "Ticket kiosk"


def test_the_installed_hall_plays_a_headless_morning(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    _run(installed / "bin" / "hall", "demo", "--headless", "--out", out, "--minutes", "20",
         "--speed", "120", cwd=tmp_path)  # fmt: skip
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["hall"] == "江北区政务服务中心" and s["tickets_issued"] >= 5
    assert sum(s["tickets_by_queue"].values()) == s["tickets_issued"]
    assert len(list((out / "tickets").glob("*.png"))) == s["printed_tickets"] > 0


@pytest.mark.parametrize("app", ["kiosk", "display"])
def test_the_installed_apps_start_and_stop_cleanly(
    installed: Path, tmp_path: Path, app: str
) -> None:
    """No hub to talk to (a port nobody serves): the app waits for one on its screen,
    without a traceback, until it is told to stop."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen(
        [str(installed / "bin" / "hall"), app, "--lang", "en", "--endpoint", "tcp://127.0.0.1:9"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=10)  # still running after its start (slow under load)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "ERROR" not in err, err
