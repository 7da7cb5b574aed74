"""The service-item catalogue: the shipped CSV, loading errors, search."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from hall.core.catalogue import (
    COLUMNS,
    DEFAULT_PATH,
    DOMAINS,
    Catalogue,
    CatalogueError,
    Item,
    load_catalogue,
    pinyin_initials,
)

HEADER = ",".join(COLUMNS) + "\n"


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "items.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# --- the shipped catalogue ------------------------------------------------------


def test_default_path_is_the_repo_config() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert repo / "config" / "items.csv" == DEFAULT_PATH


def test_shipped_catalogue_is_big_and_spread(shipped: Catalogue) -> None:
    assert len(shipped) >= 180
    per_domain = Counter(item.domain for item in shipped)
    assert per_domain["market"] >= 40
    assert per_domain["transport"] >= 15
    assert per_domain["construction"] >= 20
    assert set(per_domain) == set(DOMAINS)  # every domain has items


def test_shipped_names_are_unique(shipped: Catalogue) -> None:
    names = Counter(item.name for item in shipped)
    assert [n for n, k in names.items() if k > 1] == []


def test_every_pinyin_is_what_pypinyin_generates(shipped: Catalogue) -> None:
    for item in shipped:
        initials = "".join(lazy_pinyin(item.name, style=Style.FIRST_LETTER)).lower()
        expected = "".join(c for c in initials if c.isascii() and c.isalnum())
        assert item.pinyin == expected, item


def test_pinyin_initials_keeps_latin_and_digits_drops_punctuation() -> None:
    assert pinyin_initials("营业执照设立登记") == "yyzzsldj"
    assert pinyin_initials("出口退（免）税备案") == "cktmsba"
    assert pinyin_initials("第3类 ICP许可") == "d3licpxk"


def test_items_named_in_the_brief_are_there(shipped: Catalogue) -> None:
    names = {item.name for item in shipped}
    for name in ("营业执照设立登记", "食品经营许可", "结婚登记", "居住证签注", "公积金提取"):
        assert name in names


# --- search ---------------------------------------------------------------------


def test_pinyin_initials_find_business_licence_first(shipped: Catalogue) -> None:
    hits = shipped.search("yyzz")
    assert hits[0].name == "营业执照设立登记"
    assert all(item.pinyin.startswith("yyzz") for item in hits[:4])


def test_pinyin_search_ignores_case_and_spaces(shipped: Catalogue) -> None:
    assert shipped.search("YY ZZ")[0].name == "营业执照设立登记"


def test_chinese_substring_search(shipped: Catalogue) -> None:
    hits = shipped.search("出租汽车")
    names = [item.name for item in hits]
    assert "出租汽车驾驶员从业资格" in names
    assert "网络预约出租汽车运输证" in names
    # a name starting with the text ranks above one that only contains it
    assert names.index("出租汽车驾驶员从业资格") < names.index("网络预约出租汽车运输证")


def test_exact_name_ranks_first(shipped: Catalogue) -> None:
    assert shipped.search("不动产登记")[0].name == "不动产登记"
    assert shipped.search("jhdj")[0].name == "结婚登记"


def test_code_search(shipped: Catalogue) -> None:
    first = next(iter(shipped))
    assert shipped.search(first.code.lower()) == [first]
    assert all(item.code.startswith("SC-00") for item in shipped.search("SC-00", limit=50))


def test_characters_in_order_match_last(shipped: Catalogue) -> None:
    names = [item.name for item in shipped.search("食品许可")]
    assert "食品经营许可" in names


def test_limit_and_empty_query(shipped: Catalogue) -> None:
    assert len(shipped.search("登记", limit=5)) == 5
    assert shipped.search("登记", limit=0) == []
    assert shipped.search("   ") == []
    assert shipped.search("zzzzzzzz") == []


def test_search_on_a_small_catalogue() -> None:
    items = [
        Item("SC-0001", "建设工程规划许可", "Planning permit", "construction", "jsgcghxk"),
        Item("SC-0002", "建筑工程施工许可", "Building permit", "construction", "jzgcsgxk"),
        Item("SC-0003", "工程建设项目联合验收", "Joint acceptance", "construction", "gcjsxmlhys"),
    ]
    catalogue = Catalogue(items)
    assert [i.code for i in catalogue.search("gc")] == ["SC-0003", "SC-0001", "SC-0002"]
    assert [i.code for i in catalogue.search("permit")] == ["SC-0001", "SC-0002"]
    assert catalogue.in_domain("construction") == items
    assert catalogue.get("SC-0009") is None
    assert "SC-0002" in catalogue


# --- bad files ------------------------------------------------------------------


def test_good_temp_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "SC-0001,结婚登记,Marriage registration,marriage,jhdj\n\n")
    catalogue = load_catalogue(path)
    assert catalogue["SC-0001"] == Item(
        "SC-0001", "结婚登记", "Marriage registration", "marriage", "jhdj"
    )


def test_unknown_domain_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "SC-0001,结婚登记,Marriage registration,marriage,jhdj\n"
        "SC-0002,离婚登记,Divorce registration,family,lhdj\n",
    )
    with pytest.raises(CatalogueError) as e:
        load_catalogue(path)
    assert (e.value.path, e.value.line, e.value.column) == (path, 3, "domain")
    message = str(e.value)
    assert str(path) in message
    assert "line 3" in message
    assert "column 4 (domain)" in message
    assert "'family'" in message
    assert "marriage" in message  # says what was expected


def test_duplicate_code(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "SC-0001,结婚登记,Marriage registration,marriage,jhdj\n"
        "SC-0001,离婚登记,Divorce registration,marriage,lhdj\n",
    )
    with pytest.raises(CatalogueError, match=r"line 3, column 1 \(code\): duplicate code SC-0001"):
        load_catalogue(path)
    with pytest.raises(CatalogueError, match="first used on line 2"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (",结婚登记,Marriage registration,marriage,jhdj", "code"),
        ("SC-0001,,Marriage registration,marriage,jhdj", "name"),
        ("SC-0001,结婚登记, ,marriage,jhdj", "name_en"),
        ("SC-0001,结婚登记,Marriage registration,,jhdj", "domain"),
        ("SC-0001,结婚登记,Marriage registration,marriage", "pinyin"),
    ],
)
def test_missing_field(tmp_path: Path, row: str, column: str) -> None:
    path = write(tmp_path, row + "\n")
    with pytest.raises(CatalogueError) as e:
        load_catalogue(path)
    assert (e.value.line, e.value.column) == (2, column)
    assert "missing value" in str(e.value)
    assert f"({column})" in str(e.value)


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("0001,结婚登记,Marriage,marriage,jhdj", "code", "bad code"),
        ("SC-0001,结婚登记,Marriage,marriage,JH DJ", "pinyin", "bad pinyin"),
        ("SC-0001,结婚登记,Marriage,marriage,jhdj,extra", None, "6 fields"),
    ],
)
def test_malformed_values(tmp_path: Path, row: str, column: str | None, words: str) -> None:
    path = write(tmp_path, row + "\n")
    with pytest.raises(CatalogueError, match=words) as e:
        load_catalogue(path)
    assert (e.value.line, e.value.column) == (2, column)


def test_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("code,name,domain\nSC-0001,结婚登记,marriage\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"line 1: header"):
        load_catalogue(path)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="file not found"):
        load_catalogue(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CatalogueError, match="empty file"):
        load_catalogue(empty)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes((HEADER + "SC-0001,结婚登记,Marriage,marriage,jhdj\n").encode("gbk"))
    with pytest.raises(CatalogueError, match="not UTF-8"):
        load_catalogue(path)


def test_excel_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    text = HEADER + "SC-0001,结婚登记,Marriage,marriage,jhdj\n"
    path.write_bytes(text.encode("utf-8-sig"))
    assert len(load_catalogue(path)) == 1


# --- the shipped layouts agree with the catalogue -------------------------------


@pytest.mark.parametrize("name", ["jiangbei", "county", "town"])
def test_layout_domains_are_catalogue_domains(shipped: Catalogue, name: str) -> None:
    from hall.core.layout import CATCH_ALL, load_layout

    layout = load_layout(DEFAULT_PATH.parent / f"{name}.toml")
    for queue in layout.queues.values():
        assert set(queue.domains) <= set(DOMAINS) | {CATCH_ALL}, queue
    for item in shipped:  # every item has somewhere to queue
        assert layout.queue_for_domain(item.domain) in layout.queues
