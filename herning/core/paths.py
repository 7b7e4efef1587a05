"""The address of many records of one kind for the cost of one ``reverse``.

A list that links each of its rows (Min dag's 30 deadlines, the team overview's 50 children) would
call ``reverse`` per row, and per row again in the template's ``{% url %}``: the URL resolver's
reverse is some 20 µs each, a tenth of a busy page's markup. ``keyed_path(name)`` reverses the
name once with a key no record has and gives a function that puts each record's own key in its
place. Only for URL patterns of one integer argument, the records' keys.

Foundation code: this module imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# A key no record has (a sequence would reach it after a billion rows of one table).
_KEY = 987654321


def keyed_path(name: str) -> Callable[[int], str]:
    """A function from a record's key to ``reverse(name, args=[key])``."""
    pattern = reverse(name, args=[_KEY])
    head, found, tail = pattern.partition(str(_KEY))
    if not found or str(_KEY) in tail:
        raise ValueError(f"{name}: its address must hold its one key once ({pattern})")
    return lambda pk: f"{head}{int(pk)}{tail}"


class KeyedPaths(dict):
    """``keyed_path`` of each URL name, made when first asked for: one ``reverse`` per name for a
    whole list whose rows link to records of several kinds (Min dag's deadlines, the reminders)."""

    def __missing__(self, name: str) -> Callable[[int], str]:
        self[name] = found = keyed_path(name)
        return found
