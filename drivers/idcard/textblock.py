"""The 256-byte text block of a card a GA 467 reader returns (UCS-2LE, space-padded) <-> Person.

Pure functions. The photo never reaches this module: ``protocol.parse_read_data``
drops it, and nothing here would keep it.

A GA 467 reader reads four kinds of card; the character at byte 248 (the card-type
flag, UCS-2LE) says which, and each has its own field layout:

========  ==========================================  ====================
flag      card                                        layout
========  ==========================================  ====================
" "       居民身份证 resident ID card                  ``RESIDENT_FIELDS``
"J"       港澳台居民居住证 HK/Macao/Taiwan permit       ``RESIDENT_FIELDS``
"I"       外国人永久居留身份证 2017                      ``FOREIGN_2017_FIELDS``
"Y"       外国人永久居留身份证 2023                      ``FOREIGN_2023_FIELDS``
========  ==========================================  ====================

The layouts were checked field by field (offset, length, encoding) against public
reader code and vendor documents that do not copy each other; ``drivers/idcard/README.md``
has the comparison table:

- github.com/Johann356/readinfo ``PCSCGetData.h`` (structs ``t_idcardinfor``,
  ``t_idforeigner``, ``t_idforeigner2023``) and ``PCSCGetData.cpp`` (dispatch on
  ``typeFlag[0]``);
- github.com/yzfuture/yzfuture ``windows/sdk/include/Type.h`` (鱼住未来 reader SDK:
  ``TwoIdInfoStruct``, ``ForeignerInfoOld``, ``ForeignerInfoNew``, ``eCardFormatType``)
  and its ``linux/pythonDemo/Demo.py``;
- github.com/Kunoon/BeiST20141020 ``src/com/sdses/idreader/ID2Info.java`` (神思 SDSES
  reader: resident card offsets, UTF-16LE);
- a public C# reader demo over ``sdtapi.dll`` ``SDT_ReadBaseMsg`` that reads every
  field of every type at a byte offset (``GetEnglishNameStandBy`` at 220/22,
  ``GetCountryOrRegionCode`` at 242/6, ...; the index that holds it names no
  repository), and the 2017 card's data-item table as republished by a reader vendor
  (afzhan.com/st170652/news_212938.html).

Every source agrees on every offset and length; they differ only in what two
fields are called. The 鱼住 SDK reuses the resident struct's field names for the 2023
card (bytes 32-35 "民族", 158-187 "签发机关", 220-241 "通行证号码" + "签发次数");
readinfo, the C# demo and the 2023 sample in 新中新's web API manual (IssuesTimes
"00", police "") read them as 换证次数, reserved, and English name characters 36-46,
as this module does. The 2023 card's country field (242, 6 bytes) holds the
3-letter GB/T 2659 code (an earlier comment here said numeric): the C# demo builds
the holder's 2017 number, which starts with 3 letters, from it, and 新中新's sample
shows "PAK". Nothing here was checked against a physical card.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from drivers.base import Person
from drivers.idcard.errors import CardDataError, LocalProtocolError, UnsupportedCard
from hall.core.idnumber import (
    FOREIGN_2017,
    FOREIGN_2023,
    HMT_PERMIT,
    RESIDENT,
    InvalidIdNumber,
    validate_document,
)

TEXT_LEN: Final = 256
LONG_TERM: Final = "长期"
TYPE_OFFSET: Final = 248  # the card-type flag, one UCS-2LE character, in every layout

# (field, bytes) in card order; each field is UCS-2LE, right-padded with spaces.
# The resident card as HARDWARE.md first described it (36 reserved bytes at the end).
FIELDS: Final = (
    ("name", 30),
    ("gender", 2),
    ("nation", 4),
    ("birth", 16),
    ("address", 70),
    ("id_number", 36),
    ("authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("reserved", 36),
)
# Resident card and HK/Macao/Taiwan residence permit: the 36 bytes at the end split.
RESIDENT_FIELDS: Final = (
    *FIELDS[:-1],
    ("permit_number", 18),  # 通行证号码 (permit only)
    ("issue_count", 4),  # 签发次数 (permit only)
    ("reserved", 6),
    ("card_type", 2),
    ("reserved2", 6),
)
# Foreign permanent resident ID card, 2017.
FOREIGN_2017_FIELDS: Final = (
    ("name_en", 120),
    ("gender", 2),
    ("id_number", 30),  # 15 characters: 3 letters + 12 digits
    ("nationality", 6),  # GB/T 2659 (ISO 3166-1) alpha-3, e.g. "CAN"
    ("name", 30),  # Chinese name; all spaces when the holder has none
    ("valid_from", 16),
    ("valid_to", 16),
    ("birth", 16),
    ("version", 4),  # 证件版本号, e.g. "01"
    ("authority", 8),  # 当次申请受理机关代码: a 4-digit code, not a name
    ("card_type", 2),
    ("reserved", 6),
)
# Foreign permanent resident ID card, 2023: the English name runs over two fields.
FOREIGN_2023_FIELDS: Final = (
    ("name", 30),  # Chinese name, may be blank
    ("gender", 2),
    ("issue_count", 4),  # 换证次数
    ("birth", 16),
    ("name_en", 70),  # English name, characters 1-35
    ("id_number", 36),  # 18 characters, first "9"
    ("reserved", 30),  # where a resident card has its issuing authority: blank
    ("valid_from", 16),
    ("valid_to", 16),
    ("name_en_ex", 22),  # English name, characters 36-46
    ("nationality", 6),  # 所属国家和地区代码: GB/T 2659 alpha-3, e.g. "PAK"
    ("card_type", 2),
    ("prior_number", 6),  # 既往版本证件号码关联项: 3 characters linking to the 2017 number
)
LAYOUTS: Final = {
    RESIDENT: RESIDENT_FIELDS,
    HMT_PERMIT: RESIDENT_FIELDS,
    FOREIGN_2017: FOREIGN_2017_FIELDS,
    FOREIGN_2023: FOREIGN_2023_FIELDS,
}
CARD_TYPE_FLAGS: Final = {" ": RESIDENT, "\x00": RESIDENT, "J": HMT_PERMIT, "I": FOREIGN_2017,
                          "Y": FOREIGN_2023}  # fmt: skip
_FLAG_OF: Final = {RESIDENT: " ", HMT_PERMIT: "J", FOREIGN_2017: "I", FOREIGN_2023: "Y"}
_NAME_EN_1: Final = 35  # characters of the 2023 card's first English name field

GENDERS: Final = {"0": "", "1": "男", "2": "女", "9": ""}

# GB 3304 codes as printed on the card ("民族 汉"), plus the two special codes.
_NATION_LIST = (  # noqa: SIM905 (one string reads like the GB 3304 table)
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 "
    "哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 "
    "普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
NATIONS: Final = {f"{i:02d}": n for i, n in enumerate(_NATION_LIST, start=1)} | {
    "97": "其他",
    "98": "外国血统中国籍人士",
}


def card_type(block: bytes) -> str:
    """The document type a text block's flag (byte 248) names; UnsupportedCard if none."""
    if len(block) != TEXT_LEN:
        raise CardDataError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    flag = block[TYPE_OFFSET : TYPE_OFFSET + 2]
    try:
        char = flag.decode("utf-16-le")
    except UnicodeDecodeError:
        char = "?"
    if char not in CARD_TYPE_FLAGS:
        raise UnsupportedCard(f"card type flag {flag.hex(' ')} at byte {TYPE_OFFSET} unknown")
    return CARD_TYPE_FLAGS[char]


def _offset(layout: tuple[tuple[str, int], ...], field: str) -> int:
    pos = 0
    for name, size in layout:
        if name == field:
            return pos
        pos += size
    raise KeyError(field)


def _fields(block: bytes, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    for name, size in layout:
        raw = block[pos : pos + size]
        pos += size
        try:
            # Cards pad with spaces; some readers pad with NULs: strip both.
            out[name] = raw.decode("utf-16-le").strip(" \x00")
        except UnicodeDecodeError as e:
            raise CardDataError(f"field {name} is not UCS-2LE") from e
    return out


def _date(text: str, field: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise CardDataError(f"field {field} is not YYYYMMDD: {text!r}")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as e:
        raise CardDataError(f"field {field} is not a real date: {text!r}") from e


def decode_text(block: bytes) -> Person:
    """Decode a card's text block into a Person (source "idcard"), whatever the card type."""
    doc_type = card_type(block)
    f = _fields(block, LAYOUTS[doc_type])
    if f["gender"] not in GENDERS:
        raise CardDataError(f"unknown gender code {f['gender']!r}")
    nation = ""
    if doc_type == RESIDENT:
        if f["nation"] not in NATIONS:
            raise CardDataError(f"unknown nation code {f['nation']!r}")
        nation = NATIONS[f["nation"]]
    try:
        id_number = validate_document(f["id_number"], doc_type)
    except InvalidIdNumber as e:
        # The message of InvalidIdNumber is Chinese already, but it names no card field.
        raise CardDataError(f"document number on the card is invalid: {e}") from e
    name_en = f.get("name_en", "")
    if doc_type == FOREIGN_2023:
        # The first field is padded when the name is shorter than 35 characters; a longer
        # name fills it whole and goes on in the second, so join without stripping the joint.
        start = _offset(FOREIGN_2023_FIELDS, "name_en")
        first = block[start : start + 70].decode("utf-16-le")
        name_en = (first + f["name_en_ex"]).strip(" \x00") if f["name_en_ex"] else name_en
    if not (f["name"] or name_en):
        raise CardDataError("the card holds no name")
    # "长期" (long-term) cards have no end date; never feed it to a date parser.
    valid_to = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid_to")
    return Person(
        id_number=id_number,
        name=f["name"],
        birth_date=_date(f["birth"], "birth"),
        source="idcard",
        gender=GENDERS[f["gender"]],
        nation=nation,
        address=f.get("address", ""),
        authority=f["authority"] if doc_type != FOREIGN_2023 else "",
        valid_from=_date(f["valid_from"], "valid_from"),
        valid_to=valid_to,
        valid_to_text=f["valid_to"],
        doc_type=doc_type,
        name_en=name_en,
        nationality=f.get("nationality", ""),
        permit_number=f["permit_number"] if doc_type == HMT_PERMIT else "",
        issue_count=f["issue_count"] if doc_type in (HMT_PERMIT, FOREIGN_2023) else "",
    )


def _code(table: dict[str, str], value: str, what: str) -> str:
    for code, name in table.items():
        if name == value:
            return code
    raise LocalProtocolError(f"no {what} code for {value!r}")


def encode_text(person: Person) -> bytes:
    """Encode a Person as a card's text block (for the simulator and tests)."""

    def ymd(d: date | None, field: str) -> str:
        if d is None:
            raise LocalProtocolError(f"{field} is required on an ID card")
        return d.strftime("%Y%m%d")

    doc_type = person.doc_type
    if doc_type not in LAYOUTS:
        raise LocalProtocolError(f"a GA 467 card cannot be a {doc_type!r}")
    name_en, name_en_ex = person.name_en, ""
    if doc_type == FOREIGN_2023:
        name_en, name_en_ex = person.name_en[:_NAME_EN_1], person.name_en[_NAME_EN_1:]
    values = {
        "name": person.name,
        "gender": {"男": "1", "女": "2"}.get(person.gender, "0"),
        "nation": _code(NATIONS, person.nation, "nation") if doc_type == RESIDENT else "",
        "birth": ymd(person.birth_date, "birth_date"),
        "address": person.address,
        "id_number": person.id_number,
        "authority": person.authority,
        "valid_from": ymd(person.valid_from, "valid_from"),
        "valid_to": LONG_TERM if person.valid_to is None else ymd(person.valid_to, "valid_to"),
        "permit_number": person.permit_number,
        "issue_count": person.issue_count,
        "name_en": name_en,
        "name_en_ex": name_en_ex,
        "nationality": person.nationality,
        "version": "",
        "card_type": _FLAG_OF[doc_type],
        "prior_number": "",
    }
    out = bytearray()
    for name, size in LAYOUTS[doc_type]:
        raw = values.get(name, "").encode("utf-16-le")
        if len(raw) > size:
            raise LocalProtocolError(f"{name} needs {len(raw)} bytes, the card has {size}")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return bytes(out)
