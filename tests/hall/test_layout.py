"""Hall layouts: the shipped Jiangbei layout, every validation rule, `hall layout check`,
and working-day arithmetic with holidays and 调休 extra working days."""

from __future__ import annotations

import math
import subprocess
import sys
from collections import Counter
from datetime import date, time
from pathlib import Path

import pytest

from hall.cli import main
from hall.core.layout import (
    Layout,
    LayoutError,
    WindowKind,
    default_layout_path,
    load_layout,
    parse_layout,
)

ROOT = Path(__file__).resolve().parents[2]
HALL = ROOT / ".venv" / "bin" / "hall"

# A small valid layout; each broken-layout test changes one thing in it.
MINIMAL = """\
[hall]
name = "测试大厅"

[hours]
sessions = [["09:00", "12:00"], ["13:00", "17:00"]]
issue_until = "16:30"
holidays = ["2026-10-01"]
extra_working_days = ["2026-10-10"]

[[floors]]
id = "1F"
name = "一楼"

[[queues]]
id = "G"
name = "综合"
prefix = "A"
domains = ["*"]
floor = "1F"
area = "综合区"

[[queues]]
id = "M"
name = "市场监管"
prefix = "B"
domains = ["market"]
floor = "1F"
area = "市场区"

[[windows]]
numbers = "1-2"
floor = "1F"
kind = "general"
skills = ["G", "M"]
profile = { G = 1.0 }

[[windows]]
number = 3
floor = "1F"
kind = "domain"
skills = ["M"]
profile = { M = 1.0 }
"""


@pytest.fixture(scope="module")
def jiangbei() -> Layout:
    return load_layout(default_layout_path())


def broken(old: str, new: str, base: str = MINIMAL) -> LayoutError:
    """Parse MINIMAL with one change; return the LayoutError it must raise."""
    assert old in base, old
    with pytest.raises(LayoutError) as info:
        parse_layout(base.replace(old, new, 1), "broken.toml")
    assert info.value.source == "broken.toml"
    assert str(info.value).startswith(f"broken.toml: {info.value.key}: ")
    return info.value


# ---------------------------------------------------------------- the shipped layout


def test_minimal_layout_is_valid() -> None:
    lay = parse_layout(MINIMAL, "ok.toml")
    assert sorted(lay.windows) == [1, 2, 3]
    assert lay.queue_for_domain("market") == "M"
    assert lay.queue_for_domain("anything-else") == "G"
    assert lay.hours.sessions == ((time(9), time(12)), (time(13), time(17)))


def test_jiangbei_has_30_comprehensive_windows_on_3_floors(jiangbei: Layout) -> None:
    assert [f.id for f in jiangbei.floors] == ["1F", "2F", "3F"]
    comprehensive = [
        w for w in jiangbei.windows.values() if w.kind in (WindowKind.GENERAL, WindowKind.DOMAIN)
    ]
    assert len(comprehensive) == 30
    assert sorted(w.number for w in comprehensive) == list(range(1, 31))
    per_floor = Counter(
        (w.floor, w.kind, next(iter(w.profile))) for w in comprehensive
    )  # (floor, kind, home queue)
    assert per_floor == {
        ("1F", WindowKind.GENERAL, "G"): 4,
        ("2F", WindowKind.GENERAL, "G"): 4,
        ("2F", WindowKind.DOMAIN, "M"): 11,
        ("2F", WindowKind.DOMAIN, "T"): 2,
        ("3F", WindowKind.GENERAL, "G"): 4,
        ("3F", WindowKind.DOMAIN, "E"): 5,
    }
    out = jiangbei.windows[31]
    assert out.kind is WindowKind.OUTPUT and out.floor == "1F" and dict(out.profile) == {"O": 1}
    assert len(jiangbei.windows) == 31


def test_jiangbei_profiles_within_skills_and_every_queue_served(jiangbei: Layout) -> None:
    for w in jiangbei.windows.values():
        assert set(w.profile) <= set(w.skills)
        assert all(x > 0 for x in w.profile.values())
    served = {q for w in jiangbei.windows.values() for q in w.profile}
    assert served == set(jiangbei.queues)
    prefixes = [q.prefix for q in jiangbei.queues.values()]
    assert len(set(prefixes)) == len(prefixes)


def test_jiangbei_domains_map_to_queues(jiangbei: Layout) -> None:
    assert jiangbei.queue_for_domain("market") == "M"
    assert jiangbei.queue_for_domain("transport") == "T"
    assert jiangbei.queue_for_domain("construction") == "E"
    assert jiangbei.queue_for_domain("social_security") == "G"  # the catch-all


def test_jiangbei_rules(jiangbei: Layout) -> None:
    assert jiangbei.hours.sessions == ((time(9), time(17)),)
    assert jiangbei.hours.issue_until == time(16, 30)
    assert jiangbei.priority.green_channel_age == 70
    assert jiangbei.no_show.recalls_before_auto == 2
    assert (jiangbei.follow_up.contact_days, jiangbei.follow_up.rectify_days) == (1, 4)
    assert jiangbei.follow_up.complex_days == 13


def test_late_wait_defaults_to_the_cap_and_stays_within_it(jiangbei: Layout) -> None:
    # unset: the 40-minute cap, so the classes keep their priority; Jiangbei sets 8 (README)
    assert jiangbei.priority.late_wait_minutes == 8
    assert jiangbei.priority.max_wait_minutes == 40
    assert parse_layout(MINIMAL, "ok.toml").priority.late_wait_minutes == 40
    lay = parse_layout(MINIMAL + "\n[priority]\nlate_wait_minutes = 10\n", "ok.toml")
    assert lay.priority.late_wait_minutes == 10
    for bad in ("0", "-1", "41"):  # above 0, at most max_wait_minutes (40)
        last = "profile = { M = 1.0 }\n"
        err = broken(last, f"{last}\n[priority]\nlate_wait_minutes = {bad}\n")
        assert err.key == "priority.late_wait_minutes"


# MINIMAL on three floors, M waiting on 3F: window 1 (1F) may help M from another floor
THREE_FLOORS = (
    MINIMAL.replace('[[floors]]\nid = "1F"\nname = "一楼"\n',
                    '[[floors]]\nid = "1F"\nname = "一楼"\n\n[[floors]]\nid = "2F"\nname = "二楼"\n'
                    '\n[[floors]]\nid = "3F"\nname = "三楼"\n')
    .replace('floor = "1F"\narea = "市场区"', 'floor = "3F"\narea = "市场区"')
    .replace('number = 3\nfloor = "1F"', 'number = 3\nfloor = "3F"')
    .replace('skills = ["G", "M"]\nprofile = { G = 1.0 }\n',
             'skills = ["G"]\nprofile = { G = 1.0 }\nother_floors = ["M"]\n')
)  # fmt: skip


def test_walk_between_floors_and_help_to_other_floors() -> None:
    lay = parse_layout(THREE_FLOORS, "ok.toml")
    assert lay.windows[1].other_floors == ("M",) and lay.windows[3].other_floors == ()
    # unset: no walk, the rule off
    assert lay.walk_minutes("1F", "3F") == 0
    assert lay.priority.other_floor_wait_minutes == math.inf
    lay = parse_layout(THREE_FLOORS.replace('name = "测试大厅"\n', 'name = "测试大厅"\n'
                       "walk_minutes_between_floors = 1.5\n") + "\n[priority]\n"
                       "other_floor_wait_minutes = 5\n", "ok.toml")  # fmt: skip
    # per floor of difference, either way; none on the same floor
    assert lay.walk_minutes("1F", "3F") == lay.walk_minutes("3F", "1F") == 3.0
    assert lay.walk_minutes("2F", "1F") == 1.5 and lay.walk_minutes("2F", "2F") == 0
    assert lay.priority.other_floor_wait_minutes == 5


@pytest.mark.parametrize(
    "old, new, key",
    [
        ('other_floors = ["M"]', 'other_floors = ["X"]', "windows[0].other_floors"),  # unknown
        ('other_floors = ["M"]', 'other_floors = ["G"]', "windows[0].other_floors"),  # same floor
        (
            'skills = ["G"]\nprofile = { G = 1.0 }\nother_floors = ["M"]',
            'skills = ["G", "M"]\nprofile = { G = 1.0 }\nother_floors = ["M"]',
            "windows[0].other_floors",
        ),  # already a skill
        (
            'name = "测试大厅"\n',
            'name = "测试大厅"\nwalk_minutes_between_floors = -1\n',
            "hall.walk_minutes_between_floors",
        ),
        (
            "profile = { M = 1.0 }\n",
            "profile = { M = 1.0 }\n\n[priority]\nother_floor_wait_minutes = -2\n",
            "priority.other_floor_wait_minutes",
        ),
    ],
)
def test_wrong_walk_or_other_floors_is_named(old: str, new: str, key: str) -> None:
    assert broken(old, new, THREE_FLOORS).key == key


@pytest.mark.parametrize(
    "name", ["jiangbei.toml", "jiangbei-demo.toml", "county.toml", "town.toml"]
)
def test_every_shipped_layout_loads(name: str) -> None:
    lay = load_layout(ROOT / "config" / name)
    assert lay.windows and lay.queues


# ---------------------------------------------------------------- broken layouts


def test_unknown_key_is_named() -> None:
    e = broken('name = "测试大厅"', 'name = "测试大厅"\ncolour = "red"')
    assert e.key == "hall" and "colour" in e.expected


def test_unknown_key_in_a_window_is_named() -> None:
    e = broken('number = 3\nfloor = "1F"', 'number = 3\nflor = "1F"')
    assert e.key.startswith("windows[1]")


def test_window_on_a_floor_that_does_not_exist() -> None:
    e = broken('number = 3\nfloor = "1F"', 'number = 3\nfloor = "9F"')
    assert e.key == "windows[1].floor"
    assert "'1F'" in e.expected and "'9F'" in e.expected


def test_queue_on_a_floor_that_does_not_exist() -> None:
    e = broken('floor = "1F"\narea = "市场区"', 'floor = "4F"\narea = "市场区"')
    assert e.key == "queues[1].floor"


def test_two_windows_with_one_number() -> None:
    e = broken("number = 3", "number = 2")
    assert e.key == "windows[1].number" and "2 appears twice" in e.expected


def test_queue_no_window_serves() -> None:
    e = broken(
        'skills = ["M"]\nprofile = { M = 1.0 }', 'skills = ["M", "G"]\nprofile = { G = 1.0 }'
    )
    assert e.key == "queues.M" and "serves" in e.expected


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('["09:00", "12:00"]', '["9am", "12:00"]', "hours.sessions[0]"),
        ('["13:00", "17:00"]', '["13:00", "24:00"]', "hours.sessions[1]"),
        ('["13:00", "17:00"]', '["11:00", "17:00"]', "hours.sessions[1]"),  # overlaps
        ('issue_until = "16:30"', 'issue_until = "16.30"', "hours.issue_until"),
        ('holidays = ["2026-10-01"]', 'holidays = ["2026-13-01"]', "hours.holidays"),
        ('holidays = ["2026-10-01"]', "holidays = []\nworking_days = []", "hours.working_days"),
    ],
)
def test_bad_time(old: str, new: str, key: str) -> None:
    assert broken(old, new).key == key


def test_profile_outside_skills() -> None:
    e = broken("profile = { M = 1.0 }", "profile = { M = 1.0, G = 1.0 }")
    assert e.key == "windows[1].profile" and "'G'" in e.expected


def test_skill_that_is_no_queue() -> None:
    e = broken('skills = ["M"]', 'skills = ["M", "X"]')
    assert e.key == "windows[1].skills"


def test_non_positive_weight() -> None:
    assert broken("profile = { M = 1.0 }", "profile = { M = 0 }").key == "windows[1].profile"


@pytest.mark.parametrize("weight", ["1e-300", "0.009", "101", "inf", "nan"])
def test_a_weight_the_engine_would_refuse(weight: str) -> None:
    # The layout took any weight above 0 and set_profile refused the same default profile.
    e = broken("profile = { M = 1.0 }", f"profile = {{ M = {weight} }}")
    assert e.key == "windows[1].profile" and "0.01 to 100" in e.expected


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        ('prefix = "B"', "prefix = 2", "queues[1].prefix", "text"),
        (
            'numbers = "1-2"',
            "numbers = 1.5",
            "windows[0].numbers",
            "text or a list of whole numbers",
        ),
        ('skills = ["M"]', 'skills = "M"', "windows[1].skills", "a list of texts"),
        ('name = "测试大厅"', "name = 7", "hall.name", "text"),
    ],
)
def test_wrong_type(old: str, new: str, key: str, expected: str) -> None:
    # our own words (hall.core.shape), whatever msgspec's message says
    e = broken(old, new)
    assert e.key == key and e.expected == expected


def test_unknown_window_kind() -> None:
    e = broken('kind = "domain"', 'kind = "vip"')
    assert e.key == "windows[1].kind" and "general" in e.expected


def test_prefix_must_be_unique_and_one_capital() -> None:
    assert broken('prefix = "B"', 'prefix = "A"').key == "queues"
    assert broken('prefix = "B"', 'prefix = "BB"').key == "queues[1].prefix"


def test_no_catch_all_queue() -> None:
    assert broken('domains = ["*"]', 'domains = ["general"]').key == "queues"


def test_bad_number_range() -> None:
    assert broken('numbers = "1-2"', 'numbers = "2-1"').key == "windows[0].numbers"


def test_not_toml() -> None:
    e = broken("[hall]", "[hall")
    assert e.key == "(file)"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutError) as info:
        load_layout(tmp_path / "nope.toml")
    assert info.value.key == "(file)"


# ---------------------------------------------------------------- hall layout check


def test_layout_check_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layout", "check", str(default_layout_path())]) == 0
    out = capsys.readouterr().out
    assert "30 comprehensive windows on 3 floors" in out
    assert "1F 一楼: 5 windows" in out  # 4 general + the output window
    assert "2F 二楼: 17 windows" in out
    assert "3F 三楼: 9 windows" in out


def test_layout_check_broken_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace("number = 3", "number = 1"), encoding="utf-8")
    assert main(["layout", "check", str(bad)]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert str(bad) in cap.err and "windows[1].number" in cap.err
    assert "Traceback" not in cap.err


def test_layout_check_as_a_real_process(tmp_path: Path) -> None:
    exe = [str(HALL)] if HALL.exists() else [sys.executable, "-m", "hall"]
    ok = subprocess.run(
        [*exe, "layout", "check", str(default_layout_path())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "30 comprehensive windows on 3 floors" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        MINIMAL.replace('floor = "1F"\nkind = "domain"', 'floor = "5F"\nkind = "domain"')
    )
    ko = subprocess.run(
        [*exe, "layout", "check", str(bad)], capture_output=True, text=True, timeout=60, check=False
    )
    assert ko.returncode == 2
    assert "windows[1].floor" in ko.stderr and "Traceback" not in ko.stderr


# ---------------------------------------------------------------- working days


def test_working_days_with_holidays_and_extra_days(jiangbei: Layout) -> None:
    h = jiangbei.hours
    assert h.is_working_day(date(2026, 11, 26))  # Thursday
    assert not h.is_working_day(date(2026, 11, 28))  # Saturday
    assert not h.is_working_day(date(2026, 10, 1))  # National Day, a Thursday
    assert h.is_working_day(date(2026, 10, 10))  # 调休: a Saturday worked
    assert h.is_open(date(2026, 11, 26), time(9)) and not h.is_open(date(2026, 11, 26), time(17))
    assert not h.issuing(date(2026, 11, 26), time(16, 30))
    assert h.issuing(date(2026, 11, 26), time(16, 29))


def test_add_working_days(jiangbei: Layout) -> None:
    h = jiangbei.hours
    thu = date(2026, 11, 26)
    assert h.add_working_days(thu, 0) == thu
    assert h.add_working_days(thu, 1) == date(2026, 11, 27)
    assert h.add_working_days(thu, 2) == date(2026, 11, 30)  # over the weekend
    # Thu 24 Sep 2026: 中秋 Fri 25 – Sun 27 off (the State Council's 2026 notice; this test
    # used to expect 26 Sep, 30 Sep and 19 Oct from a hand-typed list that made Sat 26 a
    # workday: wrong).
    start = date(2026, 9, 24)
    assert h.add_working_days(start, 1) == date(2026, 9, 28)
    assert h.add_working_days(start, 4) == date(2026, 10, 8)  # 28, 29, 30, 8 Oct
    # National Day week off, then Sat 10 Oct worked.
    assert h.add_working_days(start, 13) == date(2026, 10, 20)


# ---------------------------------------------------------------- the county's 90 % rule


def test_comprehensive_window_share_is_a_warning() -> None:
    # [D] 三(四) “确保综合窗口占比不低于90%”. MINIMAL has 3 comprehensive windows; one
    # output window more makes 3 of 4 = 75 %.
    extra = '\n[[windows]]\nnumber = 4\nfloor = "1F"\nkind = "output"\nskills = ["G"]\nprofile = { G = 1.0 }\n'
    text = (
        MINIMAL.replace('name = "测试大厅"', 'name = "测试大厅"\nmin_comprehensive_share = 0.9')
        + extra
    )
    layout = parse_layout(text)
    assert layout.comprehensive_share() == 0.75
    [w] = layout.warnings()
    assert "75.0%" in w and "3/4" in w and "90%" in w
    assert parse_layout(MINIMAL + extra).warnings() == []  # no rule, no warning
    assert load_layout("county").warnings() == []  # 35 of 37 = 94.6 %
    with pytest.raises(LayoutError) as e:
        parse_layout(
            MINIMAL.replace('name = "测试大厅"', 'name = "x"\nmin_comprehensive_share = 90')
        )
    assert e.value.key == "hall.min_comprehensive_share"


def test_layout_check_prints_the_warning(tmp_path: Path) -> None:
    extra = '\n[[windows]]\nnumber = 4\nfloor = "1F"\nkind = "output"\nskills = ["G"]\nprofile = { G = 1.0 }\n'
    p = tmp_path / "hall.toml"
    p.write_text(
        MINIMAL.replace('name = "测试大厅"', 'name = "测试大厅"\nmin_comprehensive_share = 0.9')
        + extra,
        "utf-8",
    )
    out = subprocess.run([str(HALL), "layout", "check", str(p)], capture_output=True, text=True,
                         timeout=60, check=False)  # fmt: skip
    assert out.returncode == 0 and "warning: 综合窗口占比 75.0%" in out.stderr
