"""Log lines: time, level, logger and device, one line per event; journald's form under
systemd; Qt's own messages through the same lines."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hall.net.sockets import free_hub_port
from tests.clirun import ROOT, journal_env
from tests.hubs import HubProcess

STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")

SCRIPT = """
import logging
from hall.cli import logs
logs.setup()
logs.set_device("kiosk-1")
log = logging.getLogger("kiosk.devices")
log.info("printer ready")
log.warning("paper low")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("print failed")
"""


def _run(tmp_path: Path, journal: str | None) -> list[str]:
    err = tmp_path / "stderr.txt"
    err.touch()
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    if journal == "this file":
        st = err.stat()
        env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
    elif journal is not None:
        env["JOURNAL_STREAM"] = journal
    with err.open("w") as f:
        subprocess.run([sys.executable, "-c", SCRIPT], stderr=f, env=env, cwd=ROOT, check=True)
    return err.read_text("utf-8").splitlines()


def test_on_a_console_each_event_is_one_stamped_line(tmp_path: Path) -> None:
    lines = _run(tmp_path, None)
    assert len(lines) == 3, lines  # the traceback too is one line
    assert all(STAMPED.match(line) for line in lines), lines
    assert lines[0].endswith("INFO kiosk.devices [kiosk-1]: printer ready")
    assert " WARNING kiosk.devices [kiosk-1]: paper low" in lines[1]
    assert " ERROR kiosk.devices [kiosk-1]: print failed\\nTraceback" in lines[2]
    assert "ZeroDivisionError" in lines[2]


def test_to_the_journal_lines_carry_the_priority_and_no_time(tmp_path: Path) -> None:
    lines = _run(tmp_path, "this file")
    assert lines[:2] == [
        "<6>INFO kiosk.devices [kiosk-1]: printer ready",
        "<4>WARNING kiosk.devices [kiosk-1]: paper low",
    ]
    assert lines[2].startswith("<3>ERROR kiosk.devices [kiosk-1]: print failed\\n")
    assert len(lines) == 3


@pytest.mark.parametrize("value", ["1:2", "garbage", ""])
def test_a_journal_stream_that_is_not_stderr_keeps_the_console_form(
    tmp_path: Path, value: str
) -> None:
    # systemd passes JOURNAL_STREAM on to children whose stderr goes elsewhere
    lines = _run(tmp_path, value)
    assert all(STAMPED.match(line) for line in lines), lines


def test_the_hub_under_systemd_writes_journal_lines(tmp_path: Path) -> None:
    err = tmp_path / "hub.log"
    env = journal_env(err)
    with err.open("w") as f:
        hub = subprocess.Popen(
            [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(tmp_path / "h.db"),
             "--bind", f"tcp://127.0.0.1:{free_hub_port()}"],
            stderr=f, env=env, cwd=ROOT,
        )  # fmt: skip
    try:
        end = time.monotonic() + 30
        while "hub serving" not in err.read_text("utf-8") and time.monotonic() < end:
            time.sleep(0.1)
    finally:
        hub.terminate()
        hub.wait(30)
    lines = err.read_text("utf-8").splitlines()
    assert any(line.startswith("<6>INFO hall.hub: hub serving ") for line in lines), lines
    assert any(line.startswith("<4>WARNING hall.hub: NO SECURITY") for line in lines), lines
    assert all(re.match(r"<[2-7]>[A-Z]+ [\w.]+: ", line) for line in lines), lines


def test_qt_messages_become_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    from PyQt6.QtCore import qInstallMessageHandler, qWarning

    from ui.app import qt_message

    caplog.set_level(logging.DEBUG)
    before = qInstallMessageHandler(qt_message)  # as ui.app.application() does
    try:
        qWarning("a Qt warning")
    finally:
        qInstallMessageHandler(before)
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("qt")]
    assert got == [("qt", logging.WARNING, "a Qt warning")]


def test_the_offscreen_size_hint_notice_is_not_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    from PyQt6.QtCore import qInstallMessageHandler, qWarning

    from ui.app import qt_message

    caplog.set_level(logging.DEBUG)
    before = qInstallMessageHandler(qt_message)
    try:
        qWarning("This plugin does not support propagateSizeHints()")
        qWarning("a Qt warning")
    finally:
        qInstallMessageHandler(before)
    got = [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("qt")]
    assert got == [
        (logging.DEBUG, "This plugin does not support propagateSizeHints()"),
        (logging.WARNING, "a Qt warning"),
    ]


def test_no_id_number_reaches_a_log_line() -> None:
    # whatever a line quotes (a card read, a hub's reply, a traceback's locals), an ID
    # number's shape is masked on its way out, on the console and to the journal alike
    import io

    from hall.cli.logs import OneLineFormatter
    from hall.core.idnumber import make_id_number

    idn = make_id_number("11010519491231002")
    for journal in (False, True):
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        handler.setFormatter(OneLineFormatter(journal=journal, device="kiosk-1"))
        log = logging.getLogger(f"test.idnumber.{journal}")
        log.propagate = False
        log.setLevel(logging.INFO)
        log.addHandler(handler)
        try:
            log.warning("unknown queue %r", idn)
            log.info("read %s and %s", idn.lower(), "A001 20261207-A001 1796541497225")
            try:
                raise ValueError(f"no such queue: {idn}")
            except ValueError:
                log.exception("issue failed")
        finally:
            log.removeHandler(handler)
        text = out.getvalue()
        assert idn[:-1] not in text, text
        assert text.upper().count("1101**********002X") == 3, text
        assert "A001 20261207-A001 1796541497225" in text  # ticket numbers, ids, epochs stay
        assert len(text.splitlines()) == 3


def test_a_display_run_by_systemd_writes_journal_lines_naming_its_device(
    hub_proc: HubProcess, tmp_path: Path
) -> None:
    # a real app (offscreen), its stderr the "journal stream" systemd would have given it
    err = tmp_path / "display.log"
    env = journal_env(err, QT_QPA_PLATFORM="offscreen")
    with err.open("w") as f:
        app = subprocess.Popen(
            [sys.executable, "-m", "hall", "display", "--device", "display-2F", "--floor", "2F",
             "--endpoint", hub_proc.endpoint, "--voice", "sim://voice", "--fullscreen"],
            stderr=f, env=env, cwd=ROOT,
        )  # fmt: skip
    try:
        end = time.monotonic() + 60
        while "display-2F snapshot ok" not in hub_proc.log.read_text("utf-8", "replace"):
            assert app.poll() is None and time.monotonic() < end, err.read_text("utf-8")
            time.sleep(0.1)
    finally:
        app.terminate()  # as `systemctl stop` does
        app.wait(30)
    lines = err.read_text("utf-8").splitlines()
    assert "<6>INFO ui [display-2F]: signal 15: closing" in lines, lines
    assert all(re.match(r"<[2-7]>[A-Z]+ [\w.]+ \[display-2F\]: ", line) for line in lines), lines


def test_the_printer_library_leaves_the_kiosk_s_log_set_up_to_us() -> None:
    """python-escpos calls logging.basicConfig() at import: a root handler in Python's bare
    format, before which `logs.setup` steps aside. The kiosk's lines had no time, device or
    journald priority ("ERROR:ui.hublink:…"). The kiosk's imports must leave the root bare."""
    script = (
        "import logging, kiosk.app, drivers.printer.escpos_lib\n"
        "from hall.cli import logs\n"
        "print(len(logging.getLogger().handlers), logs.setup() is not None)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert done.stdout.split() == ["0", "True"]


def test_the_web_gateway_s_server_lines_are_ours() -> None:
    """uvicorn installs handlers of its own unless told not to: under `hall web` its lines,
    errors and tracebacks came out bare ("ERROR:    bad id …", the number in clear), with
    no time and no journald priority."""
    script = (
        "import logging\n"
        "from hall.cli import logs\n"
        "from hall.web.server import WebServer\n"
        "logs.setup()\n"
        "WebServer('tcp://127.0.0.1:9', port=0)\n"
        "logging.getLogger('uvicorn.error').error('bad id %s', '11010519491231002X')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    (line,) = [ln for ln in done.stderr.splitlines() if "bad id" in ln]
    assert STAMPED.match(line), line
    assert "ERROR uvicorn.error: bad id 1101**********002X" in line, line
