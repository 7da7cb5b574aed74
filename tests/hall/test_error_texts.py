"""Every refusal a citizen or clerk can see: one plain Chinese sentence from our catalogue
with its English twin; the details stay in the log; state names translated."""

from __future__ import annotations

import re
import string

import pytest

from hall.core import errors as E
from hall.wire import protocol as P
from ui.hublink import for_screen

IDENTIFIER = re.compile(r"[A-Za-z_]{2,}")  # "A岗", "B001" are words; "waiting" is not
CJK = re.compile(r"[\u3400-\u9fff]")
SAMPLE = {"state": "no_show", "number": "B001", "window": 5, "slot": "10:00", "early": "09:30",
          "day": "2026-11-27"}  # fmt: skip


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("cls", E.refusals(), ids=lambda c: c.__name__)
def test_every_code_has_a_plain_chinese_sentence_and_its_english_twin(
    cls: type[E.HallError],
) -> None:
    code = cls.code
    zh, en = cls.message_zh, cls.message_en
    assert zh.strip() and en.strip()
    assert fields(zh) == fields(en) <= set(SAMPLE)  # the same blanks in both languages
    bare = re.sub(r"\{\w+\}", "", zh)
    assert not IDENTIFIER.findall(bare), f"{code}: ASCII identifier in {zh!r}"
    assert CJK.search(zh) and not CJK.search(en)
    e = cls("some detail for the log", **{k: SAMPLE[k] for k in fields(zh)})
    assert "detail" not in e.message and "detail" not in e.message_english
    assert "some detail for the log" in str(e)  # the log still has it


def test_the_protocol_codes_are_in_the_catalogue() -> None:
    assert set(E.catalogue()) >= E.PROTOCOL_CODES


@pytest.mark.parametrize("state", ["waiting", "called", "serving", "parked", "no_show"])
def test_a_wrong_state_is_named_in_words_in_both_languages(state: str) -> None:
    e = E.BadState("A001 waiting recall", state=state)
    zh, en = E.STATE_WORDS[state]
    assert zh in e.message and state not in e.message
    assert e.message_english == f"Not possible while the ticket is {en}"


def test_a_newer_kiosk_on_an_older_hub_sees_a_sentence_not_the_protocol() -> None:
    """An older hub put the decoder's words in the message; the app shows ours."""
    old = P.Error(req_id="kiosk-1:7", code="unknown_type",
                  message="请求有误：unknown message type 'issue_v2'",
                  message_en="unknown message type 'issue_v2'")  # fmt: skip
    shown = for_screen(old)
    assert shown.message == E.UnknownType.message_zh
    assert "issue_v2" not in shown.message + shown.message_en
    bad_id = P.Error(req_id="kiosk-1:8", code="bad_request",
                     message="请求内容有误：身份证号码校验位错误",
                     message_en="Malformed request: 身份证号码校验位错误")  # fmt: skip
    assert not CJK.search(for_screen(bad_id).message_en)


def test_a_code_unknown_here_keeps_the_hubs_sentence() -> None:
    newer = P.Error(req_id="k:1", code="brand_new_rule", message="新规则不允许", message_en="No")
    assert for_screen(newer) == newer
    blank = P.Error(req_id="k:1", code="brand_new_rule", message="")
    assert for_screen(blank).message == E.HallError.message_zh
    raw = P.Error(req_id="k:1", code="brand_new_rule", message="state=waiting")
    assert for_screen(raw).message == E.HallError.message_zh


def test_a_sentence_with_blanks_keeps_the_hubs_words() -> None:
    err = E.PersonLimit("B001", number="B001")
    wire = P.Error(req_id="k:1", code=err.code, message=err.message,
                   message_en=err.message_english, detail=err.detail)  # fmt: skip
    assert for_screen(wire).message == "您已持有该业务的有效号码：B001"
