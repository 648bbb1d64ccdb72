"""Reads the consistency checks need beyond a call's own record.

A call keeps only the first sidecar row that named one of its sources; the
duplicate check needs every row, to say what the rows of one recording's
several names disagree on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from callsift.store.case import CaseStore

__all__ = ["sidecar_rows_named"]


def sidecar_rows_named(store: CaseStore, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The sidecar row of each name: by its full relative name, else by its base name."""
    found = {}
    for name in names:
        base = name.rsplit("/", 1)[-1]
        row = store.conn.execute(
            "SELECT metadata FROM sidecar_rows WHERE file = ? OR file = ?"
            " ORDER BY (file = ?) DESC LIMIT 1",
            (name, base, name),
        ).fetchone()
        if row is not None:
            found[name] = json.loads(row["metadata"])
    return found
