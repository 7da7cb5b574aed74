"""Errors of the social security card driver, split the h11 way.

* :class:`CardUsageError` - we misused the card (a bug here: e.g. a code path
  tried to send VERIFY). Never the citizen's fault; log the traceback.
* :class:`CardDataError` - the card sent something we cannot understand
  (garbled answer, bad record, invalid ID number).
* :class:`CardStatusError` - the card answered a clear "no" (a status word);
  :class:`NotSocialSecurityCard` is the common one.

Every class carries a one-sentence Chinese ``user_message`` the kiosk shows.
"""

from __future__ import annotations

from drivers.base import DeviceTimeout, DriverError


class SocialSecurityCardError(DriverError):
    """Base of every social security card error."""

    user_message = "社保卡读取失败，请重新插卡"


class CardUsageError(SocialSecurityCardError):
    """We built or sent a command we must not send (a bug in this program)."""

    user_message = "读卡程序出错，请联系工作人员"


class VerifyForbidden(CardUsageError):
    """A code path tried to send VERIFY (or another PIN command).

    Sending a PIN would burn the citizen's retries; a kiosk has no business
    doing it, so this is refused before anything reaches the card.
    """


class CardDataError(SocialSecurityCardError):
    """The card answered with bytes we cannot interpret."""

    user_message = "社保卡信息无法识别，请到窗口人工办理"


class CardStatusError(SocialSecurityCardError):
    """The card refused a command; ``sw`` is its status word (e.g. 0x6A82)."""

    def __init__(self, message: str, sw: int, *, user_message: str | None = None) -> None:
        super().__init__(message, user_message=user_message)
        self.sw = sw


class NotSocialSecurityCard(CardStatusError):
    """The card has no SSSE application (6A82 on SELECT): a bank card, a transit card..."""

    user_message = "这不是社会保障卡，请插入社保卡"


class CardBlocked(CardStatusError):
    """The card or its application is locked, invalidated or reported lost."""

    user_message = "社保卡已锁定或失效，请到窗口人工办理"


class NoCard(DeviceTimeout):
    """No card was inserted before the timeout."""

    user_message = "未检测到社保卡，请将社保卡插入读卡器"


class CardRemoved(SocialSecurityCardError):
    """The card was pulled out (or lost power) while it was being read."""

    user_message = "读卡时社保卡被拔出，请重新插卡并等待读卡完成"
