"""Search that survives mishearing, measured on the demo's garbled set.

``demo/gold.json`` lists under ``"garbled"`` calls whose key words Whisper
base is known to garble, each with the terms it says (``query`` as a user
would type it). For every term this searches the processed demo case twice,
exact words only (``--exact``) and with approximate hits, and counts:

- recall: the call that says the term is among the hits;
- false hits: every hit (segment) on a call that does not say the term, on
  the garbled calls and on the rest of the demo corpus apart;
- precision: hits on calls that say the term, over all hits.

A call "says" a term when it lists it in the garbled set, or its script
(``demo/scripts.json``) holds the word in some form (the lemma, or the same
place in the gazetteer: "пид Харковом" says Харьков).

Run: ``.venv/bin/python benchmarks/garbled_search.py [--case DIR]`` (without
``--case`` it builds the demo case first, a few minutes of CPU).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callsift.analyze.gazetteer import lookup
from callsift.analyze.morph import lemmatize, tokenize
from callsift.records import SearchFilters
from callsift.search import search
from callsift.store import CaseStore

REPO = Path(__file__).resolve().parents[1]
LIMIT = 1000


@dataclass
class Tally:
    """What one way of searching found over the garbled set."""

    terms: int = 0
    found: int = 0
    true_hits: int = 0
    false_garbled: int = 0
    false_rest: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.terms if self.terms else 0.0

    @property
    def precision(self) -> float:
        hits = self.true_hits + self.false_garbled + self.false_rest
        return self.true_hits / hits if hits else 1.0


def _forms(text: str) -> set[str]:
    """Every word of ``text``, its lemmas by both dictionaries, and the places it names."""
    forms = set()
    for word, _, _ in tokenize(text):
        forms.add(word.lower().replace("ё", "е"))
        forms |= {lemmatize(word, lang)[0].lemma for lang in ("ru", "uk")}
        place = lookup(word)
        if place is not None:
            forms.add(place.english)
    return forms


def _says(forms: set[str], query: str) -> bool:
    return all(bool(_forms(word) & forms) for word, _, _ in tokenize(query))


def scripts(path: Path) -> dict[str, set[str]]:
    """Each call's word forms, from what its script says."""
    calls = json.loads(path.read_text(encoding="utf-8"))["calls"]
    return {c["file"]: _forms(" ".join(text for _, text in c["turns"])) for c in calls}


def measure(
    store: CaseStore, garbled: dict[str, Any], said: dict[str, set[str]]
) -> dict[str, Tally]:
    """Exact-only and approximate search for every term of the garbled set (each once)."""
    tallies = {"exact only": Tally(), "with approximate": Tally()}
    callers: dict[str, set[str]] = {}
    for file, call in garbled.items():
        for term in call["terms"]:
            callers.setdefault(term["query"], set()).add(file)
    for query, files in callers.items():
        speakers = files | {f for f, forms in said.items() if _says(forms, query)}
        for name, exact in (("exact only", True), ("with approximate", False)):
            tally = tallies[name]
            hits = search(store, query, SearchFilters(exact=exact), limit=LIMIT).hits
            for file in sorted(files):
                tally.terms += 1
                if any(hit.file == file for hit in hits):
                    tally.found += 1
                else:
                    tally.missed.append(f"{file}: {query}")
            for hit in hits:
                if hit.file in speakers:
                    tally.true_hits += 1
                    continue
                if hit.file in garbled:
                    tally.false_garbled += 1
                else:
                    tally.false_rest += 1
                tally.false.append(f"{query} → {hit.file}: {hit.text} {hit.matched}")
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    rows = [
        "| search | terms | recall | precision | false hits, garbled calls | false hits, rest |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, t in tallies.items():
        rows.append(
            f"| {name} | {t.terms} | {t.recall:.2f} | {t.precision:.2f} |"
            f" {t.false_garbled} | {t.false_rest} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", type=Path, help="a processed demo case (else one is built)")
    parser.add_argument("--gold", type=Path, default=REPO / "demo" / "gold.json")
    parser.add_argument("--verbose", action="store_true", help="list misses and false hits")
    args = parser.parse_args()
    garbled = json.loads(args.gold.read_text(encoding="utf-8")).get("garbled")
    if not garbled:
        sys.exit(f"{args.gold}: no garbled set")
    said = scripts(REPO / "demo" / "scripts.json")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.case
        if root is None:
            sys.path.insert(0, str(REPO))
            from tests.conftest import build_demo_case

            root = Path(tmp) / "case"
            build_demo_case(root)
        with CaseStore(root) as store:
            tallies = measure(store, garbled, said)
    print(table(tallies))
    if args.verbose:
        for name, tally in tallies.items():
            print(f"\n{name}: missed {tally.missed}")
            print("\n".join(f"  false: {line}" for line in tally.false))


if __name__ == "__main__":
    main()
