"""The engine's refusals: one typed error per rule, each with a code for machines and one
plain Chinese sentence for people (English alongside). A refusal never changes state."""

from __future__ import annotations


class HallError(Exception):
    """A command the hall refuses. `code` is stable on the wire; `message` is for people."""

    code = "refused"
    message_zh = "无法办理该操作"
    message_en = "The request was refused"

    def __init__(self, detail: str = "", **params: object) -> None:
        self.detail = detail
        self.params = params
        zh = self.message_zh.format(**params) if params else self.message_zh
        super().__init__(f"{zh}{'：' + detail if detail else ''}")

    @property
    def message(self) -> str:
        return str(self)

    @property
    def message_english(self) -> str:
        en = self.message_en.format(**self.params) if self.params else self.message_en
        return f"{en}{': ' + self.detail if self.detail else ''}"


def _err(name: str, code: str, zh: str, en: str) -> type[HallError]:
    cls = type(name, (HallError,), {"code": code, "message_zh": zh, "message_en": en})
    cls.__doc__ = en
    return cls


HallClosed = _err(
    "HallClosed", "hall_closed", "当前不在取号时间", "Tickets are not issued at this time"
)
CapReached = _err(
    "CapReached", "cap_reached", "今日该业务号源已满", "Today's tickets for this queue are gone"
)
PersonLimit = _err(
    "PersonLimit", "person_limit", "您已持有该业务的有效号码", "You already hold a ticket"
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
    "BadState", "bad_state", "号码状态不允许该操作", "Not possible in the ticket's state"
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
BadRequest = _err("BadRequest", "bad_request", "请求内容有误", "Malformed request")
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
