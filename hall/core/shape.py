"""Config files (TOML) into msgspec Structs, with errors in our own words.

msgspec refuses unknown keys and wrong types, but its message text and the way it names
the offending path change between releases. `convert` lets msgspec decide *whether* the
data fits; when it does not, it walks the data against the declared types itself and says
*where* (``queues[1].prefix``) and *what was expected* ("text", "a whole number", "one of
these keys: …"): wording that is ours and stays stable for halls and tests.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import msgspec

T = TypeVar("T")


class ShapeError(ValueError):
    """The data does not fit the declared shape: `path` (dotted, with [i] for list items;
    "(top)" for the whole) and `expected` (what belongs there)."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"{path}: {expected}")
        self.path = path
        self.expected = expected


def convert(data: Any, type_: type[T]) -> T:
    """`msgspec.convert(data, type_)`, a misfit raised as ShapeError."""
    try:
        return msgspec.convert(data, type_)
    except msgspec.ValidationError as e:
        path, expected = _find(data, type_, "")
        raise ShapeError(path or "(top)", expected) from e


def describe(tp: Any) -> str:
    """What a value of this declared type is, in plain English."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        limits = [_limits(m) for m in args[1:] if isinstance(m, msgspec.Meta)]
        return ", ".join([describe(args[0]), *(x for x in limits if x)])
    if origin in (Union, types.UnionType):
        return " or ".join(describe(a) for a in args if a is not type(None))
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (list, tuple, set, frozenset):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} ({', '.join(describe(a) for a in args)})"
        return f"a list of {_plural(describe(args[0]))}" if args else "a list"
    if origin is dict or tp is dict or _is_struct(tp):
        return "a table"
    return _SIMPLE.get(tp, getattr(tp, "__name__", str(tp)))


_SIMPLE: dict[Any, str] = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    Any: "any value",
}


def _limits(meta: msgspec.Meta) -> str:
    said = [f"{word} {value}" for word, value in (
        ("at least", meta.ge), ("above", meta.gt), ("at most", meta.le), ("below", meta.lt),
        ("at least", meta.min_length), ("at most", meta.max_length)) if value is not None]  # fmt: skip
    if meta.min_length is not None or meta.max_length is not None:
        said[-1] += " long"
    if meta.pattern is not None:
        said.append(f"matching {meta.pattern}")
    return " and ".join(said)


def _plural(what: str) -> str:
    return {"text": "texts", "a whole number": "whole numbers", "a number": "numbers",
            "a table": "tables", "true or false": "true/false values"}.get(what, what)  # fmt: skip


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _fits(value: Any, tp: Any) -> bool:
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError:
        return False
    return True


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _find(value: Any, tp: Any, path: str) -> tuple[str, str]:
    """The deepest place in `value` that does not fit `tp`, and what belongs there."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated and not _fits(value, args[0]):
        return _find(value, args[0], path)
    if _is_struct(tp) and isinstance(value, dict):
        fields = {f.encode_name: f for f in msgspec.structs.fields(tp)}
        hints = get_type_hints(tp, include_extras=True)  # with their Meta limits
        if tp.__struct_config__.forbid_unknown_fields:
            for key in value:
                if key not in fields:
                    return path or "(top)", f"no key {key!r} here; keys: " + ", ".join(fields)
        for name, f in fields.items():
            if f.required and name not in value:
                return _join(path, name), f"{describe(hints[f.name])} (missing)"
        for name, f in fields.items():
            if name in value and not _fits(value[name], hints[f.name]):
                return _find(value[name], hints[f.name], _join(path, name))
    elif origin in (list, set, frozenset) and args and isinstance(value, list):
        for i, item in enumerate(value):
            if not _fits(item, args[0]):
                return _find(item, args[0], f"{path}[{i}]")
    elif origin is tuple and args and args[-1] is not Ellipsis and isinstance(value, list):
        if len(value) == len(args):
            for i, (item, item_tp) in enumerate(zip(value, args, strict=True)):
                if not _fits(item, item_tp):
                    return _find(item, item_tp, f"{path}[{i}]")
    elif origin is dict and len(args) == 2 and isinstance(value, dict):
        for key, item in value.items():
            if not _fits(item, args[1]):
                return _find(item, args[1], _join(path, key))
    elif origin in (Union, types.UnionType) and isinstance(value, dict):
        # a table where one of the alternatives is a struct: the struct says where
        structs = [a for a in args if _is_struct(a)]
        if len(structs) == 1:
            return _find(value, structs[0], path)
    return path, describe(tp)
