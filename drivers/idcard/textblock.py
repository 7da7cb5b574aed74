"""The 256-byte text block of a resident ID card (UCS-2LE, space-padded) <-> Person.

Pure functions. The photo never reaches this module: ``protocol.parse_read_data``
drops it, and nothing here would keep it.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from drivers.base import Person
from drivers.idcard.errors import CardDataError, LocalProtocolError
from hall.core.idnumber import InvalidIdNumber, validate

TEXT_LEN: Final = 256
LONG_TERM: Final = "长期"

# (field, bytes) in card order; each field is UCS-2LE, right-padded with spaces.
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


def _fields(block: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    for name, size in FIELDS:
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
    """Decode a card's text block into a Person (source "idcard")."""
    if len(block) != TEXT_LEN:
        raise CardDataError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    f = _fields(block)
    if f["gender"] not in GENDERS:
        raise CardDataError(f"unknown gender code {f['gender']!r}")
    if f["nation"] not in NATIONS:
        raise CardDataError(f"unknown nation code {f['nation']!r}")
    try:
        id_number = validate(f["id_number"])
    except InvalidIdNumber as e:
        # The message of InvalidIdNumber is Chinese already, but it names no card field.
        raise CardDataError(f"ID number on the card is invalid: {e}") from e
    # "长期" (long-term) cards have no end date; never feed it to a date parser.
    valid_to = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid_to")
    return Person(
        id_number=id_number,
        name=f["name"],
        birth_date=_date(f["birth"], "birth"),
        source="idcard",
        gender=GENDERS[f["gender"]],
        nation=NATIONS[f["nation"]],
        address=f["address"],
        authority=f["authority"],
        valid_from=_date(f["valid_from"], "valid_from"),
        valid_to=valid_to,
        valid_to_text=f["valid_to"],
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

    valid_to = LONG_TERM if person.valid_to is None else ymd(person.valid_to, "valid_to")
    values = {
        "name": person.name,
        "gender": {"男": "1", "女": "2"}.get(person.gender, "0"),
        "nation": _code(NATIONS, person.nation, "nation"),
        "birth": ymd(person.birth_date, "birth_date"),
        "address": person.address,
        "id_number": person.id_number,
        "authority": person.authority,
        "valid_from": ymd(person.valid_from, "valid_from"),
        "valid_to": valid_to,
        "reserved": "",
    }
    out = bytearray()
    for name, size in FIELDS:
        raw = values[name].encode("utf-16-le")
        if len(raw) > size:
            raise LocalProtocolError(f"{name} needs {len(raw)} bytes, the card has {size}")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return bytes(out)
