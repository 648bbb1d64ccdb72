"""Who called whom, when: the calls of a period, one row per direction.

The graph itself is undirected (see ``callgraph``); a reader following a
number wants the other view too: this number rang that one so many times,
first on this day, last on that. A row per ordered pair (caller, receiver),
most calls first, is that view. A period is a range of days as the
metadata writes them (``started_at[:10]``, the day where the call was
made); an undated call has no place in a period and is left out of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from callsift.graph.callgraph import GraphCall, node_key

__all__ = ["Flow", "flows", "in_period"]


@dataclass(frozen=True)
class Flow:
    """Every call from one number to another.

    Attributes:
        caller, receiver: node keys (E.164, or ``raw:`` + the text as written).
        calls: how many calls the caller made to the receiver.
        first, last: the first and last day of those calls (ISO), ``None`` if undated.
        call_ids: the calls, ascending.
    """

    caller: str
    receiver: str
    calls: int
    first: str | None
    last: str | None
    call_ids: tuple[int, ...]


def _day(call: GraphCall) -> str | None:
    day = (call.started_at or "")[:10]
    try:
        return date.fromisoformat(day).isoformat()
    except ValueError:
        return None


def in_period(calls: Iterable[GraphCall], start: date | None, end: date | None) -> list[GraphCall]:
    """The calls made from ``start`` to ``end`` (both included); no bound keeps every call."""
    if start is None and end is None:
        return list(calls)
    kept = []
    for call in calls:
        day = _day(call)
        if day is None:
            continue
        if start is not None and day < start.isoformat():
            continue
        if end is not None and day > end.isoformat():
            continue
        kept.append(call)
    return kept


def flows(calls: Iterable[GraphCall]) -> list[Flow]:
    """One row per (caller, receiver), most calls first, then by first day and caller."""
    pairs: defaultdict[tuple[str, str], list[GraphCall]] = defaultdict(list)
    for call in calls:
        if call.caller is not None and call.receiver is not None:
            pairs[(node_key(call.caller), node_key(call.receiver))].append(call)
    rows = []
    for (caller, receiver), between in pairs.items():
        days = sorted(d for call in between if (d := _day(call)))
        rows.append(
            Flow(
                caller=caller,
                receiver=receiver,
                calls=len(between),
                first=days[0] if days else None,
                last=days[-1] if days else None,
                call_ids=tuple(sorted(call.call_id for call in between)),
            )
        )
    return sorted(rows, key=lambda f: (-f.calls, f.first or "9999", f.caller, f.receiver))
