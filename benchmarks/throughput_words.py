"""Did a speed change change any words? Transcribe a corpus, save its words, diff two runs.

    .venv/bin/python benchmarks/throughput_words.py --save /tmp/before.json
    # ... change the code or the settings ...
    .venv/bin/python benchmarks/throughput_words.py --against /tmp/before.json

Runs ``process_case`` (the pipeline ``callsift process`` runs: decode, VAD,
transcription, Whisper's English) over the corpus in a scratch case, with
the worker count and batching given, and keeps every call's words per
channel, their language and their English. ``--against`` then prints, per
call, how many words of the transcript and of the English differ from the
saved run (a word-level diff), and the totals. Compare runs in the same
kernel mode (``CALLSIFT_REPRODUCIBLE``): the modes round differently and
give other words on purpose (README, "Reproducible transcripts").
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def run(corpus: Path, workers: int, translate: bool, spec: Any) -> dict[str, Any]:
    """Process ``corpus`` once with model ``spec``; its words per call, wall and stage seconds."""
    from callsift.ingest.run import ingest_paths
    from callsift.pipeline import CallOutcome, ProcessOptions, process_case
    from callsift.store import CaseStore
    from callsift.transcribe import TranscribeOptions

    calls: dict[str, Any] = {}

    def keep(outcome: CallOutcome) -> None:
        calls[outcome.file] = {
            "error": outcome.error,
            "channels": [
                {
                    "channel": channel.channel,
                    "language": channel.language,
                    "words": [w.word.strip() for s in channel.segments for w in s.words],
                    "english": " ".join(s.translation or "" for s in channel.segments).split(),
                }
                for channel in outcome.channels
            ],
        }

    options = ProcessOptions(
        transcribe=TranscribeOptions(model=spec), workers=workers, translate=translate
    )
    with tempfile.TemporaryDirectory() as scratch, CaseStore(Path(scratch) / "case") as store:
        ingest_paths(store, [corpus])
        started = time.perf_counter()
        report = process_case(store, options, on_call=keep)
        wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "settings": {
            "workers": workers,
            "translate": translate,
            "model": spec.name,
            "device": spec.device,
            "batch": spec.batch_size,
            "reproducible": os.environ.get("CALLSIFT_REPRODUCIBLE", "1"),
        },
        "wall_s": round(wall, 2),
        "audio_s": round(report.audio_s, 2),
        "stage_s": {stage: round(seconds, 2) for stage, seconds in report.stage_s.items()},
        "cpu_s": round(children.ru_utime + children.ru_stime, 2),
        "load": os.getloadavg(),
        "calls": dict(sorted(calls.items())),
    }


def changed(before: list[str], after: list[str]) -> int:
    """Words replaced, inserted or deleted between two word lists (the larger side counts)."""
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Per call: words and English words changed, and language changes."""
    rows: dict[str, Any] = {}
    for file in sorted(set(before["calls"]) | set(after["calls"])):
        old = before["calls"].get(file, {"channels": []})
        new = after["calls"].get(file, {"channels": []})
        pairs = list(zip(old["channels"], new["channels"], strict=False))
        words = sum(changed(a["words"], b["words"]) for a, b in pairs)
        english = sum(changed(a["english"], b["english"]) for a, b in pairs)
        languages = sum(a["language"] != b["language"] for a, b in pairs)
        total = sum(len(a["words"]) for a in old["channels"])
        if len(old["channels"]) != len(new["channels"]):
            languages += 1
        rows[file] = {"words": total, "changed": words, "english": english, "lang": languages}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "demo" / "calls")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=0, help="batch size (0: unbatched)")
    parser.add_argument("--model", default="base", help="base, or a CTranslate2 Whisper folder")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--no-translate", dest="translate", action="store_false")
    parser.add_argument("--save", type=Path, help="write this run's words here")
    parser.add_argument("--against", type=Path, help="diff this run's words with a saved run")
    args = parser.parse_args()
    from callsift.transcribe import ModelSpec, default_compute_type

    spec = ModelSpec(args.model, args.device, default_compute_type(args.device), 0, args.batch)
    result = run(args.corpus, args.workers, args.translate, spec)
    wall, audio = result["wall_s"], result["audio_s"]
    print(
        f"{result['settings']}: wall {wall} s for {audio} s of audio"
        f" (RTF {wall / audio:.4f}, {audio / wall:.1f} audio s / wall s),"
        f" worker CPU {result['cpu_s']} s, stages {result['stage_s']},"
        f" load {', '.join(f'{x:.1f}' for x in result['load'])}"
    )
    if args.save:
        args.save.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.against:
        rows = diff(json.loads(args.against.read_text(encoding="utf-8")), result)
        for file, row in rows.items():
            if row["changed"] or row["english"] or row["lang"]:
                print(f"{file}: {row}")
        total = sum(row["words"] for row in rows.values())
        words = sum(row["changed"] for row in rows.values())
        english = sum(row["english"] for row in rows.values())
        print(f"words changed: {words} of {total}; English words changed: {english}")
        sys.exit(1 if words else 0)


if __name__ == "__main__":
    main()
