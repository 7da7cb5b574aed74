"""`hall bench kiosk`: tap-to-ticket time at the kiosk, in its parts (issue 19).

For each of `--tickets` citizens: a card is laid on a simulated GA 467 reader at the far
end of a socat pty pair (the real serial driver reads it: find, select, read; the
simulator takes as long per reply as 115200 baud would, `--baud`), the ticket
is issued by a real hub (`hall serve`, its own process) with the card, the paper ticket
is laid out and encoded as ESC/POS, and printed on the TCP printer emulator; the clock
stops when the printer has answered the GS r 1 sent behind the ticket, i.e. when the
ticket is complete at the printer. Printed: p50/p99/max of the whole and of each part
(read, hub round trip, render, print).

Not in the figures: the kiosk's card poll interval (the reader is asked every 0.3 s,
adding 0-0.3 s before a read starts), and paper time unless `--line-ms` gives the
printer a print time per line (the ticket's bytes complete at the printer is the end).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

PARTS = ("read", "hub", "render", "print")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tickets", type=int, default=200, help="citizens served, one after another")
    p.add_argument("--line-ms", type=float, default=0.0,
                   help="printer's print time per line (0: a printer that prints at once)")  # fmt: skip
    p.add_argument("--baud", type=int, default=115200,
                   help="serial speed the simulated reader answers at (0: as fast as the pty)")  # fmt: skip
    p.add_argument("--dir", type=Path, default=Path("."), help="where the hub's database goes")
    p.add_argument("--keep", action="store_true", help="keep the database and the hub's log")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def _line(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (f"{name:<27} p50 {_pct(ms, 0.5):7.2f}  p99 {_pct(ms, 0.99):7.2f}  "
            f"max {max(ms, default=float('nan')):7.2f} ms")  # fmt: skip


def _person(i: int) -> Any:
    from drivers.base import Person
    from hall.core.idnumber import make_id_number

    return Person(
        id_number=make_id_number(f"11010519500307{i % 1000:03d}"), name="张伟",
        birth_date=date(1950, 3, 7), source="idcard", gender="男", nation="汉",
        address="北京市朝阳区建国路88号", authority="北京市公安局朝阳分局",
        valid_from=date(2015, 6, 1), valid_to=None, valid_to_text="长期",
    )  # fmt: skip


def _ticket_print(layout: Any, value: dict[str, Any]) -> Any:
    """The paper ticket for a hub reply, as the kiosk lays it out (without the kiosk app)."""
    from drivers.printer.ticket import TicketPrint

    t = value["ticket"]
    queue = layout.queues[t["queue"]]
    return TicketPrint(
        hall_name=layout.name, number=t["number"], queue_name=queue.name, item_name="",
        floor_area_text=f"请到{queue.area}等候", people_ahead=int(value.get("ahead", 0)),
        wait_text=str(value.get("estimate_text", "")),
        issued_at=datetime.fromisoformat(t["issued_at"]), qr_payload=t["id"],
        note="请留意叫号，过号请到服务台。",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from drivers.idcard.reader import SerialIdCardReader
    from drivers.idcard.sim import IdCardSimulator
    from drivers.printer import open_printer
    from drivers.printer.emulator import PrinterEmulator
    from drivers.printer.escpos import encode_ops
    from drivers.printer.layout import layout_ticket
    from hall.cli.bench import QUEUES, _Hub
    from hall.client import HubClient
    from hall.core.layout import default_layout_path, load_layout
    from hall.wire import protocol as P

    logging.getLogger().setLevel(logging.WARNING)  # python-escpos logs every close at INFO
    if shutil.which("socat") is None:
        print("hall bench kiosk needs socat (apt-get install socat)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="hall-bench-kiosk-", dir=args.dir))
    socat = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={work}/kiosk", f"pty,raw,echo=0,link={work}/sim"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    stop = threading.Event()
    serving: threading.Thread | None = None
    reader: Any = None
    port: Any = None
    try:
        deadline = time.monotonic() + 5
        while not ((work / "kiosk").exists() and (work / "sim").exists()):
            if time.monotonic() > deadline:
                print("socat made no pty pair")
                return 1
            time.sleep(0.02)
        import serial

        sim = IdCardSimulator()
        port = serial.serial_for_url(str(work / "sim"), baudrate=115200, timeout=0.05)
        serving = threading.Thread(target=sim.serve, args=(port, stop),
                                   kwargs={"baud": args.baud}, name="bench-idcard")  # fmt: skip
        serving.start()
        reader = SerialIdCardReader(str(work / "kiosk"), reply_timeout=2.0)
        layout = load_layout(default_layout_path())
        parts: dict[str, list[float]] = {k: [] for k in PARTS}
        total: list[float] = []
        refused = 0
        with _Hub(work / "hub") as hub, PrinterEmulator(line_seconds=args.line_ms / 1000) as emu:
            printer = open_printer(f"{emu.url}?timeout=2&confirm=10")
            with HubClient(hub.endpoint, device="kiosk-1", timeout=5) as client:
                client.hello()
                printer.status()  # python-escpos loads its profiles once: not a citizen's time
                for i in range(args.tickets):
                    sim.tap(_person(i))
                    t0 = time.perf_counter()
                    person = reader.read_card(timeout=3.0)
                    t1 = time.perf_counter()
                    if person is None:
                        raise RuntimeError("the simulated reader did not find the card")
                    card = P.Card(id_number=person.id_number, name=person.name,
                                  doc_type=person.doc_type)  # fmt: skip
                    try:
                        value = client.issue(QUEUES[i % len(QUEUES)], card=card)
                    except Exception as e:  # a cap or a limit: count it, go on
                        refused += 1
                        print(f"ticket {i}: refused by the hub: {e}")
                        continue
                    t2 = time.perf_counter()
                    ticket = _ticket_print(layout, value)
                    encode_ops(layout_ticket(ticket, printer.paper))  # what print_ticket sends
                    t3 = time.perf_counter()
                    printer.print_ticket(ticket)
                    t4 = time.perf_counter()
                    for name, dt in zip(PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                        parts[name].append(dt)
                    total.append(t4 - t0)
            printed = emu.cuts
        _report(args, total, parts, printed, refused)
        return 0
    finally:
        stop.set()
        if serving is not None:
            serving.join(5)
        for device in (reader, port):
            if device is not None:
                device.close()
        socat.terminate()
        socat.wait(5)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _report(args: argparse.Namespace, total: list[float], parts: dict[str, list[float]],
            printed: int, refused: int) -> None:  # fmt: skip
    print(f"hall bench kiosk: {len(total)} tickets (card tap -> ticket complete at the printer), "
          f"{printed} cut at the emulator, {refused} refused; reader at {args.baud or 'pty'} "
          f"baud, print time per line {args.line_ms:g} ms")  # fmt: skip
    print(_line("tap -> ticket", total))
    for name, label in zip(PARTS, ("  read (find/select/read)", "  hub round trip",
                                   "  render (layout+ESC/POS)", "  print (to GS r answer)"),
                           strict=True):  # fmt: skip
        print(_line(label, parts[name]))
    p99 = _pct(total, 0.99) * 1000
    print(f"target p99 <= 300 ms: {'met' if p99 <= 300 else 'NOT met'} ({p99:.1f} ms)")
