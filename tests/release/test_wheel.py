"""The release as a hall installs it: the wheel built from this tree, installed with the
lock (`--require-hashes`) into a throwaway venv, run from a folder that is not the
checkout. It must find its layouts, catalogue, scenario and translations as package data,
and play a short headless morning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hall.core.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(*argv: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip
    assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the lock's dependencies and the wheel of this tree, nothing else."""
    tmp = tmp_path_factory.mktemp("release")
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", tmp / "dist", ROOT, cwd=tmp)  # fmt: skip
    (wheel,) = (tmp / "dist").glob("yichuang-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp)
    pip = venv / "bin" / "pip"
    _run(pip, "install", "-q", "--require-hashes", "-r", ROOT / "requirements.lock", cwd=tmp)
    _run(pip, "install", "-q", "--no-deps", wheel, cwd=tmp)
    return venv


def test_the_installed_hall_names_its_versions(installed: Path, tmp_path: Path) -> None:
    out = _run(installed / "bin" / "hall", "--version", cwd=tmp_path).stdout
    assert out.startswith("hall (yichuang) 0.") and "protocol 1" in out and "schema" in out


def test_the_installed_hall_reads_its_package_data(installed: Path, tmp_path: Path) -> None:
    hall = installed / "bin" / "hall"
    check = _run(hall, "layout", "check", "jiangbei", cwd=tmp_path).stdout
    assert "江北区政务服务中心" in check and "site-packages/hall/config/jiangbei.toml" in check
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
