"""Watch terms: a user's saved searches and how many hits arrived since they last looked.

A hit is new when its segment was stored after the highest segment id the
case held when the user last opened the saved search (``store.saved``):
the same search, run with ``since_segment``, counts exactly those (with no
query words, the calls holding such segments).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from callsift.search.engine import search
from callsift.search.query import SearchError
from callsift.store.case import CaseStore
from callsift.store.saved import SavedSearch, latest_segment, mark_seen, saved_searches

__all__ = ["Watched", "new_hits", "open_saved", "watched"]


@dataclass(frozen=True)
class Watched:
    """A saved search and its hits since last opened (``None``: it cannot be run any more)."""

    saved: SavedSearch
    new: int | None


def new_hits(store: CaseStore, saved: SavedSearch) -> int | None:
    """Hits on segments stored since the owner last opened ``saved``."""
    since = replace(saved.filters, since_segment=saved.seen_segment)
    try:
        return search(store, saved.query, since, limit=0).total
    except SearchError:
        return None


def watched(store: CaseStore, owner: str) -> list[Watched]:
    """The owner's saved searches, each with its count of new hits."""
    return [Watched(saved, new_hits(store, saved)) for saved in saved_searches(store, owner)]


def open_saved(store: CaseStore, saved: SavedSearch) -> int:
    """Mark ``saved`` seen up to now; returns the segment id it had been seen up to before."""
    mark_seen(store, saved.owner, saved.id, latest_segment(store))
    return saved.seen_segment
