"""Fixtures for the ID-card reader: sample citizens, a socat pty pair, and reader rigs.

A rig is a reader plus the simulator behind it. The behaviour suite runs on
two rigs: the real SerialIdCardReader over a socat pty pair with the simulator
serving the far end in a thread, and the in-process SimIdCardReader.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import serial

from drivers.base import Person
from drivers.idcard.reader import ProtocolIdCardReader, SerialIdCardReader
from drivers.idcard.sim import IdCardSimulator, SimIdCardReader
from hall.core.idnumber import make_id_number

# Short, so that fault tests are quick; read_card timeouts in the tests are longer.
REPLY_TIMEOUT = 0.5


@pytest.fixture
def person() -> Person:
    """A realistic citizen with a valid check digit and a dated card."""
    return Person(
        id_number=make_id_number("11010519900307001"),
        name="张伟",
        birth_date=date(1990, 3, 7),
        source="idcard",
        gender="男",
        nation="汉",
        address="北京市朝阳区建国路88号院3号楼2单元501室",
        authority="北京市公安局朝阳分局",
        valid_from=date(2015, 6, 1),
        valid_to=date(2035, 6, 1),
        valid_to_text="20350601",
    )


@pytest.fixture
def elder() -> Person:
    """A citizen with a long-term card ("长期") and an X check digit."""
    return Person(
        id_number=make_id_number("44010619851120004"),
        name="马秀兰",
        birth_date=date(1985, 11, 20),
        source="idcard",
        gender="女",
        nation="回",
        address="广东省广州市越秀区中山五路219号",
        authority="广州市公安局越秀分局",
        valid_from=date(2020, 1, 15),
        valid_to=None,
        valid_to_text="长期",
    )


@pytest.fixture
def socat(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A socat pty pair linked at tmp_path/kiosk and tmp_path/sim; stopped afterwards."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed (apt-get install socat)")
    kiosk, sim = tmp_path / "kiosk", tmp_path / "sim"
    proc = subprocess.Popen(
        ["socat", "-d", "-d", f"pty,raw,echo=0,link={kiosk}", f"pty,raw,echo=0,link={sim}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 5
        while not (kiosk.exists() and sim.exists()):
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"socat did not create the pty pair: {err}")
            time.sleep(0.02)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture
def pty_pair(socat: subprocess.Popen[bytes], tmp_path: Path) -> tuple[str, str]:
    """(kiosk, sim) paths of the socat pty pair."""
    return str(tmp_path / "kiosk"), str(tmp_path / "sim")


@dataclass
class Rig:
    """A reader under test and the simulator that plays the hardware behind it."""

    reader: ProtocolIdCardReader
    sim: IdCardSimulator


@pytest.fixture
def serial_rig(pty_pair: tuple[str, str]) -> Iterator[Rig]:
    """SerialIdCardReader on the kiosk end, the simulator serving the far end in a thread."""
    kiosk, sim_path = pty_pair
    sim = IdCardSimulator()
    port = serial.serial_for_url(sim_path, baudrate=115200, timeout=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=sim.serve, args=(port, stop), name="idcard-sim")
    thread.start()
    reader = SerialIdCardReader(kiosk, reply_timeout=REPLY_TIMEOUT)
    try:
        yield Rig(reader, sim)
    finally:
        reader.close()
        stop.set()
        thread.join(timeout=5)
        port.close()
        assert not thread.is_alive(), "simulator thread did not stop"


@pytest.fixture(params=[pytest.param("serial", marks=pytest.mark.hardware), "sim"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    """Each behaviour test runs on the real serial driver and on the sim:// reader."""
    if request.param == "serial":
        yield request.getfixturevalue("serial_rig")
        return
    reader = SimIdCardReader(reply_timeout=REPLY_TIMEOUT)
    try:
        yield Rig(reader, reader.simulator)
    finally:
        reader.close()
