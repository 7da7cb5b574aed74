"""`hall devices check` opens each configured device through its driver and reports health."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from hall.cli import main
from hall.core.layout import default_layout_path


def test_a_demo_halls_devices_are_simulated_never_ok(capsys: pytest.CaptureFixture[str]) -> None:
    # They were reported "正常 ok": a hall with no real device passed the health check.
    assert main(["devices", "check", "--layout", "jiangbei-demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("sim://printer") == 2  # two kiosks in the Jiangbei layout
    assert "离线" not in out
    lines = out.splitlines()
    assert len(lines) == 7 and all("模拟 simulated" in x for x in lines), out
    assert "正常" not in out and " ok " not in out


def test_a_halls_own_layout_naming_a_simulator_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "hall.toml"
    text = default_layout_path().read_text("utf-8")
    own.write_text(text.replace('voice = "espeak://?lang=zh&player=aplay"', 'voice = "sim://voice"')
                   .split("[[devices.kiosks]]")[0], "utf-8")  # fmt: skip
    assert main(["devices", "check", "--layout", str(own)]) == 1
    captured = capsys.readouterr()
    voice = next(x for x in captured.out.splitlines() if "sim://voice" in x)
    assert "模拟 simulated" in voice and "正常" not in captured.out
    assert f"1 simulated device(s) in {own}" in captured.err
    # the same file, declared a demo: the simulator is meant
    own.write_text(own.read_text("utf-8").replace("[devices]\n", "[devices]\nsimulators = true\n"))
    assert main(["devices", "check", "--layout", str(own)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", ["jiangbei", "county", "town"])
def test_the_production_templates_name_real_devices(name: str) -> None:
    from hall.cli.devices import simulated
    from hall.core.layout import load_layout

    lay = load_layout(name)
    assert not lay.simulators and lay.kiosks
    urls = [lay.voice] + [u for k in lay.kiosks for u in (k.printer, k.id_reader, k.card_reader)]
    assert not [u for u in urls if simulated(u)]


def test_the_demo_layout_is_the_production_one_with_simulators() -> None:
    from hall.core.layout import demo_layout_path

    def without_devices(path: Path) -> list[str]:
        lines = path.read_text("utf-8").splitlines()
        start = lines.index("[devices]")
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith("[") and "devices" not in lines[i]), len(lines))  # fmt: skip
        return lines[lines.index("[hall]") : start] + lines[end:]

    demo, production = demo_layout_path(), default_layout_path()
    assert without_devices(demo) == without_devices(production)


def test_network_printer_health_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with PrinterEmulator() as emu:
        emu.set_paper("low")
        assert main(["devices", "check", "--layout", "jiangbei-demo",
                     "--printer", emu.url + "?timeout=1"]) == 1  # fmt: skip
        line = next(x for x in capsys.readouterr().out.splitlines() if emu.url in x)
        assert "degraded" in line
        emu.set_paper("ok")
        assert main(["devices", "check", "--layout", "jiangbei-demo",
                     "--printer", emu.url + "?timeout=1"]) == 0  # fmt: skip


def test_unreachable_printer_is_offline_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    with PrinterEmulator() as emu:
        url = emu.url
    assert main(["devices", "check", "--layout", "jiangbei-demo",
                 "--printer", url + "?timeout=1"]) == 1  # fmt: skip
    line = next(x for x in capsys.readouterr().out.splitlines() if url in x)
    assert "offline" in line


def test_bad_layout_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(default_layout_path().read_text("utf-8") + "\n[surprise]\nx = 1\n", "utf-8")
    assert main(["devices", "check", "--layout", str(bad)]) == 2
    assert "surprise" in capsys.readouterr().err


def test_a_kiosks_own_guide_voice_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hall.core.layout import demo_layout_path

    own = tmp_path / "hall.toml"
    text = demo_layout_path().read_text("utf-8")
    entry = 'id = "kiosk-1"\n'
    assert entry in text
    for voice, status in (("espeak://?player=none", 0), ("espeak://?voice=xx-nosuch", 1)):
        own.write_text(text.replace(entry, f'{entry}guide_voice = "{voice}"\n', 1), "utf-8")
        assert main(["devices", "check", "--layout", str(own)]) == status
        line = next(x for x in capsys.readouterr().out.splitlines() if "guide voice" in x)
        assert voice in line
        assert ("正常 ok" in line) == (status == 0), line
