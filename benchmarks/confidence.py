"""Do the words marked uncertain match the words the model misheard?

On the demo corpus, each channel's transcript is aligned word by word with
what its script says (demo/scripts.json: the soldier on the left channel, the
family on the right, both on a mono call). A transcript word that does not
line up with the same script word is *misheard*. For each threshold this
reports, of the misheard words, the share marked uncertain (recall) and, of
the marked words, the share misheard (precision); then the correlation of
candidate per-call scores with each call's word error rate; then how many
findings (entities, casualty figures, flags) rest on an uncertain word and
how many of those are wrong by demo/gold.json.

Words with digits are left out of the word counts (the scripts spell numbers
out, the model writes some as digits: neither is a mishearing).

Run: ``.venv/bin/python benchmarks/confidence.py`` (builds a case from the
demo corpus, about 3 minutes on two cores), or ``--case DIR`` to measure a
case already built from it (``python tests/conftest.py DIR``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from callsift.analyze.confidence import LOW_CONFIDENCE, span_confidence, word_spans
from callsift.dossier import CallDossier, call_dossier
from callsift.store import CaseStore, list_calls
from callsift.store.certainty import certainties

DEMO = Path(__file__).resolve().parents[1] / "demo"
STORED = "callsift's score (calls.certainty)"
CANDIDATES = (
    STORED,
    "share above threshold",
    "mean probability",
    "mean of probability x channel language probability",
    "exp mean avg_logprob",
)
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
_WORD = re.compile(r"[\w'’-]+")
_TOKEN = re.compile(r"\S+")


def _key(word: str) -> str:
    return word.lower().replace("ё", "е").strip("-'’")


def channel_scripts(call: dict[str, Any], calls: dict[str, dict[str, Any]]) -> dict[int, str]:
    """What each channel's speaker reads (the written form where a respelling was read)."""
    source = calls.get(call.get("reexport_of", ""), call)
    turns = source.get("turns", [])
    written = source.get("written") or [text for _, text in turns]
    lines = [(who, text) for (who, _), text in zip(turns, written, strict=True)]
    if call.get("channels", 1) == 1:
        return {0: " ".join(text for _, text in lines)}
    return {ch: " ".join(t for who, t in lines if (who == "S") == (ch == 0)) for ch in (0, 1)}


def heard_words(dossier: CallDossier, channel: int) -> list[tuple[str, float]]:
    """Each transcript word of a channel with the lowest probability under it."""
    words = []
    for segment in dossier.segments:
        if segment.channel != channel:
            continue
        spans = word_spans(segment)
        for token in _TOKEN.finditer(segment.text):
            confidence = span_confidence(spans, token.start(), token.end())
            for word in _WORD.findall(token.group()):
                if confidence is not None and not any(c.isdigit() for c in word):
                    words.append((_key(word), confidence))
    return words


def misheard(heard: list[tuple[str, float]], script: str) -> tuple[list[bool], int]:
    """Per heard word whether it is wrong, and the word edit distance to the script."""
    said = [_key(w) for w in _WORD.findall(script) if not any(c.isdigit() for c in w)]
    matcher = difflib.SequenceMatcher(None, [w for w, _ in heard], said, autojunk=False)
    wrong = [True] * len(heard)
    errors = 0
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for i in range(a1, a2):
                wrong[i] = False
        else:
            errors += max(a2 - a1, b2 - b1)
    return wrong, errors


def pearson(xs: list[float], ys: list[float]) -> float:
    return statistics.correlation(xs, ys) if len(xs) > 2 else math.nan


def _gold_sets(entry: dict[str, Any]) -> dict[str, set[Any]]:
    return {
        "LOC": set(entry["LOC"]),
        "PER": {n.lower().replace("ё", "е") for n in entry["PER"]},
        "unit": set(entry["unit"]),
        "casualty": {(k, None if v is None else float(v), f) for k, v, f in entry["casualty"]},
        "flags": set(entry["flags"]),
    }


def findings(dossier: CallDossier, gold: dict[str, Any] | None) -> list[tuple[float | None, bool]]:
    """``(confidence, wrong)`` for each judged finding of the call (gold says what is right)."""
    if gold is None:
        return []
    expected = _gold_sets(gold)
    rows: list[tuple[float | None, bool]] = []
    for m in dossier.mentions:
        item: Any = {
            "LOC": m.attrs.get("english", m.normal),
            "PER": m.normal.lower().replace("ё", "е"),
            "unit": m.normal,
            "casualty": (m.kind, m.value, m.fraction),
        }.get(m.type)
        if item is not None:
            rows.append((m.confidence, item not in expected[m.type]))
    rows += [(f.confidence, f.topic not in expected["flags"]) for f in dossier.flags]
    return rows


def measure(case: Path) -> dict[str, Any]:
    spec = json.loads((DEMO / "scripts.json").read_text(encoding="utf-8"))
    scripts = {call["file"]: call for call in spec["calls"]}
    gold = json.loads((DEMO / "gold.json").read_text(encoding="utf-8"))["calls"]
    words: list[tuple[float, bool]] = []
    per_call: list[dict[str, float]] = []
    judged: list[tuple[float | None, bool]] = []
    with CaseStore(case, create=False) as store:
        stored_scores = certainties(store)
        for call in list_calls(store):
            if call.file not in scripts or call.status != "done":
                continue
            dossier = call_dossier(store, call.id)
            languages = {c.channel: c.language_probability for c in dossier.channels}
            heard_all: list[tuple[str, float]] = []
            weighted: list[float] = []
            errors = said = 0
            for channel, script in channel_scripts(scripts[call.file], scripts).items():
                heard = heard_words(dossier, channel)
                wrong, distance = misheard(heard, script)
                words += [(p, w) for (_, p), w in zip(heard, wrong, strict=True)]
                heard_all += heard
                sure = languages.get(channel, 0.0)
                weighted += [p * sure for _, p in heard]
                errors += distance
                said += len([w for w in _WORD.findall(script) if not any(c.isdigit() for c in w)])
            judged += findings(dossier, gold.get(call.file))
            if not said:
                continue
            stored = stored_scores[call.id].certainty if call.id in stored_scores else math.nan
            if not heard_all:  # speech, but nothing kept: every score is 0
                per_call.append(
                    dict.fromkeys(CANDIDATES, 0.0)
                    | {"wer": errors / said, "empty": 1, STORED: stored}
                )
                continue
            probabilities = [p for _, p in heard_all]
            per_call.append(
                {
                    "wer": errors / said,
                    STORED: stored,
                    "share above threshold": sum(p >= LOW_CONFIDENCE for p in probabilities)
                    / len(probabilities),
                    "mean probability": statistics.fmean(probabilities),
                    "mean of probability x channel language probability": statistics.fmean(
                        weighted
                    ),
                    "exp mean avg_logprob": math.exp(
                        statistics.fmean(s.avg_logprob for s in dossier.segments)
                    ),
                }
            )
    misheard_total = sum(w for _, w in words)
    sweep = []
    for threshold in THRESHOLDS:
        marked = [w for p, w in words if p < threshold]
        hits = sum(marked)
        sweep.append(
            {
                "threshold": threshold,
                "marked": len(marked),
                "recall": hits / misheard_total if misheard_total else math.nan,
                "precision": hits / len(marked) if marked else math.nan,
            }
        )
        row = sweep[-1]
        row["f1"] = (
            2 * row["recall"] * row["precision"] / (row["recall"] + row["precision"])
            if hits
            else 0.0
        )
    wer = [c["wer"] for c in per_call]
    scores = {name: pearson([c[name] for c in per_call], wer) for name in CANDIDATES}
    heard = [c for c in per_call if not c.get("empty")]
    scores_heard = {
        name: pearson([c[name] for c in heard], [c["wer"] for c in heard]) for name in CANDIDATES
    }
    low = [wrong for p, wrong in judged if p is not None and p < LOW_CONFIDENCE]
    sure = [wrong for p, wrong in judged if p is None or p >= LOW_CONFIDENCE]
    return {
        "calls": len(per_call),
        "words": len(words),
        "misheard": misheard_total,
        "threshold": LOW_CONFIDENCE,
        "sweep": sweep,
        "correlation with call WER": scores,
        "calls with words": len(heard),
        "correlation with call WER, calls with words": scores_heard,
        "findings": len(judged),
        "findings on uncertain words": len(low),
        "wrong on uncertain words": sum(low),
        "findings on sure words": len(sure),
        "wrong on sure words": sum(sure),
    }


def report(result: dict[str, Any]) -> None:
    print(f"{result['calls']} calls, {result['words']} words, {result['misheard']} misheard")
    print("threshold  marked  recall  precision    F1")
    for row in result["sweep"]:
        mark = " <" if math.isclose(row["threshold"], result["threshold"]) else ""
        print(
            f"{row['threshold']:9.2f}  {row['marked']:6d}  {row['recall']:6.2f}"
            f"  {row['precision']:9.2f}  {row['f1']:4.2f}{mark}"
        )
    print("per-call score: Pearson correlation with the call's word error rate")
    print(f"{'':54} all  with words ({result['calls with words']} calls)")
    for name, r in result["correlation with call WER"].items():
        other = result["correlation with call WER, calls with words"][name]
        print(f"  {name:52} {r:+.2f}  {other:+.2f}")
    print(
        f"findings judged by gold.json: {result['findings']}; on uncertain words"
        f" {result['findings on uncertain words']} ({result['wrong on uncertain words']} wrong);"
        f" on sure words {result['findings on sure words']} ({result['wrong on sure words']} wrong)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", type=Path, help="a case built from the demo corpus")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.case:
        result = measure(args.case)
    else:
        sys.path.insert(0, str(DEMO.parent))  # the tests build the demo case: build it alike
        from tests.conftest import build_demo_case

        with tempfile.TemporaryDirectory() as tmp:
            build_demo_case(Path(tmp) / "case")
            result = measure(Path(tmp) / "case")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)


if __name__ == "__main__":
    main()
