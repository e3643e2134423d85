"""Counts with their noun in notes and messages: ``1 activity``, ``2 activities``.

>>> counted(1, "activity"), counted(1_250, "activity"), counted(0, "start timestamp")
('1 activity', '1,250 activities', '0 start timestamps')
>>> counted(1_250, "event", grouped=False), counted(1, "repeated event-object relation")
('1250 events', '1 repeated event-object relation')
"""

from __future__ import annotations

_IRREGULAR = {"activity": "activities", "entry": "entries", "category": "categories"}


def plural(noun: str, n: int) -> str:
    """``noun`` for a count of ``n``: as given for one, else its plural (the last word's)."""
    if n == 1:
        return noun
    head, _, last = noun.rpartition(" ")
    last = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
    return f"{head} {last}" if head else last


def counted(n: int, noun: str, *, grouped: bool = True) -> str:
    """``n`` (with thousands separators unless not ``grouped``) and ``noun`` in the number it needs."""
    return f"{n:,} {plural(noun, n)}" if grouped else f"{n} {plural(noun, n)}"
