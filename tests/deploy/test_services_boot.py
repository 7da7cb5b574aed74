"""docs/deploy.md followed under a real systemd: a Debian system booted in a container
(systemd-nspawn, this machine's own /usr, a copy of its /etc), the guide's commands run in
it as they are written, then the hub as a Type=notify service under load, an online backup
by the backup unit, the journal, a restart, the watchdog, and a restore.

`systemd-analyze verify` (test_units.py) reads the units; only running them shows what the
sandbox they ask for lets the hub do (a RestrictAddressFamilies= without AF_NETLINK made
libzmq abort the hub at every start) and whether the guide's commands work on a Debian that
has never seen them (no /etc/sysusers.d there)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.client import HubClient, HubUnavailable
from hall.net.sockets import free_hub_port
from tests.clirun import ROOT
from tests.wheelbuild import build_wheel

DOC = ROOT / "docs" / "deploy.md"
#: a Monday in the hall's hours, so that the layout's calendar lets the kiosks issue
CLOCK = "2026-12-07T09:00"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "booting a container needs root"
    if shutil.which("systemd-nspawn") is None:
        return "no systemd-nspawn (Debian's systemd-container; dev.sh installs it)"
    if not Path("/usr/bin/python3").exists():
        return "no Debian python3 for the container's venv"
    debian = subprocess.run(["/usr/bin/python3", "-c", "import sys; print(sys.version_info[:2])"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    if debian.stdout.strip() != str(sys.version_info[:2]):
        return "the venv's compiled packages need /usr/bin/python3 of the same version"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(_why_not() is not None, reason=str(_why_not()))]


def doc_block(heading: str, index: int = 0) -> str:
    """The `index`th ```sh block of the section `heading` of docs/deploy.md."""
    text = DOC.read_text("utf-8")
    section = re.split(r"^## ", text, flags=re.M)
    body = next(s for s in section if s.startswith(heading + "\n"))
    return re.findall(r"^```sh\n(.*?)^```", body, flags=re.M | re.S)[index]


class Machine:
    """A booted container; `run` is a root shell in it."""

    def __init__(self, root: Path, pid: int, nspawn: subprocess.Popen[bytes]) -> None:
        self.root, self.pid, self.nspawn = root, pid, nspawn

    def run(self, script: str, check: bool = True, timeout: float = 120) -> str:
        done = subprocess.run(
            ["nsenter", "-t", str(self.pid), "-a", "/usr/bin/env", "-i",
             "PATH=/opt/yichuang/bin:/usr/sbin:/usr/bin", "LANG=C.UTF-8",
             "/bin/bash", "-euo", "pipefail", "-c", f"cd {ROOT}\n{script}"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            journal = self.run("journalctl -n 40 --no-pager", check=False)
            raise AssertionError(f"{script}\n→ {done.returncode}\n{done.stdout}{done.stderr}\n"
                                 f"the journal's last lines:\n{journal}")  # fmt: skip
        return done.stdout

    def show(self, unit: str, *props: str) -> dict[str, str]:
        out = self.run(f"systemctl show {unit} " + " ".join(f"-p {p}" for p in props))
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


#: where the container finds this machine's venv's libraries (bound read-only at boot):
#: not under /tmp, which the hub's unit hides (PrivateTmp=yes), as it would hide a clone
#: there (CI's: the hub died with "No module named 'hall'")
LIBS = "/opt/yichuang-libs"


def _container_root(root: Path, wheel: Path) -> None:
    """/etc a copy of this machine's, /usr this machine's (bound read-only at boot), and
    /opt/yichuang a venv of Debian's python3 with this checkout's release wheel installed
    and the locked libraries of this machine's venv (the guide's install, without
    fetching the packages again)."""
    root.chmod(0o755)  # a temporary folder is 0700: nobody but root could reach /
    for d in ("var", "opt", "root", "tmp", "home", "srv"):
        (root / d).mkdir()
    (root / "tmp").chmod(0o1777)
    subprocess.run(["cp", "-a", "/etc/.", str(root / "etc")], check=True)
    (root / "etc" / "os-release").unlink(missing_ok=True)  # nspawn looks for it before /usr
    shutil.copy("/usr/lib/os-release", root / "etc" / "os-release")
    (root / "etc" / "machine-id").unlink(missing_ok=True)
    for d in ("bin", "sbin", "lib", "lib64"):
        (root / d).symlink_to(f"usr/{d}")
    venv = root / "opt" / "yichuang"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
                    "--target", str(site_packages), str(wheel)], check=True)  # fmt: skip
    # after the wheel on the path: the checkout's editable install there finds nothing first
    (site_packages / "yichuang-libs.pth").write_text(f"import site; site.addsitedir({LIBS!r})\n")
    hall = venv / "bin" / "hall"
    hall.write_text("#!/opt/yichuang/bin/python3\nimport sys\nfrom hall.cli import main\n"
                    "sys.exit(main())\n")  # fmt: skip
    hall.chmod(0o755)


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machine]:
    root = tmp_path_factory.mktemp("machine")
    _container_root(root, build_wheel(tmp_path_factory.mktemp("wheel")))
    log_path = root.parent / "nspawn.log"
    log = log_path.open("wb")
    libs = sysconfig.get_paths()["purelib"]
    binds = [f"--bind-ro={ROOT}", f"--bind-ro={libs}:{LIBS}"]
    nspawn = subprocess.Popen(
        ["systemd-nspawn", "-q", "-D", str(root), "--bind-ro=/usr", *binds,
         f"--machine=yichuang-test-{os.getpid()}", "--register=no", "--keep-unit", "--boot",
         "--", "--unit=basic.target"],  # systemd's: none of this machine's own services
        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        pid = _init_pid(nspawn, log_path)
        m = Machine(root, pid, nspawn)
        state = ""
        end = time.monotonic() + 120
        while state not in ("running", "degraded") and time.monotonic() < end:
            time.sleep(0.5)  # until systemd listens, systemctl cannot even ask
            state = m.run("systemctl is-system-running --wait || true", timeout=120).strip()
        assert state in ("running", "degraded"), state
        yield m
    finally:
        nspawn.terminate()  # the container shuts down
        try:
            nspawn.wait(60)
        except subprocess.TimeoutExpired:
            nspawn.kill()
            nspawn.wait()
        log.close()


def _init_pid(nspawn: subprocess.Popen[bytes], log: Path) -> int:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if nspawn.poll() is not None:
            raise AssertionError(f"the container did not boot: {log.read_text()[-2000:]}")
        for child in Path(f"/proc/{nspawn.pid}/task/{nspawn.pid}/children").read_text().split():
            if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                return int(child)
        time.sleep(0.1)
    raise AssertionError("no systemd in the container within 60 s")


def _load(endpoint: str, keys: Path, stop: threading.Event, acked: list[tuple[float, str]],
          failures: list[BaseException]) -> None:  # fmt: skip
    def kiosk(name: str) -> None:
        with HubClient(endpoint, device=name, keys=keys, timeout=2.0, retries=4) as c:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    t = c.issue("GM"[n % 2])["ticket"]
                except HubUnavailable:
                    continue
                except BaseException as e:
                    failures.append(e)
                    return
                acked.append((time.monotonic(), t["id"]))
                time.sleep(0.01)

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in ("kiosk-1", "kiosk-2")]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join(30)


def _ids(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM tickets")}
    finally:
        conn.close()


def _wait(what: str, test: object, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not test():  # type: ignore[operator]
        assert time.monotonic() < end, what
        time.sleep(0.2)


def test_the_guide_installs_a_hub_that_serves_backs_up_and_restores(machine: Machine) -> None:
    port = free_hub_port()
    endpoint = f"tcp://127.0.0.1:{port}"
    # "Machines": the user and the services, as written
    machine.run(doc_block("Machines"))
    groups = machine.run("id -nG yichuang").split()
    assert {"yichuang", "dialout", "lp", "audio", "video", "input"} <= set(groups), groups
    # "Keys": the layout and the keys, as written
    machine.run(doc_block("Keys"))
    # "The hub as a service", with this test's port and a clock in the hall's hours
    hub_block = doc_block("The hub as a service").replace("tcp://127.0.0.1:7700", endpoint)
    settings = f"printf 'HALL_BIND={endpoint}\\nHALL_ARGS=--clock-start {CLOCK}\\n' >> /etc/yichuang/hub.conf"
    hub_block = re.sub(r"^cp deploy/etc/hub\.conf .*$", lambda m: f"{m[0]}\n{settings}", hub_block,
                       flags=re.M)  # fmt: skip
    assert settings in hub_block
    status = machine.run(hub_block)
    assert "queues" in status, status  # hall status reached the hub through CURVE
    hub = machine.show("yichuang-hub", "ActiveState", "StatusText", "MainPID", "NRestarts")
    assert hub["ActiveState"] == "active" and hub["StatusText"] == f"serving {endpoint}", hub
    assert machine.run(f"ps -o user= -p {hub['MainPID']}").strip() == "yichuang"

    # Under load from two kiosks (CURVE, the keys the guide made), the backup unit runs.
    keys = machine.root / "etc" / "yichuang" / "keys"
    stop, acked, failures = threading.Event(), [], []  # type: ignore[var-annotated]
    load = threading.Thread(target=_load, args=(endpoint, keys, stop, acked, failures))
    load.start()
    try:
        _wait("tickets issued", lambda: len(acked) > 50 or failures)
        began = time.monotonic()
        machine.run("systemctl start yichuang-backup.service")
        ended = time.monotonic()
        n = len(acked)
        _wait("tickets issued after the backup", lambda: len(acked) > n + 20 or failures)
    finally:
        stop.set()
        load.join(60)
    assert not failures, failures
    backups = sorted((machine.root / "var/lib/yichuang-backups").glob("hall-*.db"))
    assert len(backups) == 1, backups
    saved = _ids(backups[0])
    before = {tid for at, tid in acked if at < began}
    after = {tid for at, tid in acked if at > ended}
    assert len(before) > 50 and after
    assert before <= saved, sorted(before - saved)[:5]
    assert not after & saved
    assert backups[0].stat().st_uid == (machine.root / "var/lib/yichuang").stat().st_uid != 0

    # The journal: one entry per line, the priority taken from the line, no time in it.
    entries = [json.loads(line) for line in
               machine.run("journalctl -u yichuang-hub -o json --no-pager").splitlines()]  # fmt: skip
    hub_lines = [e for e in entries if e.get("SYSLOG_IDENTIFIER") == "yichuang-hub"]
    assert hub_lines
    assert all(isinstance(e["MESSAGE"], str) for e in hub_lines)
    assert {(e["PRIORITY"], e["MESSAGE"].split()[0]) for e in hub_lines} == {("6", "INFO")}
    assert any(re.fullmatch(r"INFO hall\.hub: kiosk-1 issue ok [\d.]+ms", e["MESSAGE"])
               for e in hub_lines)  # fmt: skip
    assert "备份完成" in machine.run("journalctl -u yichuang-backup --no-pager")

    # Restarted when it dies (Restart=on-failure).
    machine.run(f"kill -KILL {hub['MainPID']}")
    _wait("restarted", lambda: machine.show("yichuang-hub", "NRestarts")["NRestarts"] == "1")
    _wait("active again",
          lambda: machine.show("yichuang-hub", "ActiveState")["ActiveState"] == "active")  # fmt: skip

    # The watchdog: fed while the hub runs, so a short one does not fire; a frozen hub is
    # killed and restarted.
    machine.run("mkdir -p /etc/systemd/system/yichuang-hub.service.d && printf "
                "'[Service]\\nWatchdogSec=3\\n' > /etc/systemd/system/yichuang-hub.service.d/"
                "test.conf && systemctl daemon-reload && systemctl restart yichuang-hub")  # fmt: skip
    time.sleep(8)
    fed = machine.show("yichuang-hub", "NRestarts", "ActiveState", "MainPID")
    assert fed["NRestarts"] == "0" and fed["ActiveState"] == "active", fed  # (restart: from 0)
    machine.run(f"kill -STOP {fed['MainPID']}")
    _wait("watchdog restart", lambda: machine.show("yichuang-hub", "NRestarts")["NRestarts"] == "1")
    # the journal's structured field, not its sentence (systemd's words may change)
    entries = machine.run("journalctl -u yichuang-hub -o json --no-pager").splitlines()
    assert any(json.loads(e).get("UNIT_RESULT") == "watchdog" for e in entries if e.startswith("{"))
    machine.run("rm -r /etc/systemd/system/yichuang-hub.service.d && systemctl daemon-reload")

    # Backups by hand, as root, as the guide shows: the copies as private as the database
    machine.run(doc_block("Backups and restore"))
    by_hand = machine.root / "var/lib/yichuang-backups/now.db"
    assert by_hand.stat().st_mode & 0o777 == 0o640
    assert len(list(by_hand.parent.glob("hall-*.db"))) == 2

    # Restore, as the guide says (as root, the hub stopped), then the hub serves it.
    restore = doc_block("Backups and restore", 1)
    restore = re.sub(r"--from \S+", f"--from /var/lib/yichuang-backups/{backups[0].name}",
                     restore)  # fmt: skip
    said = machine.run(restore)
    assert "恢复完成" in said, said
    db = machine.root / "var/lib/yichuang/hall.db"
    assert _ids(db) == saved
    assert db.stat().st_uid == (machine.root / "var/lib/yichuang").stat().st_uid
    _wait("serving the restored database",
          lambda: machine.show("yichuang-hub", "StatusText")["StatusText"].startswith("serving"))  # fmt: skip
    with HubClient(endpoint, device="kiosk-1", keys=keys, timeout=5.0) as c:
        assert c.issue("G")["ticket"]["id"] not in saved

    # The timer is there to enable; a stop is a clean stop.
    machine.run("systemctl enable --now yichuang-backup.timer")
    timer = machine.show("yichuang-backup.timer", "ActiveState", "NextElapseUSecRealtime")
    assert timer["ActiveState"] == "active" and timer["NextElapseUSecRealtime"], timer
    machine.run("systemctl stop yichuang-hub")
    stopped = machine.show("yichuang-hub", "Result", "ExecMainStatus")
    assert stopped == {"Result": "success", "ExecMainStatus": "0"}, stopped
    assert "INFO hall.hub: hub stopping" in machine.run(
        "journalctl -u yichuang-hub -n 20 --no-pager"
    )
