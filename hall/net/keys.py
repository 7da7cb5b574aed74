"""Device keys and the device registry (DESIGN.md §5, Security).

A keys directory holds the hub's CURVE key pair, one key pair per device, the
registry that says which public key belongs to which device, and the hall secret
used to hash ID numbers::

    DIR/hub.key, DIR/hub.key_secret           the hub's certificate (zmq.auth format)
    DIR/devices/<id>.key, <id>.key_secret     one per device
    DIR/registry.json                         id, role, window or floor, enabled, public key
    DIR/hall.secret                           32 random bytes, hex

Secrets are mode 0600 in 0700 directories. The registry is the only file that
changes while the hub runs (`hall keys add|disable|enable`); it is replaced
atomically (temp file, fsync, rename) under a lock file, so a reader sees the old
file or the new one, never half of one, and two writers never lose each other's
change. The hub notices a change with `Registry.reload_if_changed`, a stat call.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import zmq
import zmq.auth

from hall.core.layout import Layout

log = logging.getLogger(__name__)

ROLES = ("kiosk", "counter", "display", "rating", "manager", "web", "desk")
REGISTRY_FILE = "registry.json"
HALL_SECRET_FILE = "hall.secret"
LAYOUT_FILE = "layout.path"  # the layout `init` was given: what `add` checks against by default
HUB_NAME = "hub"
DEVICES_DIR = "devices"
_LOCK_FILE = ".registry.lock"
_FORMAT = 1
#: at most 40 characters: a device's request ids (`device:session.n`) must fit the
#: protocol's 64 bytes (hall.wire.protocol.MAX_REQ_ID)
_DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


class KeysError(Exception):
    """A keys directory or a registry change is wrong; the message says what to do."""


class UnknownDevice(KeysError):
    """No device with that id is registered."""


@dataclass(frozen=True)
class Device:
    """One registered device: who it is (id, role, window or floor) and its public key."""

    id: str
    role: str
    window: int | None
    floor: str | None
    enabled: bool
    public_key: str  # Z85, 40 characters


def _device_from_json(d: Any, source: str) -> Device:
    try:
        dev = Device(
            id=str(d["id"]),
            role=str(d["role"]),
            window=None if d.get("window") is None else int(d["window"]),
            floor=None if d.get("floor") is None else str(d["floor"]),
            enabled=bool(d["enabled"]),
            public_key=str(d["public_key"]),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise KeysError(f"{source}: a device entry is malformed ({e!r})") from e
    if dev.role not in ROLES or len(dev.public_key) != 40:
        raise KeysError(f"{source}: device {dev.id!r} has a bad role or public key")
    return dev


def _read_registry(path: Path) -> tuple[tuple[Device, ...], tuple[int, ...]]:
    """The devices in a registry file and the stamp of exactly the file read."""
    try:
        with open(path, "rb") as f:
            stamp = _stamp_of(os.fstat(f.fileno()))
            data = json.loads(f.read().decode("utf-8"))
    except FileNotFoundError as e:
        raise KeysError(f"{path}: no device registry here; run `hall keys init` first") from e
    except (OSError, ValueError) as e:
        raise KeysError(f"{path}: cannot read the device registry ({e})") from e
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise KeysError(f"{path}: not a registry of format {_FORMAT}")
    return tuple(_device_from_json(d, str(path)) for d in data.get("devices", [])), stamp


class Registry:
    """The devices allowed to talk to the hub, loaded from DIR/registry.json.

    Lookups and `reload_if_changed` are safe from several threads (the hub thread
    and the ZAP authenticator both use one Registry).
    """

    def __init__(self, directory: Path, devices: tuple[Device, ...], stamp: tuple[int, ...]):
        self.directory = directory
        self._lock = threading.Lock()
        self._refused: tuple[int, ...] | None = None  # stamp of a file that did not load
        self._set(devices, stamp)

    def _set(self, devices: tuple[Device, ...], stamp: tuple[int, ...]) -> None:
        # Rebind whole dicts so a reader in another thread sees the old set or the new one.
        self._devices = devices
        self._by_id = {d.id: d for d in devices}
        self._by_key = {d.public_key: d for d in devices}
        self._stamp = stamp

    @property
    def path(self) -> Path:
        return self.directory / REGISTRY_FILE

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Registry:
        """Read DIR/registry.json; KeysError if it is missing or malformed."""
        d = Path(directory)
        devices, stamp = _read_registry(d / REGISTRY_FILE)
        return cls(d, devices, stamp)

    def device(self, device_id: str) -> Device | None:
        """The device with this id, or None."""
        return self._by_id.get(device_id)

    def by_public_key(self, z85: str | bytes) -> Device | None:
        """The device whose CURVE public key (Z85) this is, or None."""
        key = z85.decode("ascii", "replace") if isinstance(z85, bytes) else z85
        return self._by_key.get(key)

    def devices(self) -> tuple[Device, ...]:
        """Every registered device, enabled or not, in registry order."""
        return self._devices

    def reload_if_changed(self) -> bool:
        """Re-read the registry if its file changed (one stat call); True if it was re-read.

        Look the device up again after calling: False only means *this* call did not
        re-read the file (another thread sharing the registry may have).

        A file that cannot be read keeps the last good registry (logged): a broken
        file must not let anyone new in, and a disable always arrives as a whole file.
        """
        try:
            stamp = _stamp(self.path)
        except KeysError:
            stamp = ()  # missing: say so once, not on every message
        if stamp == self._stamp or stamp == self._refused:
            return False
        with self._lock:
            if stamp == self._stamp or stamp == self._refused:
                return False
            try:
                devices, stamp = _read_registry(self.path)
            except KeysError as e:
                log.error("%s; keeping the last registry read", e)
                self._refused = stamp
                return False
            self._set(devices, stamp)
        log.info("device registry reloaded: %d devices", len(devices))
        return True


def _stamp_of(st: os.stat_result) -> tuple[int, ...]:
    # The inode changes on every atomic replace, so equal mtimes cannot hide a change.
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _stamp(path: Path) -> tuple[int, ...]:
    try:
        return _stamp_of(os.stat(path))
    except OSError as e:
        raise KeysError(f"{path}: no device registry here; run `hall keys init` first") from e


# ------------------------------------------------------------------ writing


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data`: temp file in the same directory, fsync, rename, fsync dir."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _write_registry(directory: Path, devices: tuple[Device, ...]) -> None:
    doc = {"format": _FORMAT, "devices": [asdict(d) for d in devices]}
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    write_atomic(directory / REGISTRY_FILE, text.encode("utf-8"), 0o600)


@contextlib.contextmanager
def _registry_locked(directory: Path, *, new: bool = False) -> Iterator[None]:
    """Serialise read-modify-write of the registry between processes. Only `init` (`new`)
    may lock a folder without a registry: a mistaken `keys add` on some other folder must
    not leave a lock file there."""
    if not directory.is_dir() or not (new or (directory / REGISTRY_FILE).exists()):
        raise KeysError(f"{directory}: no keys directory here; run `hall keys init` first")
    fd = os.open(directory / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _new_key_pair(directory: Path, device_id: str) -> str:
    """Make DIR/devices/<id>.key(_secret); return the public key (Z85)."""
    devices_dir = directory / DEVICES_DIR
    devices_dir.mkdir(mode=0o700, exist_ok=True)
    # create_certificates writes with the umask; the 0700 directory keeps the secret
    # unreadable to others until the chmod.
    _, secret_file = zmq.auth.create_certificates(devices_dir, device_id)
    os.chmod(secret_file, 0o600)
    public, _ = zmq.auth.load_certificate(secret_file)
    return public.decode("ascii")


def _check_device(
    device_id: str, role: str, window: int | None, floor: str | None
) -> tuple[int | None, str | None]:
    if not _DEVICE_ID.match(device_id) or device_id == HUB_NAME:
        raise KeysError(
            f"device id {device_id!r}: use letters, digits, '-', '_' or '.' "
            "(like counter-12), at most 40, and not 'hub'"
        )
    if role not in ROLES:
        raise KeysError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role in ("counter", "rating"):
        if window is None:
            raise KeysError(f"a {role} device belongs to a window: give --window N")
        if window <= 0:
            raise KeysError(f"window numbers are positive, got {window}")
        if floor is not None:
            raise KeysError(f"a {role} device belongs to a window, not a floor: drop --floor")
    elif window is not None:
        raise KeysError(f"a {role} device has no window: drop --window")
    if role in ("manager", "web", "desk") and floor is not None:
        raise KeysError(f"a {role} device serves the whole hall: drop --floor")
    if floor == "":
        floor = None
    return window, floor


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] -> '1–3, 5, 7–8'."""
    out: list[str] = []
    for n in sorted(numbers):
        if out and int(out[-1].rpartition("–")[2]) == n - 1:
            out[-1] = f"{out[-1].partition('–')[0]}–{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def check_in_layout(layout: Layout, window: int | None, floor: str | None) -> None:
    """KeysError unless the window and the floor are ones `layout` has: a counter for a
    window the hall does not have would be served by the hub all the same."""
    again = "(another hall: give --layout FILE)"
    if window is not None and window not in layout.windows:
        raise KeysError(
            f"window {window} is not in the hall layout {layout.source}: its windows are "
            f"{_ranges(list(layout.windows))} {again}"
        )
    floors = [f.id for f in layout.floors]
    if floor is not None and floor not in floors:
        raise KeysError(
            f"floor {floor!r} is not in the hall layout {layout.source}: its floors are "
            f"{', '.join(floors)} {again}"
        )


def add_device(
    directory: str | os.PathLike[str],
    device_id: str,
    role: str,
    window: int | None = None,
    floor: str | None = None,
    *,
    layout: Layout | None = None,
) -> Device:
    """Register a new device with a fresh key pair. A running hub picks it up.

    With `layout`, its window or floor must be one the hall has (`check_in_layout`).
    """
    d = Path(directory)
    window, floor = _check_device(device_id, role, window, floor)
    if layout is not None:
        check_in_layout(layout, window, floor)
    with _registry_locked(d):
        devices, _ = _read_registry(d / REGISTRY_FILE)
        if any(x.id == device_id for x in devices):
            raise KeysError(
                f"device {device_id!r} is already registered; disable it and add a new id "
                "to replace its key"
            )
        public = _new_key_pair(d, device_id)
        dev = Device(device_id, role, window, floor, True, public)
        _write_registry(d, (*devices, dev))
    return dev


def set_enabled(directory: str | os.PathLike[str], device_id: str, enabled: bool) -> Device:
    """Enable or disable a device. A disabled device's next handshake is refused and the
    hub cuts off its open connection on its next message."""
    return change_enabled(directory, device_id, enabled)[0]


def change_enabled(
    directory: str | os.PathLike[str], device_id: str, enabled: bool
) -> tuple[Device, bool]:
    """`set_enabled`, and whether that changed anything (False: it already was; the
    registry file is then left as it is)."""
    d = Path(directory)
    with _registry_locked(d):
        devices, _ = _read_registry(d / REGISTRY_FILE)
        found = next((x for x in devices if x.id == device_id), None)
        if found is None:
            raise UnknownDevice(f"no device {device_id!r} in {d / REGISTRY_FILE}")
        if found.enabled == enabled:
            return found, False
        changed = Device(found.id, found.role, found.window, found.floor, enabled, found.public_key)
        _write_registry(d, tuple(changed if x.id == device_id else x for x in devices))
    return changed, True


def layout_devices(layout: Layout) -> list[tuple[str, str, int | None, str | None]]:
    """(id, role, window, floor) of every device a layout names."""
    out: list[tuple[str, str, int | None, str | None]] = []
    out += [(k.id, "kiosk", None, k.floor) for k in layout.kiosks]
    for n in layout.windows:
        out.append((f"counter-{n}", "counter", n, None))
        out.append((f"rating-{n}", "rating", n, None))
    out += [(f"display-{f.id}", "display", None, f.id) for f in layout.floors]
    out.append(("display-all", "display", None, None))
    out += [(m, "manager", None, None) for m in layout.managers]
    out.append(("web-1", "web", None, None))  # the web gateway (hall web)
    out += [(d, "desk", None, None) for d in layout.desks]
    return out


def init_keys(
    directory: str | os.PathLike[str], layout: Layout, *, force: bool = False
) -> Registry:
    """Make a keys directory for `layout`: hub key pair, one key pair per device, the
    registry, the hall secret, and the layout file's path (`layout_of`).

    An existing non-empty directory is refused unless `force`; then every key is
    replaced (devices added later are dropped) but an existing hall.secret is kept,
    because ID-number hashes already stored for today were made with it.
    """
    d = Path(directory)
    if d.exists() and any(p.name != _LOCK_FILE for p in d.iterdir()) and not force:
        raise KeysError(f"{d} already exists and is not empty; use --force to replace its keys")
    planned = layout_devices(layout)
    seen: set[str] = set()
    for device_id, role, window, floor in planned:
        _check_device(device_id, role, window, floor)
        if device_id in seen:
            raise KeysError(f"{layout.source}: device id {device_id!r} appears twice")
        seen.add(device_id)
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    with _registry_locked(d, new=True):
        if force:
            for old in (d / DEVICES_DIR).glob("*.key*"):
                old.unlink()
        _, hub_secret = zmq.auth.create_certificates(d, HUB_NAME)
        os.chmod(hub_secret, 0o600)
        devices = tuple(
            Device(i, role, window, floor, True, _new_key_pair(d, i))
            for i, role, window, floor in planned
        )
        _write_registry(d, devices)
        # absolute, not resolved: a `current -> v2` symlink keeps meaning the current layout
        source = os.path.abspath(layout.source)
        write_atomic(d / LAYOUT_FILE, (source + "\n").encode(), 0o644)
        if not (d / HALL_SECRET_FILE).exists():
            write_atomic(d / HALL_SECRET_FILE, (secrets.token_hex(32) + "\n").encode(), 0o600)
    return Registry.load(d)


def layout_of(directory: str | os.PathLike[str]) -> Path | None:
    """The layout file `hall keys init` made this keys directory for, as an absolute path;
    None for a directory made before it was recorded (no such file). KeysError if the record
    cannot be read or is empty."""
    path = Path(directory) / LAYOUT_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise KeysError(f"{path}: unreadable ({e}); give --layout FILE") from e
    if not text:
        raise KeysError(f"{path} is empty: write the hall layout file's path into it, "
                        "or give --layout FILE")  # fmt: skip
    return Path(os.path.abspath(text))


def load_hall_secret(directory: str | os.PathLike[str]) -> bytes:
    """The hall secret (32 bytes) for keyed hashes of ID numbers."""
    path = Path(directory) / HALL_SECRET_FILE
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError as e:
        raise KeysError(f"{path}: no hall secret; run `hall keys init` first") from e
    except (OSError, ValueError) as e:
        raise KeysError(f"{path}: unreadable hall secret ({e})") from e
    if len(secret) != 32:
        raise KeysError(f"{path}: the hall secret must be 32 bytes, got {len(secret)}")
    return secret


def _load_cert(path: Path, need_secret: bool) -> tuple[bytes, bytes | None]:
    try:
        public, secret = zmq.auth.load_certificate(path)
    except (OSError, ValueError) as e:
        raise KeysError(f"{path}: cannot read this key file ({e})") from e
    if need_secret and secret is None:
        raise KeysError(f"{path}: no secret key in this file")
    return public, secret


def hub_keys(directory: str | os.PathLike[str]) -> tuple[bytes, bytes]:
    """(public, secret) of the hub, Z85."""
    public, secret = _load_cert(Path(directory) / f"{HUB_NAME}.key_secret", True)
    assert secret is not None
    return public, secret


def client_keys(directory: str | os.PathLike[str], device_id: str) -> tuple[bytes, bytes, bytes]:
    """(public, secret, server_public) for a device's app, Z85.

    Needs only DIR/devices/<id>.key_secret and DIR/hub.key, so a device can be
    given a copy of just its own key and the hub's public key.
    """
    d = Path(directory)
    if not _DEVICE_ID.match(device_id):
        raise KeysError(f"device id {device_id!r} is not a valid device id")
    if not d.is_dir():
        raise UnknownDevice(
            f"no keys directory {d} for device {device_id!r}: give --keys the folder made "
            "by `hall keys init` (or a copy of hub.key and devices/<id>.key_secret)"
        )
    secret_file = d / DEVICES_DIR / f"{device_id}.key_secret"
    if not secret_file.exists():
        raise UnknownDevice(
            f"no key for device {device_id!r} in {d / DEVICES_DIR}: is the device id right? "
            "(`hall keys list DIR` on the hub shows the registered devices)"
        )
    public, secret = _load_cert(secret_file, True)
    server_public, _ = _load_cert(d / f"{HUB_NAME}.key", False)
    assert secret is not None
    return public, secret, server_public
