"""Text for printers: only what the font holds, GB2312 by default, GB18030 on request."""

from __future__ import annotations

import pytest

from drivers.base import ConfigError
from drivers.printer import TicketPrint, open_printer
from drivers.printer.charset import encode, printable, unprintable
from drivers.printer.emulator import PrinterEmulator

from .conftest import make_ticket
from .escpos_parse import parse


@pytest.mark.parametrize(
    ("text", "gb2312"),
    [
        ("约10–20分钟", "约10-20分钟"),
        ("综合受理·企业开办", "综合受理・企业开办"),
        ("请稍候—谢谢", "请稍候―谢谢"),
        ("二〇二四年", "二零二四年"),
        ("收费¥20", "收费￥20"),
        ("ＡＢＣ１２３，。“”", "ＡＢＣ１２３，。“”"),  # full width is in GB2312: kept
        ("ｱｲ", "アイ"),  # half-width katakana: NFKC
        ("张喆", "张?"),  # a name character outside GB2312
        ("好😀", "好?"),
        ("e\u0301", "e"),  # a combining accent has nothing to print
    ],
)
def test_gb2312_equivalents(text: str, gb2312: str) -> None:
    assert printable(text) == gb2312
    assert unprintable(printable(text)) == []
    encode(text).decode("gb2312")  # every byte a GB2312 font can print


def test_gb18030_keeps_what_that_font_holds() -> None:
    assert printable("约10–20分钟·张喆", "gb18030") == "约10–20分钟·张喆"
    assert printable("好😀", "GB18030") == "好😀"  # four-byte GB18030: the font may have it


def test_unknown_charset_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        open_printer("tcp://127.0.0.1:9?charset=big5")


@pytest.mark.parametrize(("charset", "dash"), [("", "-"), ("gb2312", "-"), ("gb18030", "–")])
def test_the_printer_gets_its_font(emulator: PrinterEmulator, charset: str, dash: str) -> None:
    query = f"&charset={charset}" if charset else ""
    ticket: TicketPrint = make_ticket(item_name="企业开办—设立", note="请稍候·谢谢")
    open_printer(f"{emulator.url}?timeout=0.5{query}").print_ticket(ticket)
    text = parse(emulator.received).text  # the test parser reads GB18030
    assert f"约10{dash}20分钟" in text
    # Em dash and middle dot are GB2312 A1AA and A1A4: the same bytes for both fonts.
    assert "企业开办—设立" in text and "请稍候·谢谢" in text
    assert ("–".encode("gb18030") in emulator.received) is (charset == "gb18030")
