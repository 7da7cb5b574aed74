"""Real pcscd with the vsmartcard vpcd reader, and virtual social security cards in it.

How pcscd is run (CI does the same through this fixture):

* not installed (no ``pcscd`` on PATH or in /usr/sbin) -> the pcscd tests skip,
  saying so. Everything else is a failure: CI installs pcscd, vsmartcard-vpcd
  and libpcsclite-dev (``./dev.sh setup``) and these tests must run there.
* already running (a desktop's pcscd, a systemd socket) -> it is used as is,
  never stopped: it may be serving someone's real readers, and systemd would
  restart it anyway. It must list the "Virtual PCD" readers (vpcd registers
  through /etc/reader.conf.d, read by pcscd at start); if it does not, the
  fixture fails and says to restart pcscd.
* not running -> ``pcscd -f -a`` (foreground, APDUs logged to
  ``<tmp>/pcscd.log``) is started for the session, as root, and stopped with
  SIGTERM at the end (SIGKILL after 10 s), which removes its socket and pid file.

vpcd serves slot 0 ("Virtual PCD 00 00") on TCP 35963: a test inserts a card
by connecting a :class:`VpcdCard` there and removes it by closing the socket.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.sscard.vcard import VPCD_PORT, VirtualSocialSecurityCard, VpcdCard

SLOT0 = "Virtual PCD 00 00"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


def _pcscd_path() -> str | None:
    return shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")


def _readers() -> list[str] | None:
    """Reader names, or None when no pcscd answers."""
    from smartcard.pcsc.PCSCExceptions import BaseSCardException
    from smartcard.System import readers

    try:
        return [str(r) for r in readers()]
    except BaseSCardException:
        return None


def card_present(reader: str) -> bool:
    """Whether pcscd currently reports a card in `reader`."""
    from smartcard import scard

    rc, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
    try:
        rc, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(ctx)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _wait_for_vpcd_port(timeout: float = 70.0) -> None:
    """vpcd binds TCP 35963 without SO_REUSEADDR: a socket of this suite that happened to
    get it as an ephemeral port and sits in TIME_WAIT (60 s) makes pcscd come up without
    the reader. Wait until the port is free (./dev.sh also reserves it from the kernel's
    ephemeral range)."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", VPCD_PORT))
                return
            except OSError as e:
                if time.monotonic() > deadline:
                    pytest.fail(f"TCP {VPCD_PORT} (vpcd) stayed busy for {timeout:.0f} s: {e}")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A pcscd with vpcd's readers; yields the slot-0 reader name."""
    exe = _pcscd_path()
    if exe is None:
        pytest.skip("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
    if not VPCD_DRIVER.exists():
        pytest.fail(f"vsmartcard-vpcd is not installed ({VPCD_DRIVER} missing)")
    proc: subprocess.Popen[bytes] | None = None
    log = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
    names = _readers()
    if names is None:
        if os.geteuid() != 0:
            pytest.fail("pcscd is not running and starting it needs root (it writes /run/pcscd)")
        _wait_for_vpcd_port()
        with log.open("wb") as out:
            proc = subprocess.Popen([exe, "-f", "-a"], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while (names := _readers()) is None or SLOT0 not in names:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                pytest.fail(f"pcscd did not come up with {SLOT0!r}:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
    elif SLOT0 not in names:
        pytest.fail(
            f"a running pcscd lists {names}, not {SLOT0!r}: restart it so it reads /etc/reader.conf.d"
        )
    try:
        yield SLOT0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Slot:
    """Slot 0 of vpcd: insert and remove virtual cards, waiting until pcscd has seen it."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self.vpcd: VpcdCard | None = None

    def insert(
        self, card: VirtualSocialSecurityCard | None = None, pull_after: int | None = None
    ) -> VirtualSocialSecurityCard:
        self.remove()
        card = card or VirtualSocialSecurityCard()
        self.vpcd = VpcdCard(card, port=35963, pull_after=pull_after)
        self.vpcd.insert(timeout=10)
        wait_until(lambda: card_present(self.reader), 10, "pcscd to see the card")
        return card

    def remove(self) -> None:
        if self.vpcd is not None:
            self.vpcd.remove()
            self.vpcd = None
            wait_until(lambda: not card_present(self.reader), 10, "pcscd to see the removal")


@pytest.fixture
def slot(pcscd: str) -> Iterator[Slot]:
    """An empty vpcd slot 0; whatever card a test left in it is removed afterwards."""
    s = Slot(pcscd)
    if card_present(pcscd):  # a card left by someone else's vicc: tests need the slot
        pytest.fail(f"{pcscd} already holds a card; stop the other virtual card")
    try:
        yield s
    finally:
        s.remove()


@pytest.fixture(autouse=True)
def no_leaked_card_threads() -> Iterator[None]:
    """Every virtual card must be removed and every watching reader closed by its test."""
    yield
    leaked = [
        t.name
        for t in threading.enumerate()
        if t.is_alive()
        and (t.name == "yichuang-vcard" or type(t).__name__.endswith("ThreadSingleton"))
    ]
    assert not leaked, f"threads left running: {leaked}"
