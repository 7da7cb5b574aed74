"""The PC/SC social security card reader (pyscard over pcscd).

``pcsc://NAME`` picks a reader by name: exact, else case-insensitively, else by
prefix, else by any part of its name (percent-encoded, e.g. ``pcsc://ACR1281`` or
``pcsc://Virtual%20PCD%2000%2000``); use it in a hall, where a dual reader lists
several slots. ``pcsc://`` alone uses whichever reader has a card first. (P)SAM slots
are skipped either way. ``read_card`` blocks:
call it from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

from smartcard.CardMonitoring import CardMonitor, CardMonitoringThread, CardObserver
from smartcard.CardRequest import CardRequest
from smartcard.Exceptions import (
    CardConnectionException,
    CardRequestTimeoutException,
    NoCardException,
    SmartcardException,
)
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCardCancel
from smartcard.System import readers as list_readers

from drivers.base import DeviceUnavailable, Health, HealthState, Person

from . import apdu
from .errors import CardRemoved, NoCard, SocialSecurityCardError
from .interface import CardEvent, EventCallback, EventSink
from .session import read_person

log = logging.getLogger(__name__)

_NO_SERVICE = "读卡服务未运行，请联系工作人员"


# Dual-slot readers list their security-module slots as readers of their own ("… PSAM1 00 00",
# "… SAM 00 01"); a SAM answers a card request like a card, but is never the citizen's.
_SAM_SLOT = re.compile(r"(?<![a-z])p?sam\d*(?![a-z])", re.IGNORECASE)


def is_sam_slot(name: str) -> bool:
    """Whether a PC/SC reader name is a (P)SAM slot."""
    return bool(_SAM_SLOT.search(name))


def match_reader(names: list[str], wanted: str) -> str | None:
    """The reader among `names` that `wanted` designates, or None.

    Exact name, else case-insensitive name, else prefix, else any part of the name
    (``pcsc://ACR1281`` finds "ACS ACR1281 1S Dual Reader PICC 00 00"). Prefix and part
    matches skip SAM slots unless `wanted` itself names one.
    """
    low = wanted.lower()
    loose = names if is_sam_slot(wanted) else [n for n in names if not is_sam_slot(n)]
    for candidate in (
        [n for n in names if n == wanted],
        [n for n in names if n.lower() == low],
        [n for n in loose if n.lower().startswith(low)],
        [n for n in loose if low in n.lower()],
    ):
        if candidate:
            return candidate[0]
    return None


@contextlib.contextmanager
def _pcsc_errors(what: str) -> Iterator[None]:
    """Turn pyscard's exceptions into the driver's, with the user's sentence."""
    try:
        yield
    except (BaseSCardException, SmartcardException) as e:
        if getattr(e, "hresult", None) in (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED):
            raise DeviceUnavailable(
                f"{what}: pcscd not running: {e}", user_message=_NO_SERVICE
            ) from e
        raise SocialSecurityCardError(f"{what}: {e}") from e


def _release(request: Any) -> None:
    """Release a CardRequest's or connection's PC/SC context now, never from ``__del__``."""
    pcsc = getattr(request, "pcsccardrequest", request)
    try:
        pcsc.release()
    except (BaseSCardException, SmartcardException):
        # The context died with pcscd. pyscard's __del__ would try again and
        # raise where nobody can catch it; forget the handle instead.
        pcsc.hcontext = None


def _stop_card_monitor() -> None:
    """Stop pyscard's CardMonitor thread once nobody observes it.

    pyscard (2.x, start-on-demand off) starts one monitor thread per process
    and never stops it: it would outlive the readers, block up to 60 s in
    SCardGetStatusChange and print tracebacks when pcscd stops. Cancel its
    wait, join it and drop the singletons, so a later ``watch`` starts afresh.
    """
    with CardMonitor.lock:
        monitor = CardMonitor.instance
        if monitor is None or monitor.countObservers():
            return
        CardMonitor.instance = None
    thread = monitor.rmthread
    if CardMonitoringThread.instance is None:
        return
    thread.stop()
    request = thread.cardrequest  # None until the thread has started its first wait
    if request is not None and request.pcsccardrequest.hcontext is not None:
        SCardCancel(request.pcsccardrequest.hcontext)
    thread.join(5)
    if request is not None:
        _release(request)


class _Observer(CardObserver):
    """Runs on pyscard's CardMonitor thread: only filters and forwards."""

    def __init__(self, owner: SocialSecurityCardReader) -> None:
        self.owner = owner

    def update(self, observable: Any, handlers: tuple[list[Any], list[Any]]) -> None:
        added, removed = handlers
        for kind, cards in (("removed", removed), ("inserted", added)):
            for card in cards:
                if self.owner.wants(str(card.reader)):
                    event = CardEvent(kind, str(card.reader), bytes(card.atr))  # type: ignore[arg-type]
                    self.owner._emit(event)


class SocialSecurityCardReader(EventSink):
    """Reads social security cards through pcscd; reports card insertion and removal."""

    def __init__(self, reader_name: str | None = None) -> None:
        super().__init__()
        self.reader_name = reader_name or None
        self._observer: _Observer | None = None

    def wants(self, reader: str) -> bool:
        """Whether events and reads of this reader concern us."""
        if self.reader_name is None:
            return not is_sam_slot(reader)
        return match_reader([reader], self.reader_name) is not None

    def _readers(self) -> list[str]:
        with _pcsc_errors("list readers"):
            names = [str(r) for r in list_readers()]
        if self.reader_name is None:
            return [n for n in names if not is_sam_slot(n)]
        found = match_reader(names, self.reader_name)
        if found is None:
            raise DeviceUnavailable(
                f"reader {self.reader_name!r} not among {names}",
                user_message="找不到社保卡读卡器，请联系工作人员",
            )
        return [found]

    def read_card(self, timeout: float = 10.0) -> Person:
        """Wait up to `timeout` seconds for a card, read it and return the holder."""
        names = self._readers()
        if not names:
            raise DeviceUnavailable("no PC/SC reader", user_message="未连接读卡器，请联系工作人员")
        with _pcsc_errors("wait for card"):
            request = CardRequest(timeout=timeout, readers=names)  # never a SAM slot
        try:
            with _pcsc_errors("wait for card"):
                try:
                    service = request.waitforcard()
                except CardRequestTimeoutException as e:
                    raise NoCard(f"no card within {timeout} s") from e
            return self._read(service.connection)
        finally:
            _release(request)

    def _read(self, connection: Any) -> Person:
        def transmit(command: bytes) -> bytes:
            # The last line of defence against VERIFY, whatever code path built the APDU.
            data, sw1, sw2 = connection.transmit(list(apdu.guard(command)))
            return bytes(data) + bytes([sw1, sw2])

        try:
            connection.connect()
            person = read_person(transmit)
        except (NoCardException, CardConnectionException) as e:
            raise CardRemoved(f"card lost during read: {e}") from e
        finally:
            with contextlib.suppress(Exception):
                connection.disconnect()
            _release(connection)
        log.info("read social security card %r", person)
        return person

    def watch(self, on_event: EventCallback | None = None) -> None:
        """Report insertions and removals (see ``drivers.sscard.interface`` for threads).

        Cards already present are reported as inserted right away.
        """
        if self._observer is not None:
            return
        self._readers()  # fail here, not on pyscard's thread, when pcscd is down
        self._start_sink(on_event)
        self._observer = _Observer(self)
        CardMonitor().addObserver(self._observer)

    def health(self) -> Health:
        """OK when pcscd runs and the configured reader (or any reader) is there."""
        try:
            with _pcsc_errors("list readers"):
                names = [str(r) for r in list_readers()]
        except DeviceUnavailable as e:
            return Health(HealthState.OFFLINE, e.user_message, "pcscd_down")
        except SocialSecurityCardError as e:
            return Health(HealthState.UNKNOWN, e.user_message, "pcsc_error")
        if not names:
            return Health(HealthState.OFFLINE, "未连接读卡器，请联系工作人员", "no_reader")
        if self.reader_name and match_reader(names, self.reader_name) is None:
            return Health(
                HealthState.OFFLINE, "找不到社保卡读卡器，请联系工作人员", "reader_missing"
            )
        return Health(HealthState.OK, "读卡器就绪", "ok")

    def close(self) -> None:
        """Stop reporting events; the last reader to close stops pyscard's monitor thread."""
        self._stop_sink()
        observer, self._observer = self._observer, None
        if observer is not None:
            CardMonitor().deleteObserver(observer)
            _stop_card_monitor()
