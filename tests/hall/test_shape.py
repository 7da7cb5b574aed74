"""hall.core.shape: where a config value is wrong and what belongs there, in our own words
(msgspec decides whether the data fits; its wording is never what a hall reads)."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from hall.core.shape import ShapeError, convert, describe


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    weight: float = 1.0


class Outer(msgspec.Struct, forbid_unknown_fields=True):
    items: list[Inner]
    hours: list[tuple[str, str]]
    rates: dict[str, float] = msgspec.field(default_factory=dict)
    count: Annotated[int, msgspec.Meta(ge=0, le=9)] = 0
    label: str | None = None


GOOD = {"items": [{"name": "a"}], "hours": [["09:00", "12:00"]]}


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        ({"items": [{"name": "a"}, {"name": 3}]}, "items[1].name", "text"),
        ({"items": [{"name": "a", "weight": "x"}]}, "items[0].weight", "a number"),
        ({"items": [{}]}, "items[0].name", "text (missing)"),
        (
            {"items": [{"name": "a", "colour": 1}]},
            "items[0]",
            "no key 'colour' here; keys: name, weight",
        ),
        ({"hours": [["09:00", 12]]}, "hours[0][1]", "text"),
        ({"hours": [["09:00"]]}, "hours[0]", "a list of 2 (text, text)"),
        ({"rates": {"G": "fast"}}, "rates.G", "a number"),
        ({"count": 12}, "count", "a whole number, at least 0 and at most 9"),
        ({"label": 5}, "label", "text"),
        ({"items": "a"}, "items", "a list of tables"),
        ({"extra": 1}, "(top)", "no key 'extra' here; keys: items, hours, rates, count, label"),
    ],
)
def test_a_misfit_is_named_in_our_words(change: dict, path: str, expected: str) -> None:
    with pytest.raises(ShapeError) as e:
        convert({**GOOD, **change}, Outer)
    assert (e.value.path, e.value.expected) == (path, expected)
    assert str(e.value) == f"{path}: {expected}"


def test_data_that_fits_converts() -> None:
    out = convert({**GOOD, "count": 3}, Outer)
    assert out.items == [Inner("a")] and out.hours == [("09:00", "12:00")] and out.count == 3


def test_describe() -> None:
    assert describe(bool) == "true or false"
    assert describe(list[int]) == "a list of whole numbers"
    assert describe(dict[str, float]) == "a table"
