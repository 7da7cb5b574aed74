"""The ID-card reader's error family.

Split as h11 does: ``LocalProtocolError`` means we misused the protocol (a bug
on our side), ``RemoteProtocolError`` means the reader sent something we cannot
use. ``ReaderStatusError`` carries a status byte (SW3) the reader reported.
Every class has one plain Chinese sentence for the citizen in ``user_message``.
Timeouts and unreachable ports use ``DeviceTimeout`` / ``DeviceUnavailable``
from ``drivers.base`` so the kiosk handles them like any other device.
"""

from __future__ import annotations

from drivers.base import DriverError


class IdCardError(DriverError):
    """Base of every ID-card reader error."""

    user_message = "身份证读卡器故障，请联系工作人员"


class LocalProtocolError(IdCardError):
    """We asked for something the protocol cannot express (a bug in the caller)."""


class RemoteProtocolError(IdCardError):
    """The reader sent bytes that do not form a usable reply."""

    user_message = "读卡器通信异常，请重新放置身份证"


class BadChecksum(RemoteProtocolError):
    """A frame arrived whole but its XOR checksum does not match."""


class CardDataError(RemoteProtocolError):
    """The card's text block is malformed (bad date, bad ID number, wrong length).

    The frame's checksum was right, so this is what the card holds: placing it again
    reads the same bytes. The sentence sends the citizen to the desk, once
    (``ProtocolIdCardReader`` does not report the same unreadable card twice).
    """

    user_message = "身份证信息读取有误，无法在本机使用此证件，请到服务台办理"


class UnsupportedCard(CardDataError):
    """The card-type flag (byte 248 of the text block) names no card type we know."""

    user_message = "本机无法识别此类证件，请到服务台办理"


class CardRemoved(IdCardError):
    """The card left the reader while it was being read."""

    user_message = "读卡时身份证被移开，请将身份证放回感应区，读完前不要移动"


class ReaderStatusError(IdCardError):
    """The reader answered with a failure status (SW3); ``status`` holds the byte."""

    def __init__(self, message: str, *, status: int, user_message: str | None = None) -> None:
        super().__init__(message, user_message=user_message)
        self.status = status


class NoCard(ReaderStatusError):
    """No card in the field (find failed, SW3 80)."""

    user_message = "未检测到身份证，请将身份证放在感应区"


class CardNotReadable(ReaderStatusError):
    """A card is there but could not be selected or read; placing it again usually helps."""

    user_message = "读卡失败，请将身份证重新放置在感应区"


class CardRejected(ReaderStatusError):
    """The card is not a genuine resident ID card, or failed mutual authentication."""

    user_message = "无法验证此卡，请放置有效的居民身份证"


class ReaderFault(ReaderStatusError):
    """The reader or its SAM module is faulty, unauthorised, or rejected our command."""

    user_message = "身份证读卡器故障，请联系工作人员"
