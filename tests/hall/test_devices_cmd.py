"""`hall devices check` opens each configured device through its driver and reports health."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from hall.cli import main
from hall.core.layout import default_layout_path


def test_simulated_hall_devices_are_all_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("sim://printer") == 2  # two kiosks in the Jiangbei layout
    assert "离线" not in out


def test_network_printer_health_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with PrinterEmulator() as emu:
        emu.set_paper("low")
        assert main(["devices", "check", "--printer", emu.url + "?timeout=1"]) == 1
        line = next(x for x in capsys.readouterr().out.splitlines() if emu.url in x)
        assert "degraded" in line
        emu.set_paper("ok")
        assert main(["devices", "check", "--printer", emu.url + "?timeout=1"]) == 0


def test_unreachable_printer_is_offline_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    with PrinterEmulator() as emu:
        url = emu.url
    assert main(["devices", "check", "--printer", url + "?timeout=1"]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if url in x)
    assert "offline" in line


def test_bad_layout_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(default_layout_path().read_text("utf-8") + "\n[surprise]\nx = 1\n", "utf-8")
    assert main(["devices", "check", "--layout", str(bad)]) == 2
    assert "surprise" in capsys.readouterr().err
