"""Error rate on the words that matter: place and unit names, before and after help.

A general model hears "в Буче" as "в Быче" or "в Гуче" on telephone audio.
This measures, on the demo corpus, how many of the place and unit words its
scripts say come out right (by lemma) in four set-ups:

- plain recognition;
- with the case vocabulary (gazetteer places + unit words) as Whisper hotwords;
- plain recognition, then post-correction against the gazetteer;
- hotwords and post-correction.

Run: ``.venv/bin/python benchmarks/vocabulary.py`` (about 3 minutes on two cores).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from callsift.analyze.gazetteer import correct_place_names, gazetteer, vocabulary
from callsift.analyze.morph import lemmatize
from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions, process_case
from callsift.store import CaseStore, list_calls, segments_of
from callsift.transcribe import TranscribeOptions

DEMO = Path(__file__).resolve().parents[1] / "demo"
UNIT_WORDS = ("полк", "батальон", "батальйон", "рота", "бригада", "взвод", "дивизия")
HOTWORDS = " ".join([*vocabulary(40), *UNIT_WORDS])


def key_lemmas(text: str, language: str) -> list[str]:
    """Lemmas of the place and unit words in a script line."""
    places = gazetteer()
    return [
        token.lemma
        for token in lemmatize(text, language)
        if token.lemma in UNIT_WORDS or (token.text[0].isupper() and places.find(token.text))
    ]


def expected() -> dict[str, list[str]]:
    scripts = json.loads((DEMO / "scripts.json").read_text(encoding="utf-8"))["calls"]
    return {
        call["file"]: [w for _, line in call["turns"] for w in key_lemmas(line, call["language"])]
        for call in scripts
        if call.get("language") in ("ru", "uk")
    }


def transcripts(hotwords: str | None) -> dict[str, list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp, CaseStore(Path(tmp) / "case") as store:
        ingest_paths(store, [DEMO / "calls"])
        options = ProcessOptions(transcribe=TranscribeOptions(hotwords=hotwords), translate=False)
        process_case(store, options)
        return {
            call.file: [(s.text, s.language) for s in segments_of(store, call.id)]
            for call in list_calls(store)
        }


def heard(segments: list[tuple[str, str]], correct: bool) -> set[str]:
    lemmas: set[str] = set()
    for text, language in segments:
        if correct:
            text, _ = correct_place_names(text, language)
        lemmas |= {token.lemma for token in lemmatize(text, language)}
    return lemmas


def main() -> None:
    wanted = expected()
    total = sum(len(words) for words in wanted.values())
    print(f"{total} place and unit words in {len(wanted)} Russian and Ukrainian calls")
    print(f"hotwords: {HOTWORDS[:80]}…")
    for label, hotwords in (("plain", None), ("hotwords", HOTWORDS)):
        result = transcripts(hotwords)
        for correct in (False, True):
            missed = [
                word
                for file, words in wanted.items()
                for word in words
                if word not in heard(result.get(file, []), correct)
            ]
            name = label + (" + correction" if correct else "")
            print(f"{name:24} word error rate {len(missed) / total:6.1%}  missed: {missed}")


if __name__ == "__main__":
    main()
