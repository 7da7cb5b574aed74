"""The hall's refusals: one typed error per rule, each with a code for machines and one
plain Chinese sentence for people, with its English twin. A refusal never changes state.

What a citizen or a clerk sees is only the catalogue sentence (`message`,
`message_english`): the `detail` a refusal is raised with (which window, which state, what
the decoder said) is for the log and travels in the reply's `detail` field, never on a
screen. State names in a sentence are translated (`STATE_WORDS`). Protocol-level refusals
(garbage, an unknown message type from a newer device, a wrong version) have their
sentences here too (`PROTOCOL_CODES`), so the hub answers them in the same plain words.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Ticket, window and follow-up case states as a sentence names them (Chinese, English).
STATE_WORDS: Mapping[str, tuple[str, str]] = {
    "waiting": ("等候中", "waiting"),
    "called": ("已叫号", "called"),
    "serving": ("办理中", "being served"),
    "finished": ("已办结", "finished"),
    "no_show": ("已过号", "missed"),
    "parked": ("已挂起", "on hold"),
    "cancelled": ("已作废", "cancelled"),
    "closed": ("未开放", "closed"),
    "open": ("开放中", "open"),
    "paused": ("暂停中", "paused"),
    "new": ("待处理", "new"),
    "contacted": ("已回访", "contacted"),
    "rectified": ("已整改", "rectified"),
}


def state_word(state: object, lang: str = "zh") -> str:
    """A state's name in `lang` ("zh" or "en"); an unknown one reads as a neutral word."""
    zh, en = STATE_WORDS.get(str(state), ("当前状态", "its current state"))
    return en if lang == "en" else zh


class HallError(Exception):
    """A command the hall refuses. `code` is stable on the wire; `message` is for people;
    `detail` is for the log only."""

    code = "refused"
    message_zh = "无法办理该操作"
    message_en = "The request was refused"

    def __init__(self, detail: str = "", **params: object) -> None:
        self.detail = detail
        self.params = params
        self._wire: tuple[str, str] | None = None  # texts as a hub sent them (client side)
        super().__init__(f"{self.message}{'（' + detail + '）' if detail else ''}")

    def _text(self, template: str, lang: str) -> str:
        if not self.params:
            return template
        words = {k: state_word(v, lang) if k == "state" else v for k, v in self.params.items()}
        return template.format(**words)

    @property
    def message(self) -> str:
        """The Chinese sentence for a screen (never the detail)."""
        if self._wire is not None:
            return self._wire[0]
        return self._text(self.message_zh, "zh")

    @property
    def message_english(self) -> str:
        """The English twin of `message`."""
        if self._wire is not None:
            return self._wire[1] or self._wire[0]
        return self._text(self.message_en, "en")


def _err(
    name: str, code: str, zh: str, en: str, base: type[HallError] = HallError
) -> type[HallError]:
    cls = type(name, (base,), {"code": code, "message_zh": zh, "message_en": en})
    cls.__doc__ = en
    return cls


HallClosed = _err(
    "HallClosed", "hall_closed", "当前不在取号时间", "Tickets are not issued at this time"
)
CapReached = _err(
    "CapReached", "cap_reached", "今日该业务号源已满", "Today's tickets for this queue are gone"
)
PersonLimit = _err(
    "PersonLimit",
    "person_limit",
    "您已持有该业务的有效号码：{number}",
    "You already hold a ticket for this: {number}",
)
DailyPersonLimit = _err(
    "DailyPersonLimit", "person_daily_limit", "您今日取号次数已达上限", "Daily ticket limit reached"
)
CardRequired = _err(
    "CardRequired", "card_required", "请先刷身份证或社保卡", "Please tap an ID card first"
)
UnknownQueue = _err("UnknownQueue", "unknown_queue", "没有该业务队列", "No such queue")
UnknownItem = _err("UnknownItem", "unknown_item", "没有该事项", "No such service item")
UnknownWindow = _err("UnknownWindow", "unknown_window", "没有该窗口", "No such window")
NoSuchTicket = _err("NoSuchTicket", "no_such_ticket", "没有该号码", "No such ticket")
WindowClosed = _err("WindowClosed", "window_closed", "窗口未开放", "The window is not open")
WindowPaused = _err("WindowPaused", "window_paused", "窗口已暂停服务", "The window is paused")
WindowBusy = _err(
    "WindowBusy", "window_busy", "请先办结或处理当前号码", "Finish the current ticket first"
)
NoClerk = _err("NoClerk", "no_clerk", "窗口无人签到", "No clerk is signed in at this window")
NothingCurrent = _err(
    "NothingCurrent", "nothing_current", "窗口当前没有号码", "The window has no current ticket"
)
NotYourTicket = _err(
    "NotYourTicket", "not_your_ticket", "该号码不属于本窗口", "That ticket is not at this window"
)
BadState = _err(
    "BadState",
    "bad_state",
    "该号码{state}，不能进行此操作",
    "Not possible while the ticket is {state}",
)
NotInSkills = _err(
    "NotInSkills",
    "not_in_skills",
    "窗口人员不具备该业务能力",
    "The window's clerks cannot serve that queue",
)
AlreadyRated = _err("AlreadyRated", "already_rated", "该号码已评价", "Already rated")
NotRateable = _err(
    "NotRateable",
    "not_rateable",
    "该号码尚未办结，不能评价",
    "Only a finished service can be rated",
)
NoAppointment = _err(
    "NoAppointment", "no_appointment", "未查到您今日的预约", "No appointment found for today"
)
CheckInTooEarly = _err(
    "CheckInTooEarly",
    "checkin_too_early",
    "预约时段为{slot}，请于{early}后签到",
    "Your appointment is at {slot}; please check in from {early}",
)
CheckInExpired = _err(
    "CheckInExpired",
    "checkin_expired",
    "过号已超过重新签到时限，请重新取号",
    "Too late to check in again; take a new ticket",
)
NoSuchCase = _err("NoSuchCase", "no_such_case", "没有该整改工单", "No such follow-up case")
BadRequest = _err(
    "BadRequest",
    "bad_request",
    "填写的内容有误，请核对后重试",
    "Something entered is not right; check it and try again",
)
RateLimited = _err(
    "RateLimited",
    "rate_limited",
    "请求过于频繁，请稍后再试",
    "Too many requests; please wait a moment",
)
NotAllowed = _err(
    "NotAllowed", "not_allowed", "本设备无权进行该操作", "This device may not do that"
)

# online booking (hall web)
SlotFull = _err("SlotFull", "slot_full", "该时段已约满，请选择其他时段", "That slot is full")
BookingExists = _err(
    "BookingExists",
    "booking_exists",
    "您当天已预约该业务",
    "You already have a booking for this service that day",
)
NotBookable = _err("NotBookable", "not_bookable", "该时段不可预约", "That time cannot be booked")
NoBooking = _err("NoBooking", "no_booking", "未查到该预约", "No such booking")
# checking in with a booking's code (typed or scanned at the kiosk, or at the service desk):
# no appointment to check in, each with its reason
UnknownBookingCode = _err(
    "UnknownBookingCode",
    "unknown_booking_code",
    "没有查到该预约码，请核对后重新输入",
    "No booking has this code; check it and enter it again",
    NoAppointment,
)
BookingOtherDay = _err(
    "BookingOtherDay",
    "booking_other_day",
    "您预约的是{day}，请在预约当天签到",
    "Your booking is for {day}; please check in on that day",
    NoAppointment,
)
BookingPast = _err(
    "BookingPast",
    "booking_past",
    "您的预约（{day}）已过期，请重新预约或现场取号",
    "Your booking ({day}) has passed; book again or take a ticket here",
    NoAppointment,
)
BookingCheckedIn = _err(
    "BookingCheckedIn",
    "booking_checked_in",
    "该预约已签到，您的号码是{number}",
    "This booking is already checked in: your number is {number}",
    NoAppointment,
)
BookingCancelled = _err(
    "BookingCancelled",
    "booking_cancelled",
    "该预约已取消，请重新预约或现场取号",
    "This booking was cancelled; book again or take a ticket here",
    NoAppointment,
)
StaffNoNotAllowed = _err(
    "StaffNoNotAllowed",
    "not_allowed",  # NotAllowed's code on the wire: a field this device may not send
    "自助设备不能填写工作人员编号",
    "A self-service device cannot give a staff number",
    NotAllowed,
)
StaffNoLikeIdNumber = _err(
    "StaffNoLikeIdNumber",
    "bad_request",  # BadRequest's code on the wire: what was entered is not right
    "工号或姓名中不能有身份证号码，请输入工号",
    "A staff number or name cannot hold an ID number; enter the staff number",
    BadRequest,
)
GreenNotAllowed = _err(
    "GreenNotAllowed",
    "not_allowed",  # NotAllowed's code on the wire: a field this device may not send
    "绿色通道只能由服务台工作人员办理",
    "Only staff at the service desk can grant the green channel",
    NotAllowed,
)
OtherWindow = _err(
    "OtherWindow",
    "not_allowed",  # NotAllowed's code on the wire, with the window named
    "本设备无权进行该操作，只能操作{window}号窗口",
    "This device may not do that; it works window {window} only",
    NotAllowed,
)

# ---- refusals of a request's content that staff can meet (all are BadRequest)
BadIdNumber = _err(
    "BadIdNumber",
    "bad_id_number",
    "身份证号码有误，请核对后重新输入",
    "The ID number is not valid; check it and enter it again",
    BadRequest,
)
WindowNotClosed = _err(
    "WindowNotClosed", "window_not_closed", "窗口已经开放", "The window is already open", BadRequest
)
WindowNotPaused = _err(
    "WindowNotPaused", "window_not_paused", "窗口没有暂停", "The window is not paused", BadRequest
)
BadPost = _err("BadPost", "bad_post", "岗位应为A岗或B岗", "The post must be A or B", BadRequest)
StaffRequired = _err(
    "StaffRequired",
    "staff_required",
    "请填写工号和姓名",
    "Enter the staff number and name",
    BadRequest,
)
PostNotSignedIn = _err(
    "PostNotSignedIn",
    "post_not_signed_in",
    "该岗位没有人员签到",
    "Nobody is signed in on that post",
    BadRequest,
)
QueueRequired = _err(
    "QueueRequired", "queue_required", "请至少选择一个队列", "Choose at least one queue", BadRequest
)
BadWeight = _err(
    "BadWeight",
    "bad_weight",
    "队列权重超出允许范围",
    "A queue's weight is out of range",
    BadRequest,
)
SlotOutsideHours = _err(
    "SlotOutsideHours",
    "slot_outside_hours",
    "预约时间不在办理时间内",
    "The appointment time is outside opening hours",
    BadRequest,
)
SlotTaken = _err(
    "SlotTaken", "slot_taken", "该时段已有预约", "That time is already booked", BadRequest
)
TransferTarget = _err(
    "TransferTarget",
    "transfer_target",
    "请选择转至的队列或窗口，二者选一",
    "Choose either a queue or a window to transfer to",
    BadRequest,
)
TransferToSelf = _err(
    "TransferToSelf",
    "transfer_to_self",
    "不能转至本窗口",
    "A ticket cannot be transferred to its own window",
    BadRequest,
)
BadRating = _err(
    "BadRating", "bad_rating", "评价内容有误，请重新评价", "The rating is not valid", BadRequest
)
BadItemCode = _err(
    "BadItemCode",
    "bad_item_code",
    "事项编码有误，应为两位大写字母、短横线和四位数字",
    "The service item code is not valid; it is two capitals, a hyphen and four digits",
    BadRequest,
)
ReasonRequired = _err(
    "ReasonRequired",
    "reason_required",
    "请填写理由",
    "Enter a reason",
    BadRequest,
)

# ---- refusals before a request reaches the engine (the hub's protocol layer, the link)
Malformed = _err(
    "Malformed",
    "malformed",
    "设备发送的请求无法识别，请联系工作人员",
    "The device sent a request the hall cannot read; please ask the staff",
)
Invalid = _err(
    "Invalid",
    "invalid",
    "设备发送的请求不完整，请联系工作人员",
    "The device sent an incomplete request; please ask the staff",
)
TooDeep = _err(
    "TooDeep",
    "too_deep",
    "设备发送的请求无法识别，请联系工作人员",
    "The device sent a request the hall cannot read; please ask the staff",
)
TooLarge = _err(
    "TooLarge",
    "too_large",
    "设备发送的请求过大，请联系工作人员",
    "The device sent a request that is too large; please ask the staff",
)
UnknownType = _err(
    "UnknownType",
    "unknown_type",
    "本设备的软件比中心服务新，暂不能办理此操作，请联系工作人员",
    "This device's software is newer than the hall's server; please ask the staff",
)
BadVersion = _err(
    "BadVersion",
    "bad_version",
    "本设备的软件版本与中心服务不一致，请联系工作人员",
    "This device's software does not match the hall's server; please ask the staff",
)
UnknownDevice = _err(
    "UnknownDevice",
    "unknown_device",
    "本设备未在大厅登记或已停用，请联系工作人员",
    "This device is not registered in the hall or is disabled; please ask the staff",
)
StoreFailed = _err(
    "StoreFailed",
    "store_failed",
    "保存失败，请稍后重试",
    "Could not save; try again shortly",
)
Internal = _err(
    "Internal",
    "internal",
    "中心服务出现故障，请稍后重试",
    "The hall's server had a fault; try again shortly",
)
Offline = _err(
    "Offline",
    "offline",
    "无法连接中心服务，请稍后重试",
    "The hub does not answer; try again shortly",
)

#: The codes a protocol-level refusal (`hall.wire.protocol.RemoteProtocolError`) may carry.
PROTOCOL_CODES = frozenset(
    {"malformed", "invalid", "too_deep", "too_large", "unknown_type", "not_allowed",
     "bad_version", "unknown_device"}
)  # fmt: skip


def refusals() -> list[type[HallError]]:
    """Every refusal class of the catalogue."""
    return [v for v in list(globals().values()) if isinstance(v, type) and issubclass(v, HallError)]


def catalogue() -> dict[str, type[HallError]]:
    """Every refusal by its code (the first class of a code, when two share one)."""
    out: dict[str, type[HallError]] = {}
    for v in refusals():
        out.setdefault(v.code, v)
    return out


def by_code(code: str) -> type[HallError]:
    """The class of a refusal's code; HallError (a plain "refused") for a code unknown here."""
    return catalogue().get(code, HallError)
