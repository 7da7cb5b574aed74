"""open_id_reader URLs, simulator scripts, and the simulator run as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from drivers.base import ConfigError, DeviceUnavailable, HealthState, Person
from drivers.idcard import SerialIdCardReader, open_id_reader
from drivers.idcard.errors import CardRemoved
from drivers.idcard.scripts import load_script
from drivers.idcard.sim import IdCardSimulator, SimIdCardReader

from .conftest import Rig

CARD = {
    "name": "马秀兰",
    "gender": "女",
    "nation": "回",
    "birth_date": "1985-11-20",
    "id_number": "44010619851120004X",
    "address": "广东省广州市越秀区中山五路219号",
    "authority": "广州市公安局越秀分局",
    "valid_from": "2020-01-15",
    "valid_to": "长期",
}


@pytest.mark.parametrize(
    "url",
    [
        "tcp://127.0.0.1:9100",
        "/dev/ttyUSB0",
        "sim://printer",
        "sim://idcard?colour=red",
        "serial://dev/ttyUSB0",
        "serial:///dev/ttyUSB0?timeout=soon",
        "serial:///dev/ttyUSB0?timeout=0",
        "serial:///dev/ttyUSB0?baud=fast",
    ],
)
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        open_id_reader(url)


def test_missing_serial_device_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable) as info:
        open_id_reader(f"serial://{tmp_path}/ttyUSB9")
    assert info.value.user_message == "设备未连接，请联系工作人员"


def test_sim_url_gives_a_tappable_reader(elder: Person) -> None:
    with open_id_reader("sim://idcard?timeout=0.5") as reader:
        assert isinstance(reader, SimIdCardReader)
        assert reader.reply_timeout == 0.5
        reader.tap(elder)
        assert reader.read_card() == elder


def test_serial_url_opens_the_real_driver(serial_rig: object, pty_pair: tuple[str, str]) -> None:
    # serial_rig serves the far end; a second reader on the same kiosk pty checks the URL path.
    kiosk, _ = pty_pair
    with open_id_reader(f"serial://{kiosk}?baud=115200&timeout=0.5") as reader:
        assert isinstance(reader, SerialIdCardReader)
        assert reader.health().state is HealthState.OK


def test_script_file_queues_cards_and_faults(tmp_path: Path, elder: Person) -> None:
    script = tmp_path / "cards.json"
    script.write_text(
        json.dumps(
            {
                "cards": [None, CARD, CARD | {"remove_mid_read": "status"}],
                "faults": [{"kind": "garbage", "command": "read", "garbage": "00 aa 96"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    reader = open_id_reader(f"sim://idcard?script={script}")
    assert reader.read_card() is None
    assert reader.read_card() == elder
    with pytest.raises(CardRemoved):
        reader.read_card()


@pytest.mark.parametrize(
    "script",
    [
        {"cards": [{"name": "张三"}]},
        {"cards": [CARD | {"birth_date": "1985/11/20"}]},
        {"cards": [CARD | {"shoe_size": 42}]},
        {"cards": [CARD | {"remove_mid_read": "sometimes"}]},
        {"faults": [{"kind": "meteor"}]},
        {"faults": [{"kind": "status", "status": "zz"}]},
        {"sam_status": 60},
    ],
)
def test_bad_scripts_name_the_problem(script: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as info:
        load_script(IdCardSimulator(), script)
    assert str(info.value).startswith("script")


def test_simulator_process_on_a_pty(
    tmp_path: Path, pty_pair: tuple[str, str], elder: Person
) -> None:
    kiosk, sim_path = pty_pair
    script = tmp_path / "cards.json"
    script.write_text(json.dumps({"cards": [CARD]}, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "drivers.idcard.sim", sim_path, "--script", str(script)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()  # ready (signal handlers set) before we go on
        assert first.startswith("idcard sim: answering on"), first
        with SerialIdCardReader(kiosk, reply_timeout=2) as reader:
            assert reader.poll(timeout=5) == elder
    finally:
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - start < 2
        if proc.stderr:
            proc.stderr.close()


def test_unplugged_line_is_unavailable(serial_rig: Rig, socat: subprocess.Popen[bytes]) -> None:
    # socat going away is what a pulled USB-serial adapter looks like to the kiosk.
    assert serial_rig.reader.health().state is HealthState.OK
    socat.terminate()
    socat.wait(timeout=5)
    start = time.monotonic()
    with pytest.raises(DeviceUnavailable):
        serial_rig.reader.read_card(timeout=1)
    assert time.monotonic() - start < 1.5
    assert serial_rig.reader.health().state is HealthState.OFFLINE


def test_simulator_serves_a_raw_pty_fd(pty_pair: tuple[str, str], person: Person) -> None:
    kiosk, sim_path = pty_pair
    sim = IdCardSimulator()
    sim.tap(person)
    fd = os.open(sim_path, os.O_RDWR | os.O_NOCTTY)
    stop = threading.Event()
    thread = threading.Thread(target=sim.serve, args=(fd, stop))
    thread.start()
    try:
        with SerialIdCardReader(kiosk, reply_timeout=1) as reader:
            assert reader.read_card(timeout=3) == person
    finally:
        stop.set()
        thread.join(timeout=5)
        os.close(fd)
    assert not thread.is_alive()


def test_a_script_can_lay_every_card_type() -> None:
    from hall.core.idnumber import make_id_number

    script = {
        "cards": [
            {"doc_type": "hmt_permit", "name": "陈家明", "gender": "男", "birth_date": "1950-05-12",
             "id_number": make_id_number("81000019500512002"), "permit_number": "H12345678",
             "issue_count": "02", "valid_from": "2020-01-01", "valid_to": "2025-01-01"},
            {"doc_type": "foreign_2017", "name": "", "name_en": "SMITH, JOHN", "gender": "男",
             "birth_date": "1950-03-02", "id_number": "USA110050030201", "nationality": "USA",
             "authority": "1100", "valid_from": "2018-06-01", "valid_to": "2028-06-01"},
            {"doc_type": "foreign_2023", "name": "李梅", "name_en": "LI, MEI", "gender": "女",
             "birth_date": "1958-03-02", "id_number": make_id_number("91184019580302001"),
             "nationality": "USA", "issue_count": "01", "valid_from": "2024-01-15",
             "valid_to": "2034-01-15"},
        ]
    }  # fmt: skip
    reader = SimIdCardReader(reply_timeout=0.5)
    load_script(reader.simulator, script)
    got = [reader.read_card(timeout=2.0) for _ in script["cards"]]
    assert [(p.doc_type, p.display_name) for p in got if p is not None] == [
        ("hmt_permit", "陈家明"), ("foreign_2017", "SMITH, JOHN"), ("foreign_2023", "李梅")]  # fmt: skip
    with pytest.raises(ConfigError):
        load_script(reader.simulator, {"cards": [{**script["cards"][0], "doc_type": "passport"}]})
