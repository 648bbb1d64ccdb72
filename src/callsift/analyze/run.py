"""Analyse every transcribed call: lemmas, entities, military facts, flags.

Text analysis reads only stored segments, never audio, so it runs as its own
pass after transcription, keyed by the analysers' version and the watchlist
file's digest: editing a watchlist re-flags the case in seconds. Mentions get
their time from the word timestamps, so every entity and flag points at the
moment it was said.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from callsift import __version__
from callsift.analyze.confidence import call_certainty, span_confidence, word_spans
from callsift.analyze.entities import extract_entities
from callsift.analyze.flags import Watchlists, load_watchlists, match_flags
from callsift.analyze.gazetteer import correct_place_names
from callsift.analyze.military import extract_military
from callsift.analyze.morph import lemma_text, tokenize
from callsift.analyze.phones import find_phones
from callsift.errors import CaseBusyError
from callsift.records import FlagHit, Mention, Segment
from callsift.store import CaseStore, channels_of
from callsift.store.analysis import (
    SegmentAnalysis,
    calls_to_analyze,
    save_analysis,
    stored_segments,
)
from callsift.store.locks import holding_case
from callsift.translate.verify import check_call

__all__ = [
    "AnalyzeOptions",
    "analysis_key",
    "analyze_case",
    "analyze_segment",
    "analyze_unless_busy",
    "time_at",
]


@dataclass(frozen=True)
class AnalyzeOptions:
    """Attributes:
    watchlists: the team's YAML file of topics, added to the built-in ones.
    """

    watchlists: Path | None = None


# Raised whenever the analyser changes what it finds (2: spoken phone numbers;
# 3: first names natasha turns into common nouns; 4: word confidence of findings;
# 5: negated casualty words, "никого не убили", neither flagged nor counted),
# so cases analysed by an older analyser are analysed again.
ANALYZER_REVISION = 5


def analysis_key(options: AnalyzeOptions) -> str:
    digest = None
    if options.watchlists is not None:
        digest = hashlib.sha256(options.watchlists.read_bytes()).hexdigest()
    return json.dumps(
        {"callsift": __version__, "revision": ANALYZER_REVISION, "watchlists": digest},
        sort_keys=True,
    )


def time_at(segment: Segment, char: int) -> float:
    """Seconds at which the character ``char`` of the segment's text was said."""
    text = "".join(word.word for word in segment.words)
    position = -(len(text) - len(text.lstrip()))
    for word in segment.words:
        position += len(word.word)
        if char < position:
            return word.start
    return segment.words[-1].start if segment.words else segment.start


def _offset_map(original: str, corrected: str) -> Callable[[int], int]:
    """Map a character offset in ``corrected`` back to ``original`` (word swaps only)."""
    pairs = list(zip(tokenize(corrected), tokenize(original), strict=False))

    def back(char: int) -> int:
        shift = 0
        for (_, new_start, new_end), (_, old_start, old_end) in pairs:
            if char < new_start:
                break
            if char <= new_end:
                return min(old_start + (char - new_start), old_end)
            shift = old_end - new_end
        return char + shift

    return back


def analyze_segment(
    segment: Segment, watchlists: Watchlists, segment_id: int = 0
) -> SegmentAnalysis:
    """Everything the analysers find in one segment, with times and channel set.

    The analysers read the text after place names are corrected against the
    gazetteer ("в Быче" → "в Буче"); the transcript itself stays as the model
    heard it, and a corrected mention keeps what was heard in ``attrs["heard"]``.
    Offsets are mapped back to the transcript's own text, and each finding
    gets the confidence of the words under it there.
    """
    language = segment.language
    text, corrections = correct_place_names(segment.text, language)
    mentions = extract_entities(text, language) + extract_military(text, language)
    mentions += find_phones(text, language)
    flags = match_flags(text, language, watchlists)
    heard = {right: wrong for wrong, right in corrections}
    back = _offset_map(segment.text, text) if corrections else None
    located: list[Mention | FlagHit] = [*mentions, *flags]
    spans = word_spans(segment)
    for found in located:
        if back is not None:
            if isinstance(found, Mention) and any(r in found.text for r in heard):
                found.attrs["heard"] = segment.text[back(found.start_char) : back(found.end_char)]
            found.start_char, found.end_char = back(found.start_char), back(found.end_char)
        found.start = time_at(segment, found.start_char)
        found.confidence = span_confidence(spans, found.start_char, found.end_char)
        found.channel = segment.channel
    mentions.sort(key=lambda m: (m.start_char, m.type))
    return SegmentAnalysis(segment_id, lemma_text(text, language), mentions, flags)


@holding_case("analyze")
def analyze_case(
    store: CaseStore,
    options: AnalyzeOptions = AnalyzeOptions(),
    on_start: Callable[[int], None] | None = None,
    on_call: Callable[[int], None] | None = None,
    call_ids: Collection[int] | None = None,
) -> int:
    """Analyse every call not yet analysed with these settings; returns how many.

    ``call_ids`` limits the pass to those calls (a reviewer's correction
    re-analyses its own call, never a case that other settings left pending).
    """
    key = analysis_key(options)
    watchlists = load_watchlists(options.watchlists)
    calls = calls_to_analyze(store, key)
    if call_ids is not None:
        wanted = set(call_ids)
        calls = [call_id for call_id in calls if call_id in wanted]
    if on_start:
        on_start(len(calls))
    for call_id in calls:
        segments = stored_segments(store, call_id)
        results = [
            analyze_segment(segment, watchlists, segment_id) for segment_id, segment in segments
        ]
        certainty = call_certainty(
            (segment for _, segment in segments),
            sum(c.speech_s for c in channels_of(store, call_id)),
        )
        save_analysis(
            store, call_id, key, results, (certainty.words, certainty.low_words, certainty.score)
        )
        check_call(store, call_id)  # the English against the mentions just stored
        if on_call:
            on_call(call_id)
    return len(calls)


def analyze_unless_busy(
    store: CaseStore, options: AnalyzeOptions = AnalyzeOptions(), call_id: int | None = None
) -> bool:
    """Analyse what a reviewer's change made pending (only ``call_id``'s call, when given),
    unless another run holds the case.

    A correction saved during a long ``process`` run must not fail for it: the
    call stays pending and the next analysis (that run's own, at its end)
    takes it. Returns whether the analysis ran.
    """
    try:
        analyze_case(store, options, call_ids=None if call_id is None else [call_id])
    except CaseBusyError:
        return False
    return True
