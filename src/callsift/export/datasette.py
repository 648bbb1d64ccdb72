"""Datasette-ready SQLite export of a case or a selection.

Datasette (https://datasette.io) is how many newsrooms already browse data:
``datasette case-export.db -m case-export.metadata.json`` gives every table
facets, links along foreign keys, a JSON API and, for ``segments``, a search
box over the transcripts, translations and lemmas. The database holds the
readable tables of ``tables.py`` plus views (``call_summary``,
``flagged_segments``, ``number_activity``, ``mentioned``); the metadata file
beside it gives titles and descriptions, so a reader who opens it cold knows
what each table is and that every call is a lead until verified.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from callsift import __version__
from callsift.export.calls import export_calls
from callsift.export.tables import readable_tables
from callsift.store import CaseStore
from callsift.store.export_sqlite import write_export_database

__all__ = ["metadata_path", "write_sqlite"]

_DESCRIPTIONS = {
    "calls": "One row per call: metadata as the team recorded it, both numbers normalised "
    "(E.164) with directory names, languages, watchlist flags and verification status.",
    "numbers": "Caller and receiver of each call: the number as written and normalised.",
    "known_numbers": "Directory entries (the team's own lists) for numbers in these calls.",
    "segments": "Transcript segments with their English translation; searchable.",
    "entities": "People, places, units, equipment, casualty figures and dates mentioned.",
    "flags": "Watchlist terms heard in a segment.",
    "findings": "What the consistency and voice checks noticed: leads, not verdicts.",
    "verification_history": "Every change of verification status, append-only.",
    "call_links": "Calls a reviewer linked as corroborating each other.",
    "custody": "Chain-of-custody log entries of these calls.",
    "call_summary": "Calls by date with their counts of segments, flags and findings.",
    "flagged_segments": "Every flagged segment with its call, time and translation.",
    "number_activity": "Each number: how many calls, as caller or receiver, first and last.",
    "mentioned": "Each distinct entity mentioned, with how many calls mention it.",
}


def metadata_path(out: Path) -> Path:
    """Where the Datasette metadata for the database ``out`` is written."""
    return out.with_name(f"{out.stem}.metadata.json")


def _metadata(store: CaseStore, out: Path, calls: int) -> dict[str, object]:
    return {
        "title": f"callsift case {store.root.name}",
        "description": (
            f"{calls} recorded calls exported by callsift {__version__}. Transcripts and "
            "translations are machine-made; every call is unverified until a reviewer "
            "says otherwise (calls.verification)."
        ),
        "databases": {
            out.stem: {
                "tables": {name: {"description": text} for name, text in _DESCRIPTIONS.items()}
            }
        },
    }


def write_sqlite(store: CaseStore, call_ids: Sequence[int] | None, out: Path) -> Path:
    """Write the selected calls (``None``: whole case) to the SQLite file ``out``.

    Also writes ``<stem>.metadata.json`` beside it for ``datasette -m``.
    """
    calls = export_calls(store, call_ids)
    selection = None if call_ids is None else [call.id for call in calls]
    write_export_database(out, readable_tables(store, calls, selection))
    metadata_path(out).write_text(
        json.dumps(_metadata(store, out, len(calls)), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return out
