"""What the timeline draws from the whole case, read once per change of it.

At 100,000 calls the calls per day, the first date said on each day and the
places on the map took tens of milliseconds to read on every view, though
they change only while calls are ingested, analysed or corrected. They are
kept in memory beside the case's ``timeline_generation`` (raised by the
schema's triggers in the writer's own transaction, whichever process
writes), so a view while nothing changed costs one query for them; the
dates said are still read a page at a time (``spoken_dates``). The
generation is read before the figures: a change in between leaves figures
newer than their generation, read again at the next view, never older.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from callsift.store.case import CaseStore
from callsift.store.overview import (
    SpokenDate,
    calls_per_day,
    mapped_places,
    spoken_date_count,
    spoken_days,
    timeline_generation,
)

__all__ = ["TimelineFigures", "forget", "timeline_figures"]


@dataclass(frozen=True)
class TimelineFigures:
    """Attributes:
    generation: the ``timeline_generation`` they were read at.
    per_day: calls per day, oldest first; ``undated``: calls without a readable date.
    days: the first date said on each day it falls on, oldest day first.
    said: how many dates are said in the case, placed or not.
    places: ``(English name, lat, lon, calls)``, most calls first.
    """

    generation: int
    per_day: tuple[tuple[str, int], ...]
    undated: int
    days: tuple[SpokenDate, ...]
    said: int
    places: tuple[tuple[str, float, float, int], ...]


_lock = threading.Lock()
_kept: dict[str, TimelineFigures] = {}


def forget() -> None:
    """Drop what this process keeps (a test that rewrites a case behind the triggers)."""
    with _lock:
        _kept.clear()


def timeline_figures(store: CaseStore) -> TimelineFigures:
    """The figures of the case as it is now: kept ones while nothing changed, else read."""
    generation = timeline_generation(store)
    key = store.identity
    with _lock:
        found = _kept.get(key)
    if found is not None and found.generation == generation:
        return found
    per_day, undated = calls_per_day(store)
    made = TimelineFigures(
        generation,
        tuple(per_day),
        undated,
        tuple(spoken_days(store)),
        spoken_date_count(store),
        tuple(mapped_places(store)),
    )
    with _lock:
        _kept[key] = made
    return made
