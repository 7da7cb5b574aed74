"""Keys directories and the device registry: what init makes, atomic changes, the CLI."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest
import zmq.auth

from hall.cli import main
from hall.core.layout import Layout
from hall.net.keys import (
    KeysError,
    Registry,
    UnknownDevice,
    add_device,
    client_keys,
    init_keys,
    load_hall_secret,
    set_enabled,
)
from hall.wire import protocol as P
from hall.wire.retry import Retry, session_part


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_init_makes_one_device_per_kiosk_window_floor_and_manager(
    tmp_path: Path, jiangbei: Layout
) -> None:
    registry = init_keys(tmp_path / "keys", jiangbei)
    devices = {d.id: d for d in registry.devices()}
    expected = {k.id for k in jiangbei.kiosks} | set(jiangbei.managers) | {"display-all"}
    expected |= {"web-1"}  # the web gateway (issue 20)
    expected |= set(jiangbei.desks)  # the service desks (issue 21)
    expected |= {f"display-{f.id}" for f in jiangbei.floors}
    for n in jiangbei.windows:
        expected |= {f"counter-{n}", f"rating-{n}"}
    assert set(devices) == expected
    assert len(devices) == len(jiangbei.kiosks) + 2 * len(jiangbei.windows) + len(
        jiangbei.floors
    ) + 1 + len(jiangbei.managers) + 1 + len(jiangbei.desks)
    assert devices["web-1"].role == "web" and devices["web-1"].window is None
    assert devices["desk-1"].role == "desk" and devices["desk-1"].window is None

    assert devices["counter-12"].role == "counter" and devices["counter-12"].window == 12
    assert devices["rating-12"].role == "rating" and devices["rating-12"].window == 12
    assert devices["display-2F"].floor == "2F" and devices["display-2F"].window is None
    assert devices["display-all"].role == "display" and devices["display-all"].floor is None
    assert devices["kiosk-1"].role == "kiosk" and devices["kiosk-1"].floor == "1F"
    assert devices["manager-1"].role == "manager"
    assert all(d.enabled for d in devices.values())

    keys = [d.public_key for d in devices.values()]
    hub_public, _ = zmq.auth.load_certificate(tmp_path / "keys" / "hub.key")
    assert len(set(keys) | {hub_public.decode()}) == len(keys) + 1  # all distinct
    for d in devices.values():
        public, secret, server = client_keys(tmp_path / "keys", d.id)
        assert public.decode() == d.public_key
        assert server == hub_public
        assert len(secret) == 40
        assert registry.by_public_key(d.public_key) == d
        assert registry.by_public_key(public) == d  # bytes as pyzmq gives them


def test_secrets_are_private(tmp_path: Path, jiangbei: Layout) -> None:
    d = tmp_path / "keys"
    init_keys(d, jiangbei)
    assert _mode(d) == 0o700 and _mode(d / "devices") == 0o700
    for p in [d / "hub.key_secret", d / "registry.json", d / "hall.secret"]:
        assert _mode(p) == 0o600, p
    assert all(_mode(p) == 0o600 for p in (d / "devices").glob("*.key_secret"))
    secret = load_hall_secret(d)
    assert len(secret) == 32
    assert (d / "hall.secret").read_text().strip() == secret.hex()
    other = tmp_path / "other"
    init_keys(other, jiangbei)
    assert load_hall_secret(other) != secret


def test_init_refuses_an_existing_dir_and_force_keeps_the_hall_secret(
    keys_dir: Path, jiangbei: Layout
) -> None:
    before = Registry.load(keys_dir)
    secret = load_hall_secret(keys_dir)
    add_device(keys_dir, "kiosk-9", "kiosk", floor="3F")
    with pytest.raises(KeysError, match="--force"):
        init_keys(keys_dir, jiangbei)
    after = init_keys(keys_dir, jiangbei, force=True)
    assert load_hall_secret(keys_dir) == secret
    assert after.device("kiosk-9") is None
    assert not (keys_dir / "devices" / "kiosk-9.key_secret").exists()
    old = before.device("counter-1")
    new = after.device("counter-1")
    assert old is not None and new is not None and old.public_key != new.public_key


def test_reload_if_changed_sees_every_change_and_is_cheap(keys_dir: Path) -> None:
    registry = Registry.load(keys_dir)
    assert registry.reload_if_changed() is False
    set_enabled(keys_dir, "counter-5", False)
    assert registry.reload_if_changed() is True
    d = registry.device("counter-5")
    assert d is not None and not d.enabled
    assert registry.reload_if_changed() is False
    set_enabled(keys_dir, "counter-5", True)  # same size, maybe same mtime: the inode differs
    assert registry.reload_if_changed() is True
    d = registry.device("counter-5")
    assert d is not None and d.enabled


def test_a_broken_registry_keeps_the_last_good_one(
    keys_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = Registry.load(keys_dir)
    good = (keys_dir / "registry.json").read_bytes()
    (keys_dir / "registry.json").write_text("{not json")
    with pytest.raises(KeysError, match="cannot read"):
        Registry.load(keys_dir)
    assert registry.reload_if_changed() is False
    assert registry.device("counter-1") is not None
    assert "keeping the last registry" in caplog.text
    caplog.clear()
    assert registry.reload_if_changed() is False
    assert caplog.text == ""  # said once, not on every message
    (keys_dir / "registry.json").unlink()
    assert registry.reload_if_changed() is False
    assert registry.device("counter-1") is not None
    (keys_dir / "registry.json").write_bytes(good)
    assert registry.reload_if_changed() is True  # a good file again is picked up


def test_registry_writes_are_atomic(keys_dir: Path) -> None:
    """Readers never see half a file while another writer toggles a device."""
    count = len(Registry.load(keys_dir).devices())
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(len(Registry.load(keys_dir).devices()))
            except BaseException as e:
                errors.append(e)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(40):
            set_enabled(keys_dir, "counter-1", i % 2 == 1)
    finally:
        stop.set()
        reader.join()
    assert not errors
    assert seen and set(seen) == {count}
    assert [p.name for p in keys_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_write_leaves_the_old_registry(
    keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (keys_dir / "registry.json").read_bytes()

    def power_cut(src: object, dst: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        set_enabled(keys_dir, "counter-1", False)
    monkeypatch.undo()
    assert (keys_dir / "registry.json").read_bytes() == before
    assert [p.name for p in keys_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_concurrent_writers_lose_nothing(keys_dir: Path) -> None:
    threads = [
        threading.Thread(target=add_device, args=(keys_dir, f"kiosk-{n}", "kiosk", None, "1F"))
        for n in range(10, 18)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    registry = Registry.load(keys_dir)
    assert all(registry.device(f"kiosk-{n}") is not None for n in range(10, 18))


def test_add_device_rules(keys_dir: Path) -> None:
    d = add_device(keys_dir, "counter-50", "counter", window=50)
    assert (d.role, d.window, d.floor, d.enabled) == ("counter", 50, None, True)
    assert client_keys(keys_dir, "counter-50")[0].decode() == d.public_key
    with pytest.raises(KeysError, match="already registered"):
        add_device(keys_dir, "counter-50", "counter", window=50)
    with pytest.raises(KeysError, match="unknown role"):
        add_device(keys_dir, "x-1", "janitor")
    with pytest.raises(KeysError, match="--window"):
        add_device(keys_dir, "rating-40", "rating")
    with pytest.raises(KeysError, match="no window"):
        add_device(keys_dir, "display-9", "display", window=9)
    for bad in ("../evil", "hub", "a/b", "", ".hidden"):
        with pytest.raises(KeysError, match="device id"):
            add_device(keys_dir, bad, "manager")
    with pytest.raises(UnknownDevice):
        set_enabled(keys_dir, "counter-999", False)
    with pytest.raises(UnknownDevice):
        client_keys(keys_dir, "counter-999")
    doc = json.loads((keys_dir / "registry.json").read_text())
    assert [x["id"] for x in doc["devices"]].count("counter-50") == 1


# ------------------------------------------------------------------ the CLI


def test_cli_init_list_disable_enable(
    tmp_path: Path, jiangbei: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(tmp_path / "keys")
    assert main(["keys", "init", d, "--layout", jiangbei.source]) == 0
    out = capsys.readouterr().out
    # 69, the web gateway and the service desk
    assert "71 devices" in out and "counter-30" in out and "hub.key" in out
    assert "secret-key" not in out
    assert main(["keys", "disable", d, "--id", "display-1F"]) == 0
    assert main(["keys", "list", d]) == 0
    listing = capsys.readouterr().out
    assert "display-1F" in listing and "DISABLED" in listing
    assert main(["keys", "enable", d, "--id", "display-1F"]) == 0
    assert (
        main(["keys", "add", d, "--id", "display-lobby", "--role", "display", "--floor", "1F"]) == 0
    )
    dev = Registry.load(d).device("display-lobby")
    assert dev is not None and dev.floor == "1F" and dev.enabled


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "{d}", "--id", "x-1", "--role", "janitor"], "unknown role 'janitor'"),
        (["add", "{d}", "--id", "counter-60", "--role", "counter"], "give --window N"),
        (["disable", "{d}", "--id", "counter-999"], "no device 'counter-999'"),
        (["enable", "{d}", "--id", "nobody"], "no device 'nobody'"),
        (["init", "{d}", "--layout", "{layout}"], "already exists"),
        (["init", "{tmp}/new", "--layout", "{tmp}/missing.toml"], "missing.toml"),
        (["list", "{tmp}/nowhere"], "run `hall keys init` first"),
        (["add", "{tmp}/nowhere", "--id", "m-2", "--role", "manager"], "hall keys init"),
    ],
)
def test_cli_errors_exit_2_with_a_sentence(
    keys_dir: Path,
    tmp_path: Path,
    jiangbei: Layout,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    args = [a.format(d=keys_dir, tmp=tmp_path, layout=jiangbei.source) for a in argv]
    assert main(["keys", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("role", "says"),
    [
        ("counter", "a counter device belongs to a window, not a floor: drop --floor"),
        ("display", "a display device has no window: drop --window"),
    ],
)
def test_cli_window_and_floor_together_is_refused_in_our_words(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], role: str, says: str
) -> None:
    assert main(["keys", "add", str(keys_dir), "--id", "c-1", "--role", role, "--window", "1",
                 "--floor", "1F"]) == 2  # fmt: skip
    assert _one_line(capsys.readouterr().err) == f"hall keys: {says}"
    assert Registry.load(keys_dir).device("c-1") is None


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("action", ["disable", "enable"])
def test_cli_disable_or_enable_twice_says_it_already_was(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    d = str(keys_dir)
    if action == "enable":
        set_enabled(keys_dir, "kiosk-2", False)
    state = f"{action}d"
    assert main(["keys", action, d, "--id", "kiosk-2"]) == 0
    assert capsys.readouterr().out.strip() == f"kiosk-2 is now {state}"
    stamp = (keys_dir / "registry.json").stat().st_mtime_ns
    assert main(["keys", action, d, "--id", "kiosk-2"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == f"kiosk-2 was already {state}" and not out.err
    assert (keys_dir / "registry.json").stat().st_mtime_ns == stamp  # not rewritten


@pytest.mark.parametrize(
    ("where", "message"),
    [(["--role", "counter", "--window", "99"], "window 99 is not in the hall layout"),
     (["--role", "rating", "--window", "0"], "window numbers are positive"),
     (["--role", "display", "--floor", "9F"], "floor '9F' is not in the hall layout"),
     (["--role", "kiosk", "--floor", "9F"], "floor '9F' is not in the hall layout")],
)  # fmt: skip
def test_cli_add_refuses_a_window_or_floor_the_layout_lacks(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], where: list[str], message: str
) -> None:
    assert main(["keys", "add", str(keys_dir), "--id", "new-1", *where]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("hall keys: ") and message in line
    if "window 99" in message:
        assert "its windows are 1–31" in line and "--layout" in line
    if "floor" in message:
        assert "its floors are 1F, 2F, 3F" in line
    assert Registry.load(keys_dir).device("new-1") is None
    assert not (keys_dir / "devices" / "new-1.key_secret").exists()


def test_cli_add_checks_against_the_layout_it_is_given(
    keys_dir: Path, tmp_path: Path, jiangbei: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    bigger = _bigger_hall(jiangbei, tmp_path)
    argv = ["keys", "add", str(keys_dir), "--id", "counter-99", "--role", "counter",
            "--window", "99"]  # fmt: skip
    assert main([*argv, "--layout", str(bigger)]) == 0, capsys.readouterr().err
    assert Registry.load(keys_dir).device("counter-99") is not None


def _bigger_hall(jiangbei: Layout, tmp_path: Path) -> Path:
    """Jiangbei with a window 99 (the default layout has 1–31)."""
    text = Path(jiangbei.source).read_text(encoding="utf-8")
    bigger = tmp_path / "bigger.toml"
    window_99 = '[[windows]]\nnumber = 99\nfloor = "1F"\nkind = "general"\nskills = ["G"]\n'
    bigger.write_text(f"{text}\n{window_99}profile = {{ G = 1.0 }}\n", encoding="utf-8")
    return bigger


def test_cli_add_checks_against_the_layout_init_was_given(
    tmp_path: Path, jiangbei: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    # `add` without --layout checked every hall against config/jiangbei.toml: another
    # hall's window was refused (or one it lacks accepted).
    bigger, d = _bigger_hall(jiangbei, tmp_path), str(tmp_path / "keys")
    assert main(["keys", "init", d, "--layout", str(bigger)]) == 0
    assert "layout.path" in capsys.readouterr().out
    assert Registry.load(d).device("counter-99") is not None  # init made window 99's
    assert main(["keys", "add", d, "--id", "counter-99b", "--role", "counter",
                 "--window", "99"]) == 0, capsys.readouterr().err  # fmt: skip
    assert Registry.load(d).device("counter-99b") is not None
    assert main(["keys", "add", d, "--id", "counter-98", "--role", "counter",
                 "--window", "98"]) == 2  # fmt: skip
    assert f"not in the hall layout {bigger.resolve()}" in _one_line(capsys.readouterr().err)
    bigger.unlink()  # the layout moved (or the folder was copied): say so, and how to go on
    argv = ["keys", "add", d, "--id", "kiosk-9", "--role", "kiosk", "--floor", "1F"]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert f"made for the layout {bigger.resolve()}, which is not on this machine" in line
    assert "give --layout FILE, or write that file's path into" in line
    assert Registry.load(d).device("kiosk-9") is None
    # a manager has no window or floor to check: no layout needed
    assert main(["keys", "add", d, "--id", "m-2", "--role", "manager"]) == 0
    assert Registry.load(d).device("m-2") is not None


def test_cli_add_follows_a_symlinked_layout_to_its_current_file(
    tmp_path: Path, jiangbei: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hall that deploys `current.toml -> v1.toml` and later points it at v2: the keys
    # folder means "current", not the v1 it pointed at when the keys were made.
    v1 = tmp_path / "v1.toml"
    v1.write_text(Path(jiangbei.source).read_text(encoding="utf-8"), encoding="utf-8")
    v2, current, d = (
        _bigger_hall(jiangbei, tmp_path),
        tmp_path / "current.toml",
        str(tmp_path / "k"),
    )
    current.symlink_to(v1)
    assert main(["keys", "init", d, "--layout", str(current)]) == 0
    current.unlink()
    current.symlink_to(v2)
    assert main(["keys", "add", d, "--id", "counter-99b", "--role", "counter",
                 "--window", "99"]) == 0, capsys.readouterr().err  # fmt: skip


def test_cli_add_with_an_empty_layout_record_says_so(
    keys_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (keys_dir / "layout.path").write_text("\n", encoding="utf-8")
    assert main(["keys", "add", str(keys_dir), "--id", "new-1", "--role", "counter",
                 "--window", "31"]) == 2  # fmt: skip
    line = _one_line(capsys.readouterr().err)
    assert "layout.path is empty" in line and "--layout FILE" in line


def test_cli_add_in_a_folder_made_before_the_layout_was_kept_uses_the_default(
    keys_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (keys_dir / "layout.path").unlink()
    argv = ["keys", "add", str(keys_dir), "--id", "new-1", "--role", "counter"]
    assert main([*argv, "--window", "99"]) == 2
    assert "its windows are 1–31" in _one_line(capsys.readouterr().err)
    assert main([*argv, "--window", "31"]) == 0


def test_a_mistaken_command_on_an_empty_folder_leaves_it_empty(
    tmp_path: Path, jiangbei: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    # `hall keys add` / `disable` on the wrong (empty) folder left a .registry.lock in it,
    # after which `hall keys init` there refused: "already exists and is not empty".
    d = tmp_path / "keys"
    d.mkdir()
    assert main(["keys", "add", str(d), "--id", "m-2", "--role", "manager"]) == 2
    assert main(["keys", "disable", str(d), "--id", "kiosk-1"]) == 2
    assert "run `hall keys init` first" in capsys.readouterr().err
    assert list(d.iterdir()) == []
    assert main(["keys", "init", str(d), "--layout", jiangbei.source]) == 0


def test_listing_into_a_closed_pipe_is_quiet(keys_dir: Path) -> None:
    # `hall keys list keys | head -1` said "hall keys: keys: Broken pipe", exit 2.
    from tests.clipipe import run_into_a_closed_pipe

    run = run_into_a_closed_pipe("keys", "list", str(keys_dir))
    assert run.stderr == "", run.stderr
    assert run.returncode == 141


def test_a_device_id_leaves_room_for_its_request_ids(keys_dir: Path) -> None:
    """A request id (`device:session.n`) is at most 64 bytes (issue 18): the registry takes
    no device id so long that its requests would all be refused."""
    longest = "kiosk-" + "9" * 34
    add_device(keys_dir, longest, "manager")
    core = Retry(longest, session_part(time.time()))
    for n in (0, 10**10 - 2):  # the first request of a session, the ten-billionth
        core._n = n
        req = P.Ping(req_id=core.next_req_id())
        assert P.decode_request(P.encode_request(req), "manager").req_id == req.req_id
    with pytest.raises(KeysError, match="device id"):
        add_device(keys_dir, longest + "9", "manager")
