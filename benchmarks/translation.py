"""How trustworthy the demo corpus's English is: names, numbers, alignment, loops, chrF.

    .venv/bin/python benchmarks/translation.py            # build a demo case, then measure
    .venv/bin/python benchmarks/translation.py --case DIR # measure DIR (built there if missing)

Figures are defined in ``callsift.translate.quality``; chrF (sacrebleu, a
dev dependency) compares each channel's English, its segments joined in time
order, with the hand-written reference in ``demo/references.json``. Building
the case also prints how much of the processing time translation took.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from sacrebleu.metrics import CHRF

from callsift.store import CaseStore
from callsift.store.analysis import mentions_of
from callsift.store.translations import english_of
from callsift.translate.quality import TranslationQuality, measure_call

REPO = Path(__file__).resolve().parents[1]


def build(root: Path) -> dict[str, float]:
    from callsift.analyze.run import analyze_case
    from callsift.ingest.run import ingest_paths
    from callsift.pipeline import ProcessOptions, process_case
    from callsift.translate.repair import repair_case

    with CaseStore(root) as store:
        ingest_paths(store, [REPO / "demo" / "calls"])
        started = time.perf_counter()
        report = process_case(store, ProcessOptions())
        wall = time.perf_counter() - started
        analyze_case(store)
        repaired = repair_case(store)
    return {"wall_s": wall, **report.stage_s, "repair": repaired.seconds}


def measure(root: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    references = json.loads((REPO / "demo" / "references.json").read_text(encoding="utf-8"))
    chrf = CHRF()
    total = TranslationQuality()
    hypotheses: list[str] = []
    refs: list[str] = []
    table: list[dict[str, object]] = []
    with CaseStore(root) as store:
        calls = store.conn.execute("SELECT id, file FROM calls WHERE status = 'done' ORDER BY file")
        for call_id, file in [(row["id"], row["file"]) for row in calls]:
            rows = english_of(store, call_id)
            quality = measure_call(rows, mentions_of(store, call_id))
            total.add(quality)
            reference = references.get(file, {}).get("channels", {})
            said = [
                " ".join(r.english or "" for r in rows if str(r.channel) == channel)
                for channel in reference
            ]
            score = None
            if reference:
                hypotheses += said
                refs += list(reference.values())
                joined = " ".join(said)
                score = chrf.sentence_score(joined, [" ".join(reference.values())]).score
            table.append({"file": file, **quality.__dict__, "chrf": score})
    overall = {**total.__dict__, "chrf": chrf.corpus_score(hypotheses, [refs]).score}
    return table, overall


def _ratio(right: object, total: object) -> str:
    return f"{right}/{total}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, help="a demo case (built there if missing)")
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    args = parser.parse_args()
    stages: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        root = args.case or Path(scratch) / "case"
        if not (root / "case.db").exists():
            stages = build(root)
        table, overall = measure(root)
    if args.json:
        json.dump({"calls": table, "overall": overall, "stages": stages}, sys.stdout, indent=1)
        return
    head = f"{'call':14} {'segs':>4} {'names':>6} {'numbers':>8} {'marked':>6} {'misal.':>6}"
    print(head + f" {'loops shown':>11} {'dropped':>7} {'doubtful':>8} {'chrF':>5}")
    for row in [*table, {"file": "all", **overall}]:
        chrf = f"{row['chrf']:5.1f}" if row["chrf"] is not None else "    -"
        print(
            f"{row['file']:14} {row['segments']:>4} {_ratio(row['names_right'], row['names']):>6}"
            f" {_ratio(row['numbers_right'], row['numbers']):>8}"
            f" {int(row['names_marked']) + int(row['numbers_marked']):>6}"  # type: ignore[call-overload]
            f" {row['misaligned']:>6} {row['loops_shown']:>11} {row['loops_dropped']:>7}"
            f" {row['doubtful']:>8} {chrf}"
        )
    if stages:
        worker = sum(stages.values()) - stages["wall_s"] - stages["repair"]
        share = stages.get("translate", 0.0) / max(1e-9, worker)
        print(f"\nprocessing {stages['wall_s']:.1f} s; translation {share:.0%} of worker time")
        print(f"translated again (names, numbers): {stages['repair']:.1f} s")


if __name__ == "__main__":
    main()
