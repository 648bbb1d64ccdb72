"""Run the translation checks over a call's stored English, once its mentions are stored.

The checks need what analysis found in the original (a place linked to the
gazetteer), so they run right after a call is analysed, and again whenever a
text engine translates it anew. See :mod:`callsift.translate.checks`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from callsift.records import Mention
from callsift.store import CaseStore
from callsift.store.analysis import mentions_of
from callsift.store.translations import english_to_check, save_translation_checks
from callsift.translate.checks import check_translation

__all__ = ["check_call", "repair_note"]


def repair_note(repair: dict[str, Any]) -> dict[str, Any]:
    """What a reader is told of English translated again (``callsift.translate.repair``)."""
    told = f", told to listen for {repair['hint'].rstrip('.')}" if repair.get("hint") else ""
    first = repair["before"]
    detail = f"translated again from this segment's audio alone{told}; it first read {first!r}"
    return {"check": "repair", "detail": detail, "fixed": True}


def check_call(store: CaseStore, call_id: int) -> int:
    """Check every machine English of the call; returns how many segments are doubtful."""
    by_segment: dict[int | None, list[Mention]] = defaultdict(list)
    for mention in mentions_of(store, call_id):
        by_segment[mention.segment_id].append(mention)
    checked = {}
    doubtful = 0
    for item in english_to_check(store, call_id):
        check = check_translation(
            item.text,
            item.language,
            item.english,
            by_segment[item.segment_id],
            item.logprob,
            item.dropped,
        )
        if item.repair and item.repair.get("kept"):
            check.notes.append(repair_note(item.repair))
        checked[item.segment_id] = (check.english, check.notes)
        doubtful += check.doubtful
    if checked:
        save_translation_checks(store, call_id, checked)
    return doubtful
