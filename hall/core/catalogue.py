"""The service-item catalogue: what a citizen can pick at the kiosk.

Pure Python. The only I/O is reading the CSV file it is given
(`config/items.csv` by default, columns ``code,name,name_en,domain,pinyin``).
A bad row stops the load with a `CatalogueError` naming the file, the line,
the column and what was expected, so a hall manager editing the sheet in a
spreadsheet knows what to fix.

`Catalogue.search` is what the kiosk's search box and the counter's
transfer dialog call: it matches Chinese substrings (``营业执照``), pinyin
initials (``yyzz`` → 营业执照设立登记) and item codes (``SC-0001``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hall.core.shipped import config_file

DEFAULT_PATH = config_file("items.csv")

COLUMNS = ("code", "name", "name_en", "domain", "pinyin")

#: Service domains and the name a hall uses for each (分领域 windows take the
#: items of their domain; 无差别 windows take all of them).
DOMAINS: dict[str, str] = {
    "market": "市场监管",
    "transport": "交通运输",
    "construction": "工程建设",
    "tax": "税务",
    "real_estate": "不动产登记",
    "investment": "投资项目",
    "public_security": "公安",
    "marriage": "婚姻登记",
    "social_security": "社会保障",
    "civil_affairs": "民政",
    "health": "卫生健康",
    "housing_fund": "住房公积金",
    "agriculture": "农业农村",
    "education": "教育",
    "culture": "文化旅游",
    "natural_resources": "规划自然资源",
    "ecology": "生态环境",
    "water": "水利",
    "other": "其他",
}

_CODE_RE = re.compile(r"^[A-Z]{2}-\d{4}$")
_PINYIN_RE = re.compile(r"^[a-z0-9]+$")
_SPACE_RE = re.compile(r"\s+")


class CatalogueError(ValueError):
    """The catalogue file cannot be used; the message says where and why."""

    def __init__(
        self, path: Path, message: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.reason = message
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {COLUMNS.index(column) + 1} ({column})"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Item:
    """One service item (政务服务事项) a citizen can take a ticket for."""

    code: str
    name: str
    name_en: str
    domain: str
    pinyin: str


def is_item_code(code: str) -> bool:
    """Whether `code` has the form of an item code (two capitals, '-', four digits)."""
    return bool(_CODE_RE.match(code))


def pinyin_initials(name: str) -> str:
    """Lower-case pinyin initials of a Chinese name: 营业执照设立登记 → yyzzsldj.

    Latin letters and digits are kept, punctuation and spaces dropped.
    """
    from pypinyin import Style, lazy_pinyin  # heavy dictionary: load only when needed

    joined = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    return "".join(c for c in joined if c.isascii() and c.isalnum())


def _normalise(text: str) -> str:
    return _SPACE_RE.sub("", text).casefold()


class Catalogue:
    """The service items of a hall, by code, by domain and by search text."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._items: dict[str, Item] = {}
        for item in items:
            if item.code in self._items:
                raise ValueError(f"duplicate item code {item.code}")
            self._items[item.code] = item

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items.values())

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def __getitem__(self, code: str) -> Item:
        return self._items[code]

    def get(self, code: str) -> Item | None:
        """The item with this code, or None."""
        return self._items.get(code)

    def in_domain(self, domain: str) -> list[Item]:
        """The items of one domain, in catalogue order."""
        return [item for item in self._items.values() if item.domain == domain]

    def search(self, text: str, limit: int = 20) -> list[Item]:
        """Items matching `text`, best first, at most `limit` of them.

        Matches, from strongest to weakest: exact code, name or initials;
        name or initials starting with the text; code starting with the text;
        name or initials containing it; English name words starting with it;
        all the Chinese characters typed appearing in the name in order
        (食品许可 → 食品经营许可). Ties go to the earlier match, then the
        shorter name, then catalogue order.
        """
        query = _normalise(text)
        if not query or limit <= 0:
            return []
        scored: list[tuple[int, int, int, int, Item]] = []
        for order, item in enumerate(self._items.values()):
            hit = _score(item, query)
            if hit is not None:
                rank, position = hit
                scored.append((rank, position, len(item.name), order, item))
        scored.sort(key=lambda s: s[:4])
        return [s[4] for s in scored[:limit]]


def _score(item: Item, query: str) -> tuple[int, int] | None:
    """(rank, position) of the best way `query` matches `item`; lower is better."""
    name = _normalise(item.name)
    code = item.code.casefold()
    if query in (name, item.pinyin, code):
        return (0, 0)
    if name.startswith(query) or item.pinyin.startswith(query):
        return (1, 0)
    if code.startswith(query):
        return (2, 0)
    positions = [p for p in (name.find(query), item.pinyin.find(query)) if p >= 0]
    if positions:
        return (3, min(positions))
    if code.find(query) >= 0:
        return (4, code.find(query))
    words = re.split(r"[^0-9a-z]+", item.name_en.casefold())
    for index, word in enumerate(words):
        if len(query) >= 2 and word.startswith(query):
            return (5, index)
    if not query.isascii() and len(query) >= 2:
        position = _subsequence_start(name, query)
        if position is not None:
            return (6, position)
    return None


def _subsequence_start(haystack: str, needle: str) -> int | None:
    """Where `needle` starts if its characters all occur in `haystack` in order."""
    start = haystack.find(needle[0])
    if start < 0:
        return None
    at = start
    for char in needle[1:]:
        at = haystack.find(char, at + 1)
        if at < 0:
            return None
    return start


def load_catalogue(path: str | Path = DEFAULT_PATH) -> Catalogue:
    """Read and check a catalogue CSV; raise CatalogueError on the first bad row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise CatalogueError(path, "file not found") from e
    except UnicodeDecodeError as e:
        raise CatalogueError(path, f"not UTF-8 text ({e.reason} at byte {e.start})") from e
    except OSError as e:
        raise CatalogueError(path, f"cannot read: {e.strerror}") from e

    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise CatalogueError(path, "empty file; expected a header line " + ",".join(COLUMNS))
    if tuple(h.strip() for h in header) != COLUMNS:
        raise CatalogueError(
            path, f"header is {','.join(header)!r}; expected {','.join(COLUMNS)!r}", line=1
        )

    items: list[Item] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        items.append(_parse_row(path, line, row, seen))
    return Catalogue(items)


def _parse_row(path: Path, line: int, row: list[str], seen: dict[str, int]) -> Item:
    if len(row) > len(COLUMNS):
        raise CatalogueError(
            path, f"{len(row)} fields; expected {len(COLUMNS)} ({','.join(COLUMNS)})", line
        )
    cells = [cell.strip() for cell in row] + [""] * (len(COLUMNS) - len(row))
    values = dict(zip(COLUMNS, cells, strict=True))
    for column in COLUMNS:
        if not values[column]:
            raise CatalogueError(path, "missing value", line, column)

    code = values["code"]
    if not _CODE_RE.match(code):
        raise CatalogueError(
            path, f"bad code {code!r}; expected two capitals, '-', four digits", line, "code"
        )
    if code in seen:
        raise CatalogueError(
            path, f"duplicate code {code} (first used on line {seen[code]})", line, "code"
        )
    seen[code] = line
    if values["domain"] not in DOMAINS:
        raise CatalogueError(
            path,
            f"unknown domain {values['domain']!r}; expected one of {', '.join(DOMAINS)}",
            line,
            "domain",
        )
    if not _PINYIN_RE.match(values["pinyin"]):
        raise CatalogueError(
            path,
            f"bad pinyin {values['pinyin']!r}; expected lower-case initials and digits",
            line,
            "pinyin",
        )
    return Item(**values)
