"""What every device driver shares: health, errors, device URLs, the Person record.

Drivers never import Qt, the apps or the hub. Each device kind has a small
interface, a real implementation and a simulator; the app picks one from a
config URL through the factory of that kind (see ``drivers.factory``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit


class HealthState(enum.Enum):
    """How a device is doing, as the kiosk and the manager show it."""

    OK = "ok"
    DEGRADED = "degraded"  # works, but needs attention (paper low, ...)
    OFFLINE = "offline"  # cannot work now
    UNKNOWN = "unknown"  # no answer: never assume "ok"


@dataclass(frozen=True)
class Health:
    """A device's health with a reason a person can read (Chinese) and a code for machines."""

    state: HealthState
    reason: str = ""
    code: str = ""

    @property
    def ok(self) -> bool:
        return self.state is HealthState.OK


def working_health(checks: Iterable[Health]) -> Health:
    """What a device reports while it works, from its parts' checks: a simulator's own
    health (code "sim", which says it is one) if a part is one, else a plain OK. A simulator
    is never reported as a real device that works (issue 18)."""
    return next((h for h in checks if h.code == "sim"), Health(HealthState.OK))


class DriverError(Exception):
    """Base of every driver error. `user_message` is one plain Chinese sentence."""

    user_message = "设备故障，请联系工作人员"

    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message)
        if user_message is not None:
            self.user_message = user_message


class DeviceTimeout(DriverError):
    """The device did not answer within the configured timeout."""

    user_message = "设备无响应，请稍后再试"


class DeviceUnavailable(DriverError):
    """The device cannot be opened or reached."""

    user_message = "设备未连接，请联系工作人员"


class ConfigError(DriverError):
    """A device URL or option in the configuration is wrong."""


@dataclass(frozen=True)
class DeviceURL:
    """A parsed device URL: ``serial:///dev/ttyUSB0?baud=115200``, ``tcp://host:9100``, ``sim://name``."""

    scheme: str
    host: str
    port: int | None
    path: str
    params: dict[str, str] = field(default_factory=dict)
    raw: str = ""

    def param(self, key: str, default: str | None = None) -> str | None:
        return self.params.get(key, default)

    def float_param(self, key: str, default: float) -> float:
        v = self.params.get(key)
        if v is None:
            return default
        try:
            return float(v)
        except ValueError as e:
            raise ConfigError(f"{self.raw}: option {key}={v!r} is not a number") from e

    def int_param(self, key: str, default: int) -> int:
        v = self.params.get(key)
        if v is None:
            return default
        try:
            return int(v, 0)
        except ValueError as e:
            raise ConfigError(f"{self.raw}: option {key}={v!r} is not an integer") from e


def parse_device_url(url: str, allowed: tuple[str, ...] | None = None) -> DeviceURL:
    """Parse a device URL; raise ConfigError naming what is wrong."""
    if "://" not in url:
        raise ConfigError(
            f"device URL {url!r} has no scheme (expected e.g. serial://, tcp://, sim://)"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if allowed is not None and scheme not in allowed:
        raise ConfigError(f"device URL {url!r}: scheme {scheme!r} not one of {', '.join(allowed)}")
    params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    try:
        port = parts.port
    except ValueError as e:
        raise ConfigError(f"device URL {url!r}: bad port") from e
    return DeviceURL(
        scheme=scheme,
        host=unquote(parts.hostname or ""),
        port=port,
        path=unquote(parts.path),
        params=params,
        raw=url,
    )


@dataclass(frozen=True)
class Person:
    """A citizen as read from a card: what the kiosk needs, nothing more (never the photo)."""

    id_number: str
    name: str
    birth_date: date | None
    source: str  # "idcard" (GA 467 resident ID) or "sscard" (social security card)
    gender: str = ""  # "男" / "女" / ""
    nation: str = ""
    address: str = ""
    authority: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # None with valid_to_text "长期"
    valid_to_text: str = ""
    card_number: str = ""  # social security card number
    # The document (hall.core.idnumber.DOCUMENT_TYPES): resident ID card, HK/Macao/Taiwan
    # residence permit, foreign permanent resident card 2017/2023, social security number.
    doc_type: str = "resident"
    name_en: str = ""  # foreign permanent resident cards: the English name, whole
    nationality: str = ""  # foreign permanent resident cards: GB/T 2659 alpha-3 ("USA")
    permit_number: str = ""  # HK/Macao/Taiwan permit: the travel permit number (通行证号码)
    issue_count: str = ""  # HK/Macao/Taiwan permit: times issued; 2023 card: times renewed

    @property
    def display_name(self) -> str:
        """The name to greet and to send on: the Chinese name, else the English one."""
        return self.name or self.name_en

    def __repr__(self) -> str:  # never print an ID number in clear (logs, tracebacks)
        from hall.core.idnumber import mask_id, mask_name

        return (
            f"Person(id={mask_id(self.id_number)}, name={mask_name(self.display_name)}, "
            f"source={self.source}, doc={self.doc_type})"
        )
