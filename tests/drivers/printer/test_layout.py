"""Pure tests of the ticket layout: widths, wrapping, centring, content."""

from __future__ import annotations

import re

import pytest

from drivers.printer.layout import (
    PAPER_58,
    PAPER_80,
    QR,
    Cut,
    Paper,
    Text,
    char_columns,
    layout_ticket,
    paper_for_width,
    text_columns,
    wrap,
)

from .conftest import CITIZEN_ID, make_ticket


def test_chinese_is_two_columns_ascii_one() -> None:
    assert char_columns("A") == 1
    assert char_columns("号") == 2
    assert char_columns("，") == 2
    assert char_columns("–") == 2  # en dash: GB18030 two bytes, printed full-width
    assert text_columns("A023号") == 6


def test_papers() -> None:
    assert (PAPER_58.columns, PAPER_58.dots, PAPER_58.column_dots) == (32, 384, 12)
    assert (PAPER_80.columns, PAPER_80.dots, PAPER_80.column_dots) == (48, 576, 12)
    assert paper_for_width(58) is PAPER_58
    with pytest.raises(ValueError, match="58 or 80"):
        paper_for_width(76)


def test_wrap_chinese_fills_lines() -> None:
    lines = wrap("请携带营业执照原件及复印件到二楼市场监管区等候办理", 32)
    assert [text_columns(x) for x in lines] == [32, 18]
    assert "".join(lines) == "请携带营业执照原件及复印件到二楼市场监管区等候办理"


def test_wrap_keeps_english_words_whole() -> None:
    lines = wrap("Please wait on floor 2, market regulation area.", 32)
    assert lines == ["Please wait on floor 2, market", "regulation area."]


def test_wrap_never_starts_a_line_with_closing_punctuation() -> None:
    text = "一二三四五六七八九十一二三四五六，后面"  # the comma falls at column 33
    lines = wrap(text, 32)
    assert all(not line.startswith("，") for line in lines)
    assert "".join(lines) == text
    assert all(text_columns(x) <= 32 for x in lines)


def test_wrap_splits_overlong_words() -> None:
    lines = wrap("T" * 40, 32)
    assert lines == ["T" * 32, "T" * 8]


def test_control_characters_cannot_reach_the_printer() -> None:
    assert wrap("第一行\n第二行\x1b@", 32) == ["第一行 第二行 @"]


@pytest.mark.parametrize("paper", [PAPER_58, PAPER_80])
def test_every_line_fits_the_paper(paper: Paper) -> None:
    ticket = make_ticket(
        hall_name="某某省某某市某某区人民政府政务服务中心（行政审批局）",
        english_lines=("Please keep this ticket and wait for your number to be called.",),
    )
    for op in layout_ticket(ticket, paper):
        if isinstance(op, Text):
            assert text_columns(op.text) * op.scale <= paper.columns, op


@pytest.mark.parametrize(("paper", "scale"), [(PAPER_58, 4), (PAPER_80, 5)])
def test_number_is_big_bold_and_centred(paper: Paper, scale: int) -> None:
    ops = layout_ticket(make_ticket(), paper)
    big = [op for op in ops if isinstance(op, Text) and op.scale > 2]
    assert big == [Text("A023", "center", scale, True)]


def test_long_hall_name_wraps_at_normal_size_on_58mm() -> None:
    ops = layout_ticket(make_ticket(hall_name="某某市某某区政务服务中心"), PAPER_58)
    assert ops[0] == Text("某某市某某区政务服务中心", "center", 1, True)
    ops = layout_ticket(make_ticket(hall_name="某某县政务服务中心"), PAPER_58)
    assert ops[0] == Text("某某县政务服务中心", "center", 1, True)  # 18 columns: 2× does not fit
    ops = layout_ticket(make_ticket(hall_name="某县政务服务中心"), PAPER_58)
    assert ops[0] == Text("某县政务服务中心", "center", 2, True)


def test_ticket_content() -> None:
    ops = layout_ticket(make_ticket(), PAPER_80)
    texts = [op.text for op in ops if isinstance(op, Text)]
    assert "综合受理·企业开办（设立登记）" in texts
    assert "您前面还有 3 人等候" in texts
    assert "预计等候：约10–20分钟" in texts
    assert "取号时间：2024-05-06 09:31" in texts
    assert "请留意叫号，过号请到服务台。" in texts
    assert Text("请到二楼市场监管区等候", "center", 2, True) in ops
    assert [op for op in ops if isinstance(op, QR)] == [QR("T20240506-A023-7F3A", 7)]
    assert isinstance(ops[-1], Cut)
    assert [op for op in ops if isinstance(op, Cut)] == [Cut()]


def test_nobody_ahead() -> None:
    texts = [
        op.text
        for op in layout_ticket(make_ticket(people_ahead=0), PAPER_58)
        if isinstance(op, Text)
    ]
    assert "您前面暂无等候" in texts


def test_ticket_has_no_id_number_field() -> None:
    with pytest.raises(TypeError):
        make_ticket(id_number=CITIZEN_ID)
    text = "".join(op.text for op in layout_ticket(make_ticket(), PAPER_80) if isinstance(op, Text))
    assert not re.search(r"\d{15,}", text)


def test_ticket_validates() -> None:
    with pytest.raises(ValueError):
        make_ticket(number="")
    with pytest.raises(ValueError):
        make_ticket(people_ahead=-1)
