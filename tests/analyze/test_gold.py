"""Analysis of the processed demo corpus against its hand annotation (demo/gold.json).

Precision and recall are measured end to end, on what the model heard, and
held to floors set from measurement (see README, "Accuracy"). English calls
get no person or casualty rules, the synthetic Ukrainian voice is hard for
the base model, and the garbled set (call_027 on) is written around words it
mishears: all pull recall down, and the floors say so.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from callsift.store import CaseStore, list_calls
from callsift.store.analysis import flags_of, mentions_of

REPO = Path(__file__).resolve().parents[2]

# (precision, recall) floors, a little under the values measured on
# 2026-12-04 over the 32 demo files, garbled set included, in the
# reproducible / native CPU modes (LOC 1.00/0.38 both, PER 0.81/0.62 and
# 0.78/0.62, unit 1.00/0.50 both, casualty 0.70/0.56 and 0.68/0.52, flags
# 1.00/0.61 both).
FLOORS = {
    "LOC": (0.9, 0.3),
    "PER": (0.75, 0.5),
    "unit": (0.9, 0.5),
    "casualty": (0.55, 0.4),
    "flags": (0.9, 0.55),
}


def _person(name: str) -> str:
    return name.lower().replace("ё", "е")


def found_items(store: CaseStore, call_id: int) -> dict[str, set[Any]]:
    mentions = mentions_of(store, call_id)
    return {
        "LOC": {m.attrs.get("english", m.normal) for m in mentions if m.type == "LOC"},
        "PER": {_person(m.normal) for m in mentions if m.type == "PER"},
        "unit": {m.normal for m in mentions if m.type == "unit"},
        "casualty": {(m.kind, m.value, m.fraction) for m in mentions if m.type == "casualty"},
        "flags": {f.topic for f in flags_of(store, call_id)},
    }


def gold_items(entry: dict[str, Any]) -> dict[str, set[Any]]:
    return {
        "LOC": set(entry["LOC"]),
        "PER": {_person(n) for n in entry["PER"]},
        "unit": set(entry["unit"]),
        "casualty": {
            (kind, None if value is None else float(value), fraction)
            for kind, value, fraction in entry["casualty"]
        },
        "flags": set(entry["flags"]),
    }


@pytest.fixture(scope="module")
def scores(demo_case: Path) -> dict[str, tuple[float, float]]:
    gold = json.loads((REPO / "demo" / "gold.json").read_text(encoding="utf-8"))["calls"]
    counts: Counter[tuple[str, str]] = Counter()
    with CaseStore(demo_case, create=False) as store:
        for call in list_calls(store):
            if call.file not in gold:
                continue
            found, expected = found_items(store, call.id), gold_items(gold[call.file])
            for kind in FLOORS:
                counts[kind, "tp"] += len(found[kind] & expected[kind])
                counts[kind, "fp"] += len(found[kind] - expected[kind])
                counts[kind, "fn"] += len(expected[kind] - found[kind])
    result = {}
    for kind in FLOORS:
        tp, fp, fn = (counts[kind, x] for x in ("tp", "fp", "fn"))
        result[kind] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
        print(
            f"{kind:9} precision {result[kind][0]:.2f} recall {result[kind][1]:.2f}"
            f"  (tp {tp}, fp {fp}, fn {fn})"
        )
    return result


@pytest.mark.parametrize("kind", list(FLOORS))
def test_precision_and_recall_hold_their_floor(
    scores: dict[str, tuple[float, float]], kind: str
) -> None:
    precision, recall = scores[kind]
    assert precision >= FLOORS[kind][0]
    assert recall >= FLOORS[kind][1]


def test_neutral_and_empty_calls_raise_no_flags(demo_case: Path) -> None:
    gold = json.loads((REPO / "demo" / "gold.json").read_text(encoding="utf-8"))["calls"]
    neutral = {name for name, entry in gold.items() if not entry["flags"]}
    with CaseStore(demo_case, create=False) as store:
        for call in list_calls(store):
            if call.file in neutral:
                assert flags_of(store, call.id) == [], call.file
