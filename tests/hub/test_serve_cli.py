"""`hall serve` and `hall status` as a new user runs them: a mistake gets one line that says
what to do and exit status 2 (1 when the hub could not start), never a traceback."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.core.layout import Layout
from hall.net.keys import init_keys
from hall.net.sockets import free_hub_port
from hall.server.hub import Hub
from tests.clipipe import run_into_a_closed_pipe
from tests.clirun import hall, the_message


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> Path:
    d = tmp_path_factory.mktemp("serve-cli") / "keys"
    init_keys(d, layout)
    return d


# ------------------------------------------------------------------ hall serve


@pytest.mark.parametrize("where", ["empty", "missing", "config"])
def test_serve_with_a_dir_that_holds_no_keys(tmp_path: Path, where: str) -> None:
    keys = {"empty": tmp_path / "empty", "missing": tmp_path / "nokeys", "config": Path("config")}
    keys["empty"].mkdir()
    run = hall("serve", "--db", str(tmp_path / "h.db"), "--keys", str(keys[where]))
    assert run.returncode == 2
    line = the_message(run)
    assert line.startswith(f"hall serve: --keys {keys[where]}: ")
    assert "hall keys init" in line


@pytest.mark.parametrize(
    ("option", "value"),
    [("--bind", "127.0.0.1:7900"), ("--bind", "tcp://127.0.0.1"), ("--pub", "localhost:7901"),
     ("--staff-pub", "tcp://127.0.0.1:99999")],
)  # fmt: skip
def test_serve_with_an_endpoint_without_tcp(tmp_path: Path, option: str, value: str) -> None:
    bind = [] if option == "--bind" else ["--bind", f"tcp://127.0.0.1:{free_hub_port()}"]
    run = hall("serve", "--insecure", "--db", str(tmp_path / "h.db"), *bind, option, value,
               timeout=20)  # fmt: skip
    assert run.returncode == 2
    line = the_message(run)
    assert line.startswith(f"hall serve: {option} {value!r} is not an endpoint")
    assert "an endpoint looks like tcp://HOST:PORT" in line


def _busy(port: int) -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen()
    return s


@pytest.mark.parametrize(
    ("offset", "stream", "why", "option"),
    [(1, "board stream", "--bind's port + 1", "--pub"),
     (2, "staff stream", "--bind's port + 2", "--staff-pub")],
)  # fmt: skip
def test_serve_names_the_stream_whose_port_is_in_use(
    tmp_path: Path, offset: int, stream: str, why: str, option: str
) -> None:
    port = free_hub_port()
    with _busy(port + offset):
        run = hall("serve", "--insecure", "--db", str(tmp_path / "h.db"),
                   "--bind", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert run.returncode == 1
    line = the_message(run)
    assert line.startswith("hall serve: the hub did not start: ")
    assert f"tcp://127.0.0.1:{port + offset}" in line
    assert stream in line and why in line and option in line and "in use" in line


def test_serve_says_when_its_own_port_is_in_use(tmp_path: Path) -> None:
    port = free_hub_port()
    with _busy(port):
        run = hall("serve", "--insecure", "--db", str(tmp_path / "h.db"),
                   "--bind", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert run.returncode == 1
    line = the_message(run)
    assert f"tcp://127.0.0.1:{port} (--bind) is in use" in line
    assert "another hub" in line


def test_serve_notes_keys_made_for_another_layout_file(
    tmp_path: Path, keys: Path, layout: Layout
) -> None:
    other = tmp_path / "other.toml"
    other.write_text(Path(layout.source).read_text(encoding="utf-8"), encoding="utf-8")
    port = free_hub_port()
    with _busy(port):  # the hub stops at once: the note comes before that
        run = hall("serve", "--keys", str(keys), "--layout", str(other), "--db",
                   str(tmp_path / "h.db"), "--bind", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert "Traceback" not in run.stderr
    notes = [x for x in run.stderr.splitlines() if x.startswith("hall serve: note: ")]
    assert len(notes) == 1, run.stderr
    assert f"was made for the layout {Path(layout.source).resolve()}" in notes[0]
    assert f"this hub serves {other.resolve()}" in notes[0]
    with _busy(port):  # the layout it was made for: nothing to note
        run = hall("serve", "--keys", str(keys), "--layout", str(layout.source), "--db",
                   str(tmp_path / "h.db"), "--bind", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert run.returncode == 1 and "note:" not in run.stderr


def test_serve_with_an_unreadable_layout_record_notes_it_and_goes_on(
    tmp_path: Path, keys: Path
) -> None:
    import shutil

    copy = tmp_path / "keys"
    shutil.copytree(keys, copy)
    (copy / "layout.path").unlink()
    (copy / "layout.path").mkdir()  # unreadable as a file
    port = free_hub_port()
    with _busy(port):  # only a note depends on the record: the hub gets as far as binding
        run = hall("serve", "--keys", str(copy), "--db", str(tmp_path / "h.db"),
                   "--bind", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert run.returncode == 1, run.stderr  # the busy port, not the record (that was 2)
    assert "hall serve: note: cannot tell which layout --keys" in run.stderr
    assert "is in use" in run.stderr


@pytest.mark.parametrize("command", ["serve", "layout", "keys"])
def test_a_missing_layout_file_is_one_plain_sentence(tmp_path: Path, command: str) -> None:
    argv = {
        "serve": ["serve", "--insecure", "--db", str(tmp_path / "h.db"), "--layout"],
        "layout": ["layout", "check"],
        "keys": ["keys", "init", str(tmp_path / "k"), "--layout"],
    }[command]
    run = hall(*argv, "config/nosuch.toml")
    assert run.returncode == 2
    line = the_message(run)
    assert line.endswith("cannot read the layout config/nosuch.toml: there is no such file")
    assert "(file)" not in line
    # a plain word is a built-in layout's name: `hall serve --layout` took it as a Path,
    # which read as a path ("no such file"), not as a name
    run = hall(*argv, "nosuchhall")
    assert run.returncode == 2
    assert "no layout nosuchhall: neither a built-in one (" in the_message(run)
    assert not (tmp_path / "h.db").exists()


# ------------------------------------------------------------------ hall status


def test_status_with_an_endpoint_without_tcp() -> None:
    run = hall("status", "--endpoint", "127.0.0.1:7700")
    assert run.returncode == 2
    line = the_message(run)
    assert line.startswith("hall status: --endpoint '127.0.0.1:7700' is not an endpoint")
    assert "tcp://HOST:PORT" in line and "did you mean tcp://127.0.0.1:7700?" in line


@pytest.mark.parametrize("case", ["no keys dir", "unknown device"])
def test_status_with_a_device_that_has_no_key(tmp_path: Path, keys: Path, case: str) -> None:
    if case == "no keys dir":
        d, device = tmp_path / "nokeys", "manager-1"
        run = hall("status", "--keys", str(d))
    else:
        d, device = keys, "nosuch-1"
        run = hall("status", "--keys", str(d), "--device", device)
    assert run.returncode == 2
    line = the_message(run)
    assert line.startswith("hall status: ")
    assert f"'{device}'" in line and str(d) in line


def test_status_without_an_answer_says_the_key_may_be_refused(keys: Path) -> None:
    endpoint = f"tcp://127.0.0.1:{free_hub_port()}"  # nobody there: silence, as a refusal is
    run = hall("status", "--endpoint", endpoint, "--keys", str(keys), "--timeout", "0.3")
    assert run.returncode == 1
    line = the_message(run)
    assert line.startswith(f"hall status: no answer from the hub at {endpoint}")
    assert "refused" in line and "manager-1" in line and "disabled" in line


def test_status_without_an_answer_and_without_keys_hints_at_keys() -> None:
    # A hub run with keys does not answer a device without one: silence, as no hub at all.
    endpoint = f"tcp://127.0.0.1:{free_hub_port()}"
    run = hall("status", "--endpoint", endpoint, "--timeout", "0.3")
    assert run.returncode == 1
    line = the_message(run)
    assert "no answer from the hub" in line and "--keys DIR" in line


def test_status_knows_a_disabled_device_from_the_keys_dir(
    keys: Path, layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    # It said only "no answer", and listed a disabled device as OFFLINE.
    import shutil

    from hall.net.keys import set_enabled
    from hall.server.hub import Security
    from tests.hubs import start_hub

    mine = tmp_path / "keys"
    shutil.copytree(keys, mine)
    hub = start_hub(layout, items, tmp_path / "hall.db", security=Security.load(mine))
    try:
        from hall.client import HubClient

        with HubClient(hub.endpoint, device="kiosk-1", keys=mine) as k:
            k.ping()
        set_enabled(mine, "kiosk-1", False)
        run = hall("status", "--endpoint", hub.endpoint, "--keys", str(mine))
        assert run.returncode == 0, run.stderr
        assert any(x.split() == ["kiosk-1", "DISABLED"] for x in run.stdout.splitlines())
        set_enabled(mine, "manager-1", False)
        run = hall("status", "--endpoint", hub.endpoint, "--keys", str(mine), "--timeout", "0.5")
        assert run.returncode == 1
        assert f"manager-1 is disabled in {mine}" in the_message(run)
    finally:
        hub.stop()


@pytest.fixture
def running_hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    from tests.hubs import start_hub

    h = start_hub(layout, items, tmp_path / "hall.db")
    yield h
    h.stop()


def test_status_prints_no_python_reprs(running_hub: Hub) -> None:
    run = hall("status", "--endpoint", running_hub.endpoint)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    first = run.stdout.splitlines()[0]
    # the staff count depends on whether the asker's own presence was published first
    assert re.search(r"seq board 1, staff [01]$", first), first
    for raw in ("{", "}", "'", "None", "True", "False"):
        assert raw not in run.stdout, run.stdout


def test_status_as_a_device_the_hub_does_not_know(running_hub: Hub) -> None:
    run = hall("status", "--endpoint", running_hub.endpoint, "--device", "nosuch-1")
    assert run.returncode == 1
    line = the_message(run)
    assert line.startswith("hall status: the hub refused nosuch-1's request: ")
    assert "no device 'nosuch-1'" in line


def test_status_into_a_closed_pipe_is_quiet(running_hub: Hub) -> None:
    # `hall status | head -1` printed a BrokenPipeError traceback once head had left.
    run = run_into_a_closed_pipe("status", "--endpoint", running_hub.endpoint)
    assert run.stderr == "", run.stderr
    assert run.returncode == 141  # as a shell reports a command ended by SIGPIPE
