"""The `hall` command's own surface: --version, help for every subcommand and option,
built-in layouts by name."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.cli import COMMANDS, build_parser, main, version_text
from hall.core.shipped import builtin_layouts, layout_file
from hall.server.store import KNOWN_MIGRATIONS
from hall.wire.protocol import PROTOCOL_VERSION
from tests.clirun import hall


def _parsers(
    p: argparse.ArgumentParser, path: str
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, p
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                yield from _parsers(sub, f"{path} {name}")


ALL = list(_parsers(build_parser([]), "hall"))


def test_every_command_is_walked() -> None:
    paths = {path for path, _ in ALL}
    assert {"hall keys enable", "hall keys list", "hall layout list", "hall bench hub"} <= paths
    assert {f"hall {name}" for name in COMMANDS} <= paths


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_is_built(name: str) -> None:
    """Each command's module is in the tree (and so in the wheel) and gives the command its
    options and what it runs."""
    (sub,) = (a for a in build_parser([name])._actions if isinstance(a, argparse._SubParsersAction))
    assert callable(sub.choices[name].get_default("_run"))
    assert len(sub.choices[name].format_help().splitlines()) > 3  # its options are listed


@pytest.mark.parametrize(("path", "parser"), ALL, ids=[p for p, _ in ALL])
def test_every_option_has_a_help_line(path: str, parser: argparse.ArgumentParser) -> None:
    def mute(text: str | None) -> bool:
        return not (text or "").strip() or text == argparse.SUPPRESS

    silent = [
        a.option_strings or a.dest
        for a in parser._actions
        if mute(a.help) and not isinstance(a, argparse._SubParsersAction)
    ]
    for a in parser._actions:  # a subcommand's line in the list is its help
        if isinstance(a, argparse._SubParsersAction):
            silent += [c.dest for c in a._choices_actions if mute(c.help)]
    assert silent == [], f"{path}: no help for {silent}"


@pytest.mark.parametrize(("path", "parser"), ALL, ids=[p for p, _ in ALL])
def test_help_lists_every_subcommand(path: str, parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name in a.choices:
                assert f"    {name} " in text or f"    {name}\n" in text, (path, name)


def test_the_keys_command_names_all_its_actions_in_the_overview() -> None:
    top = build_parser([]).format_help()
    line = next(line for line in top.splitlines() if line.strip().startswith("keys"))
    assert all(word in line for word in ("init", "add", "disable", "enable", "list"))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out == version_text()
    assert f"protocol {PROTOCOL_VERSION}" in out
    assert f"database schema {len(KNOWN_MIGRATIONS)} ({max(KNOWN_MIGRATIONS)})" in out


def test_version_in_a_real_process() -> None:
    run = hall("--version")
    assert run.returncode == 0 and run.stdout.startswith("hall (yichuang) ")


def test_builtin_layouts_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert set(builtin_layouts()) == {"jiangbei", "jiangbei-demo", "county", "town"}
    assert main(["layout", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["county", "jiangbei-demo", "jiangbei", "town"]
    halls = [line.index(" " + line.split()[1]) for line in listed]
    assert len(set(halls)) == 1, listed  # the halls' names in one column
    # the demo is told apart from the production template it copies
    devices = {line.split()[0]: "模拟设备" in line for line in listed}
    assert devices == {"county": False, "jiangbei-demo": True, "jiangbei": False, "town": False}
    assert main(["layout", "check", "town"]) == 0
    assert "赤坭镇便民服务中心" in capsys.readouterr().out


def test_a_path_still_works_and_an_unknown_name_is_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert layout_file("config/county.toml").name == "county.toml"
    assert main(["layout", "check", str(builtin_layouts()["county"])]) == 0
    capsys.readouterr()
    assert main(["layout", "check", "nosuchhall"]) == 2
    assert capsys.readouterr().err == (
        "error: no layout nosuchhall: neither a built-in one (county, jiangbei, jiangbei-demo, "
        "town: `hall layout list`) nor a file\n"
    )


def test_a_folder_for_a_layout_is_named_in_our_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["layout", "check", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot read the layout {tmp_path}: it is a folder, not a layout file\n"
    )


def test_serve_takes_a_layout_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    args = build_parser(["serve"]).parse_args(
        ["serve", "--layout", "county", "--db", str(tmp_path / "h.db")]
    )
    assert args.layout == builtin_layouts()["county"]
