"""Messages for pydantic's validation errors in the files users write (scenarios, log profiles).

An unknown key names the key the user most likely meant, or the keys allowed there:

>>> from pydantic import BaseModel, ConfigDict, ValidationError
>>> class Shift(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     start: float = 8.0
>>> class World(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     shifts: dict[str, Shift] = {}
>>> try:
...     World.model_validate({"shifts": {"day": {"strat": 9}}})
... except ValidationError as exc:
...     print(unknown_key_message(World, exc.errors()[0]))
unknown key (did you mean 'start'?)
"""

from __future__ import annotations

import difflib
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel


def _unwrap(kind: Any) -> Any:
    while get_origin(kind) in (Union, UnionType, Annotated):  # Optional[...], X | None, Annotated[X, ...]
        kind = next((a for a in get_args(kind) if a is not type(None)), None)
    return kind


def _kind_at(root: type[BaseModel], loc: tuple) -> Any:
    """The type ``root`` holds at ``loc`` (a path of field names, mapping keys and list indexes), unwrapped;
    None where the path leads nowhere."""
    kind: Any = root
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(str(part))
            if field is None:
                return None
            kind = field.annotation
        elif get_origin(kind) in (dict, list):
            kind = get_args(kind)[-1]  # a mapping's value or a list's item: the part is a key or an index
        else:
            return None
    return _unwrap(kind)


def keys_at(root: type[BaseModel], loc: tuple) -> list[str] | None:
    """The keys ``root`` allows at ``loc`` (a path of field names, mapping keys and list indexes),
    or None where the path leads to no model."""
    kind = _kind_at(root, loc)
    return list(kind.model_fields) if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def is_named_mapping(root: type[BaseModel], loc: tuple) -> bool:
    """Whether ``root`` holds a mapping keyed by names the user chooses (``dict[str, ...]``: staff,
    habits) at ``loc``, rather than a model whose keys are its fields."""
    return get_origin(_kind_at(root, loc)) is dict


def closest(name: str, known: list[str]) -> str | None:
    """The known key most like ``name``, letter case aside (``'wh-a'`` is ``'WH-A'``); None if none is close.

    >>> closest("thursday loads / albany", ["Thursday loads / Albany", "Friday receipts"])
    'Thursday loads / Albany'
    """
    folded = {k.casefold(): k for k in known}
    match = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def unknown_key_message(root: type[BaseModel], err: dict) -> str | None:
    """For an ``extra_forbidden`` error, "unknown key" with the closest allowed key or the allowed keys;
    None for any other error."""
    if err.get("type") != "extra_forbidden" or not err.get("loc"):
        return None
    known = keys_at(root, tuple(err["loc"][:-1])) or []
    close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (known: {', '.join(known)})" if known else "unknown key"


def field_message(root: type[BaseModel], err: dict) -> str | None:
    """A friendlier message than pydantic's for the errors users make most in the files they write:
    an unknown key (:func:`unknown_key_message`), a required field left out (with the values it
    takes when they are a fixed set), a value not among a fixed set (with the one most like it);
    None for any other error.

    >>> from pydantic import ConfigDict, ValidationError, create_model
    >>> Role = Enum("Role", {"SALES": "sales", "WAREHOUSE_CLERK": "warehouse_clerk"})
    >>> Member = create_model("Member", role=(Role, ...), __config__=ConfigDict(extra="forbid"))
    >>> def first(data):
    ...     try:
    ...         Member.model_validate(data)
    ...     except ValidationError as exc:
    ...         return field_message(Member, exc.errors()[0])
    >>> first({})
    "required: add it (one of 'sales', 'warehouse_clerk')"
    >>> first({"role": "clerk"})
    "'clerk' is not one of 'sales', 'warehouse_clerk' (did you mean 'warehouse_clerk'?)"
    """
    message = unknown_key_message(root, err)
    if message is not None or not err.get("loc"):
        return message
    kind = _kind_at(root, tuple(err["loc"]))
    choices = [str(m.value) for m in kind] if isinstance(kind, type) and issubclass(kind, Enum) else None
    if choices is None and get_origin(kind) is Literal and all(isinstance(a, str) for a in get_args(kind)):
        choices = list(get_args(kind))  # words (mode: push or batch); a number keeps pydantic's message
    if err.get("type") == "missing":
        return "required: add it" + (f" (one of {', '.join(map(repr, choices))})" if choices else "")
    if err.get("type") in ("enum", "literal_error") and choices:
        given = str(err.get("input"))
        near = [c for c in choices if len(given) >= 3 and given.casefold() in c.casefold()] or \
            difflib.get_close_matches(given.casefold(), choices, n=1, cutoff=0.6)  # 'clerk': 'warehouse_clerk'
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        return f"{given!r} is not one of {', '.join(map(repr, choices))}{hint}"
    return None
